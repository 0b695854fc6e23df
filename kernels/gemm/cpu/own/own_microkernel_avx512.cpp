// AVX-512F micro-kernels: 24x8 and 16x14 FP64, 48x8 and 32x14 FP32.
//
// Why these tiles. AVX-512 has 32 zmm registers. Cores with two 512-bit FMA
// pipes (Skylake-SP Gold 6xxx/Platinum, Ice Lake-SP, Sapphire Rapids, Zen 5)
// have an FMA latency of 4 cycles, so 2 x 4 = 8 independent accumulators are
// the minimum; Zen 4 splits each 512-bit op over its 256-bit pipes and needs
// no more.
//  - 24x8: 3 vectors x 8 columns, 24 accumulators + 3 A vectors + 1
//    broadcast = 28 registers, 4 spare so the compiler never spills; 24
//    independent FMAs per k step. Per step it loads 3 vectors of A and
//    broadcasts 8 elements of B: 11 loads per 24 FMAs (12 cycles at 2
//    FMA/cycle).
//  - 16x14: 2 vectors x 14 columns, 28 + 2 + 1 = 31 registers (BLIS's skx
//    tile). 16 loads per 28 FMAs, more than 24x8, but the A micro-panel,
//    which streams from L2 while B's stays in L1, is read at 128 bytes per
//    14 cycles instead of 192 per 12: 9 instead of 16 bytes per cycle.
// Both are variants: the GEMM probe times them and keeps the faster. On 2
// Zen 5 cores they tie at n = 4096 (alternating: 171.9/176.7 and
// 178.7/171.7 GFLOP/s, 24x8/16x14).
// The vectors run along m (MR = 24 or 16 FP64, 48 or 32 FP32 rows), so a column-major C tile
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

// Plain functions, defined here under the target pragma: a template
// instantiated after pop_options could be compiled without AVX-512.
void dgemm_avx512_24x8(int64_t k, const double* a, const double* b, double alpha, double beta,
                       double* c, int64_t ldc, const Lookahead<double>& ahead) {
  micro_kernel_body<Avx512F64, 3, 8>(k, a, b, alpha, beta, c, ldc, ahead);
}

void dgemm_avx512_16x14(int64_t k, const double* a, const double* b, double alpha, double beta,
                        double* c, int64_t ldc, const Lookahead<double>& ahead) {
  micro_kernel_body<Avx512F64, 2, 14>(k, a, b, alpha, beta, c, ldc, ahead);
}

void sgemm_avx512_48x8(int64_t k, const float* a, const float* b, float alpha, float beta, float* c,
                       int64_t ldc, const Lookahead<float>& ahead) {
  micro_kernel_body<Avx512F32, 3, 8>(k, a, b, alpha, beta, c, ldc, ahead);
}

void sgemm_avx512_32x14(int64_t k, const float* a, const float* b, float alpha, float beta,
                        float* c, int64_t ldc, const Lookahead<float>& ahead) {
  micro_kernel_body<Avx512F32, 2, 14>(k, a, b, alpha, beta, c, ldc, ahead);
}

}  // namespace

#pragma GCC pop_options

MicroKernel<double> avx512_dgemm_micro_kernel(int tile) {
  if (tile == 0) return {24, 8, &dgemm_avx512_24x8};
  if (tile == 1) return {16, 14, &dgemm_avx512_16x14};
  return {};
}

MicroKernel<float> avx512_sgemm_micro_kernel(int tile) {
  if (tile == 0) return {48, 8, &sgemm_avx512_48x8};
  if (tile == 1) return {32, 14, &sgemm_avx512_32x14};
  return {};
}

}  // namespace flopscope::gemm::own

#else

namespace flopscope::gemm::own {
MicroKernel<double> avx512_dgemm_micro_kernel(int) {
  return {};
}
MicroKernel<float> avx512_sgemm_micro_kernel(int) {
  return {};
}
}  // namespace flopscope::gemm::own

#endif
