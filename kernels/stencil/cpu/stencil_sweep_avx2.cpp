// AVX2 + FMA sweeps. This file is compiled with -mavx2 -mfma and called
// only when cpuid says the CPU has both (stencil_cpu.cpp).
#include <immintrin.h>

#include "kernels/stencil/cpu/stencil_sweeps.h"
#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::cpu {

namespace {

struct Avx2Fp64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static V set1(T a) { return _mm256_set1_pd(a); }
  static V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V madd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static void store(T* p, V v) { _mm256_store_pd(p, v); }
  static void stream(T* p, V v) { _mm256_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};

struct Avx2Fp32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;
  static V set1(T a) { return _mm256_set1_ps(a); }
  static V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V madd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(T* p, V v) { _mm256_store_ps(p, v); }
  static void stream(T* p, V v) { _mm256_stream_ps(p, v); }
  static void fence() { _mm_sfence(); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};

#include "kernels/stencil/cpu/stencil_sweep_body.h"

}  // namespace

void sweep_avx2(const SweepTask<double>& t) {
  sweep_dispatch<Avx2Fp64>(t);
}
void sweep_avx2(const SweepTask<float>& t) {
  sweep_dispatch<Avx2Fp32>(t);
}

}  // namespace flopscope::stencil::cpu
