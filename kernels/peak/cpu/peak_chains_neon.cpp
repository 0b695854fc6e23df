// NEON FMA chains for aarch64, where NEON is part of the base ISA (no target
// attribute needed). 128-bit vectors: on SVE cores with 128-bit SVE (Neoverse
// V2, Grace, Cortex-X925) that is the full vector width; wider SVE (A64FX's
// 512 bits) would need SVE chains, not written yet.
//
// Why the chain runs on y = x - 1. The spec's step x <- x*a + b has the
// constant b as its addend, but NEON's only fused multiply-add, FMLA,
// accumulates into its destination (d <- d + n*m): written as x*a + b each
// step would cost a copy of b, a FMLA and a copy back, three instructions
// for one FMA. Since a + b = 1, y = x - 1 obeys y <- y*a = y + y*(a - 1),
// one FMLA with y as accumulator and multiplicand. x0 - 1 is exact for the
// start values in [0.5, 1.5) (Sterbenz), and x = 1 + y at the end meets the
// spec's closed form, 1 + a^n (x0 - 1).
#include "kernels/peak/cpu/peak_chains.h"

#if defined(__aarch64__)

#include <arm_neon.h>

#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::cpu {

namespace {

struct NeonF64 {
  using T = double;
  using V = float64x2_t;
  static V set1(T x) { return vdupq_n_f64(x); }
  static V load(const T* p) { return vld1q_f64(p); }
  static void store(T* p, V v) { vst1q_f64(p, v); }
  static V add(V x, V y) { return vaddq_f64(x, y); }
  static V fmla(V d, V n, V m) { return vfmaq_f64(d, n, m); }  // d + n*m, fused
};

struct NeonF32 {
  using T = float;
  using V = float32x4_t;
  static V set1(T x) { return vdupq_n_f32(x); }
  static V load(const T* p) { return vld1q_f32(p); }
  static void store(T* p, V v) { vst1q_f32(p, v); }
  static V add(V x, V y) { return vaddq_f32(x, y); }
  static V fmla(V d, V n, V m) { return vfmaq_f32(d, n, m); }
};

template <class S, ChainShape kShape>
void neon_chains(int64_t thread, int64_t rounds, typename S::T* out) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int kLanes = kShape.lanes;
  const V a_minus_1 = S::set1(static_cast<T>(kMultiplier - 1.0));
  const V one = S::set1(T(1));
  alignas(16) T y0[kShape.chains * kLanes];
  for (int c = 0; c < kShape.chains; ++c)
    for (int l = 0; l < kLanes; ++l)
      y0[c * kLanes + l] = static_cast<T>(start_value(thread, c, l)) - T(1);
  V acc[kShape.chains];
  for (int c = 0; c < kShape.chains; ++c) acc[c] = S::load(y0 + c * kLanes);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
    for (int c = 0; c < kShape.chains; ++c) acc[c] = S::load(y0 + c * kLanes);
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma GCC unroll 32
      for (int c = 0; c < kShape.chains; ++c) acc[c] = S::fmla(acc[c], acc[c], a_minus_1);
    }
  }
#pragma GCC unroll 32
  for (int c = 0; c < kShape.chains; ++c) S::store(out + c * kLanes, S::add(acc[c], one));
}

}  // namespace

void chains_fp64_neon(int64_t thread, int64_t rounds, double* out) {
  neon_chains<NeonF64, kNeonFp64>(thread, rounds, out);
}

void chains_fp32_neon(int64_t thread, int64_t rounds, float* out) {
  neon_chains<NeonF32, kNeonFp32>(thread, rounds, out);
}

}  // namespace flopscope::peak::cpu

#else  // not aarch64: never selected (the ISA check says no).

namespace flopscope::peak::cpu {
void chains_fp64_neon(int64_t, int64_t, double*) {}
void chains_fp32_neon(int64_t, int64_t, float*) {}
}  // namespace flopscope::peak::cpu

#endif
