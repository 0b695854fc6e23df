// AVX2+FMA micro-kernels: 8x6 FP64 and 16x6 FP32.
//
// Why this tile. AVX2 has 16 ymm registers. On the cores that run it (Haswell
// to Zen 4) an FMA has a latency of 4-5 cycles and 2 pipes issue one each per
// cycle, so at least 2 x 5 = 10 independent accumulators must be in flight to
// keep both pipes busy. A tile of MV vectors x NR columns needs MV x NR
// accumulators, MV registers for the A vectors and 1 for the broadcast B
// element: 2 x 6 = 12 accumulators + 2 + 1 = 15 of the 16 registers, the
// largest tile that fits, with 12 independent FMAs per k step (above the 10
// needed). Per step it loads 2 vectors of A and broadcasts 6 elements of B:
// 8 loads for 12 FMAs (6 cycles at 2 FMA/cycle), within the 2-3 loads per
// cycle these cores sustain. 12x4 (12 accumulators + 3 + 1 = 16) would also
// fit, but leaves no spare register and moves more panel data per FLOP:
// 12 + 4 = 16 elements per 48 multiply-adds against 8 + 6 = 14 for 8x6.
// The vectors run along m (8 FP64 or 16 FP32 rows), so a column-major C tile
// is stored as whole contiguous columns.
//
// Every function in this file is compiled for AVX2+FMA (the pragma below):
// the file builds without -march flags, and the driver calls it only when
// cpuid says the CPU has both.
#include "kernels/gemm/cpu/own/own_microkernel.h"

#if defined(__x86_64__)

#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")

#include "kernels/gemm/cpu/own/own_microkernel_body.h"

namespace flopscope::gemm::own {

namespace {

struct Avx2F64 {
  using T = double;
  using V = __m256d;
  static constexpr int kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const T* p) { return _mm256_load_pd(p); }
  static V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static void storeu(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V broadcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};

struct Avx2F32 {
  using T = float;
  using V = __m256;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const T* p) { return _mm256_load_ps(p); }
  static V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static void storeu(T* p, V v) { _mm256_storeu_ps(p, v); }
  static V broadcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};

constexpr int kVectors = 2;  // MV: vectors of C rows per tile
constexpr int kColumns = 6;  // NR

void dgemm_avx2_8x6(int64_t k, const double* a, const double* b, double alpha, double beta,
                    double* c, int64_t ldc, const Lookahead<double>& ahead) {
  micro_kernel_body<Avx2F64, kVectors, kColumns>(k, a, b, alpha, beta, c, ldc, ahead);
}

void sgemm_avx2_16x6(int64_t k, const float* a, const float* b, float alpha, float beta, float* c,
                     int64_t ldc, const Lookahead<float>& ahead) {
  micro_kernel_body<Avx2F32, kVectors, kColumns>(k, a, b, alpha, beta, c, ldc, ahead);
}

}  // namespace

#pragma GCC pop_options

MicroKernel<double> avx2_dgemm_micro_kernel(int tile) {
  if (tile != 0) return {};
  return {kVectors * Avx2F64::kLanes, kColumns, &dgemm_avx2_8x6};
}

MicroKernel<float> avx2_sgemm_micro_kernel(int tile) {
  if (tile != 0) return {};
  return {kVectors * Avx2F32::kLanes, kColumns, &sgemm_avx2_16x6};
}

}  // namespace flopscope::gemm::own

#else

namespace flopscope::gemm::own {
MicroKernel<double> avx2_dgemm_micro_kernel(int) {
  return {};
}
MicroKernel<float> avx2_sgemm_micro_kernel(int) {
  return {};
}
}  // namespace flopscope::gemm::own

#endif
