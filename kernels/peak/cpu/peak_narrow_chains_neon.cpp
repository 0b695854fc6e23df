// Arm INT8 dot-product chains: SDOT (FEAT_DotProd, Armv8.2 and later) adds
// four s8 x s8 products into each INT32 lane, 8 OP per lane like x86's
// vpdpbusd, on the FP/SIMD pipes. The spec's u8 operands (1, 2, 3, 4) fit in
// s8, so the signed instruction gives the same +6 per step. Compiled for
// the extension by the pragma below and called only where the hwcaps list
// it (peak_narrow_cpu.cpp).
#include "kernels/peak/cpu/peak_narrow_chains.h"

#if defined(__aarch64__)

#include <arm_neon.h>

#include "kernels/peak/peak_spec.h"

#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")

namespace flopscope::peak::cpu {

void chains_int8_neon(int64_t thread, int64_t rounds, int32_t* out) {
  constexpr ChainShape S = kNeonInt8;
  int8_t a_bytes[16], b_bytes[16];
  for (int i = 0; i < 16; ++i) {
    a_bytes[i] = static_cast<int8_t>(narrow::kInt8A[i % 4]);
    b_bytes[i] = narrow::kInt8B[i % 4];
  }
  const int8x16_t a = vld1q_s8(a_bytes), b = vld1q_s8(b_bytes);
  alignas(16) int32_t init[S.chains * S.lanes];
  for (int c = 0; c < S.chains; ++c)
    for (int l = 0; l < S.lanes; ++l)
      init[c * S.lanes + l] = narrow::int8_start_value(thread, c, l);
  int32x4_t acc[S.chains];
  for (int c = 0; c < S.chains; ++c) acc[c] = vld1q_s32(init + c * S.lanes);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
    for (int c = 0; c < S.chains; ++c) acc[c] = vld1q_s32(init + c * S.lanes);
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma GCC unroll 32
      for (int c = 0; c < S.chains; ++c) acc[c] = vdotq_s32(acc[c], a, b);
    }
  }
#pragma GCC unroll 32
  for (int c = 0; c < S.chains; ++c) vst1q_s32(out + c * S.lanes, acc[c]);
}

}  // namespace flopscope::peak::cpu

#pragma GCC pop_options

#else  // not aarch64: never selected (the ISA check says no).

namespace flopscope::peak::cpu {
void chains_int8_neon(int64_t, int64_t, int32_t*) {}
}  // namespace flopscope::peak::cpu

#endif
