// AArch64 Advanced SIMD (NEON) micro-kernels: 8x6 FP64 and 16x6 FP32.
//
// Why this tile. NEON has 32 128-bit registers. The server cores (Neoverse
// N1/N2 with 2 FMLA pipes, V1/V2 and Grace with 4, Cortex-X with 4) have an
// FMLA latency of 4 cycles, so up to 4 x 4 = 16 independent accumulators
// must be in flight. A tile of MV vectors x NR columns needs MV x NR
// accumulators, MV registers for the A vectors and 1 for the broadcast B
// element: 4 x 6 = 24 accumulators + 4 + 1 = 29 of the 32, with 24
// independent FMLAs per k step (above the 16 needed). Per step it loads 4
// vectors of A and broadcasts 6 elements of B (LD1R): 10 loads for 24
// FMLAs, 6 cycles on 4 pipes, within the 2-3 loads per cycle these cores
// sustain. 4 x 7 would need 33 registers. The tile is
// the AVX2 one in elements (8 FP64 or 16 FP32 rows, 6 columns), so the
// driver's instances serve both.
//
// Compiled on every architecture: elsewhere the functions return no kernel
// and the variants list leaves them out.
#include "kernels/gemm/cpu/own/own_microkernel.h"

#if defined(__aarch64__)

#include <arm_neon.h>

#include "kernels/gemm/cpu/own/own_microkernel_body.h"

namespace flopscope::gemm::own {

namespace {

struct NeonF64 {
  using T = double;
  using V = float64x2_t;
  static constexpr int kLanes = 2;
  static V zero() { return vdupq_n_f64(0.0); }
  static V load(const T* p) { return vld1q_f64(p); }
  static V loadu(const T* p) { return vld1q_f64(p); }
  static void storeu(T* p, V v) { vst1q_f64(p, v); }
  static V broadcast(const T* p) { return vld1q_dup_f64(p); }
  static V set1(T x) { return vdupq_n_f64(x); }
  static V fma(V a, V b, V c) { return vfmaq_f64(c, a, b); }
  static V mul(V a, V b) { return vmulq_f64(a, b); }
  static void prefetch(const T* p) { __builtin_prefetch(p, 0, 3); }
};

struct NeonF32 {
  using T = float;
  using V = float32x4_t;
  static constexpr int kLanes = 4;
  static V zero() { return vdupq_n_f32(0.0f); }
  static V load(const T* p) { return vld1q_f32(p); }
  static V loadu(const T* p) { return vld1q_f32(p); }
  static void storeu(T* p, V v) { vst1q_f32(p, v); }
  static V broadcast(const T* p) { return vld1q_dup_f32(p); }
  static V set1(T x) { return vdupq_n_f32(x); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static void prefetch(const T* p) { __builtin_prefetch(p, 0, 3); }
};

constexpr int kVectors = 4;  // MV: vectors of C rows per tile
constexpr int kColumns = 6;  // NR

void dgemm_neon_8x6(int64_t k, const double* a, const double* b, double alpha, double beta,
                    double* c, int64_t ldc, const Lookahead<double>& ahead) {
  micro_kernel_body<NeonF64, kVectors, kColumns>(k, a, b, alpha, beta, c, ldc, ahead);
}

void sgemm_neon_16x6(int64_t k, const float* a, const float* b, float alpha, float beta, float* c,
                     int64_t ldc, const Lookahead<float>& ahead) {
  micro_kernel_body<NeonF32, kVectors, kColumns>(k, a, b, alpha, beta, c, ldc, ahead);
}

}  // namespace

MicroKernel<double> neon_dgemm_micro_kernel(int tile) {
  if (tile != 0) return {};
  return {kVectors * NeonF64::kLanes, kColumns, &dgemm_neon_8x6};
}

MicroKernel<float> neon_sgemm_micro_kernel(int tile) {
  if (tile != 0) return {};
  return {kVectors * NeonF32::kLanes, kColumns, &sgemm_neon_16x6};
}

}  // namespace flopscope::gemm::own

#else

namespace flopscope::gemm::own {
MicroKernel<double> neon_dgemm_micro_kernel(int) {
  return {};
}
MicroKernel<float> neon_sgemm_micro_kernel(int) {
  return {};
}
}  // namespace flopscope::gemm::own

#endif
