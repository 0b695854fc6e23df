// AVX2 + FMA copy and triad. This file is compiled with -mavx2 -mfma and
// called only when cpuid says the CPU has both (stream_cpu.cpp).
#include <immintrin.h>

#include "kernels/stream/cpu/stream_loops.h"

namespace flopscope::stream::cpu {

namespace {

struct Avx2Fp64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static V set1(T a) { return _mm256_set1_pd(a); }
  static V load(const T* p) { return _mm256_load_pd(p); }
  static V madd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static void store(T* p, V v) { _mm256_store_pd(p, v); }
  static void stream(T* p, V v) { _mm256_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
};

struct Avx2Fp32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;
  static V set1(T a) { return _mm256_set1_ps(a); }
  static V load(const T* p) { return _mm256_load_ps(p); }
  static V madd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(T* p, V v) { _mm256_store_ps(p, v); }
  static void stream(T* p, V v) { _mm256_stream_ps(p, v); }
  static void fence() { _mm_sfence(); }
};

#include "kernels/stream/cpu/stream_loop_body.h"

}  // namespace

void stream_avx2(const StreamTask<double>& t) {
  stream_dispatch<Avx2Fp64>(t);
}
void stream_avx2(const StreamTask<float>& t) {
  stream_dispatch<Avx2Fp32>(t);
}

}  // namespace flopscope::stream::cpu
