// AVX-512F micro-kernels: 24x8 FP64 and 48x8 FP32.
//
// Why this tile. AVX-512 has 32 zmm registers. Cores with two 512-bit FMA
// pipes (Skylake-SP Gold 6xxx/Platinum, Ice Lake-SP, Sapphire Rapids, Zen 5)
// have an FMA latency of 4 cycles, so 2 x 4 = 8 independent accumulators are
// the minimum; Zen 4 splits each 512-bit op over its 256-bit pipes and needs
// no more. A tile of 3 vectors x 8 columns uses 24 accumulators + 3 A vectors
// + 1 broadcast = 28 registers, leaving 4 spare so the compiler never spills,
// and gives 24 independent FMAs per k step, three times the minimum. Per step
// it loads 3 vectors of A and broadcasts 8 elements of B: 11 loads per 24
// FMAs (12 cycles at 2 FMA/cycle), under one load per cycle. 16x14 (28 + 2 +
// 1 = 31) would reuse panels slightly better but needs 16 loads per 14
// cycles and leaves one spare register.
// The vectors run along m (24 FP64 or 48 FP32 rows), so a column-major C tile
// is stored as whole contiguous columns.
//
// Every function in this file is compiled for AVX-512F (the pragma below):
// the file builds without -march flags, and the driver calls it only when
// cpuid and the OS say the CPU has AVX-512F. On a machine without AVX-512 it
// is compiled but never run (tests assert it is never selected there).
#include "kernels/gemm/cpu/own/own_microkernel.h"

#if defined(__x86_64__)

#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f")

#include "kernels/gemm/cpu/own/own_microkernel_body.h"

namespace flopscope::gemm::own {

namespace {

struct Avx512F64 {
  using T = double;
  using V = __m512d;
  static constexpr int kLanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const T* p) { return _mm512_load_pd(p); }
  static V loadu(const T* p) { return _mm512_loadu_pd(p); }
  static void storeu(T* p, V v) { _mm512_storeu_pd(p, v); }
  static V broadcast(const T* p) { return _mm512_set1_pd(*p); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};

struct Avx512F32 {
  using T = float;
  using V = __m512;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const T* p) { return _mm512_load_ps(p); }
  static V loadu(const T* p) { return _mm512_loadu_ps(p); }
  static void storeu(T* p, V v) { _mm512_storeu_ps(p, v); }
  static V broadcast(const T* p) { return _mm512_set1_ps(*p); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};

constexpr int kVectors = 3;  // MV: vectors of C rows per tile
constexpr int kColumns = 8;  // NR

void dgemm_avx512_24x8(int64_t k, const double* a, const double* b, double alpha, double beta,
                       double* c, int64_t ldc) {
  micro_kernel_body<Avx512F64, kVectors, kColumns>(k, a, b, alpha, beta, c, ldc);
}

void sgemm_avx512_48x8(int64_t k, const float* a, const float* b, float alpha, float beta, float* c,
                       int64_t ldc) {
  micro_kernel_body<Avx512F32, kVectors, kColumns>(k, a, b, alpha, beta, c, ldc);
}

}  // namespace

#pragma GCC pop_options

MicroKernel<double> avx512_dgemm_micro_kernel() {
  return {kVectors * Avx512F64::kLanes, kColumns, &dgemm_avx512_24x8};
}

MicroKernel<float> avx512_sgemm_micro_kernel() {
  return {kVectors * Avx512F32::kLanes, kColumns, &sgemm_avx512_48x8};
}

}  // namespace flopscope::gemm::own

#else

namespace flopscope::gemm::own {
MicroKernel<double> avx512_dgemm_micro_kernel() {
  return {};
}
MicroKernel<float> avx512_sgemm_micro_kernel() {
  return {};
}
}  // namespace flopscope::gemm::own

#endif
