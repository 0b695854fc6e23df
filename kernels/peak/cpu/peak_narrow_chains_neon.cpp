// Arm dot-product chains on the FP/SIMD pipes, each called only where the
// hwcaps list its extension (peak_narrow_cpu.cpp):
//  - INT8: SDOT (FEAT_DotProd, Armv8.2 and later) adds four s8 x s8
//    products into each INT32 lane, 8 OP per lane like x86's vpdpbusd. The
//    spec's u8 operands (1, 2, 3, 4) fit in s8, so the signed instruction
//    gives the same +6 per step.
//  - BF16: BFDOT (FEAT_BF16: Neoverse V1/V2, Grace, Graviton3/4, Cortex-X)
//    adds two BF16 products into each FP32 lane, 4 FLOP per lane like x86's
//    vdpbf16ps, and the spec's operands give the same exact +2^-13 per step
//    (BFDOT's round-to-odd and flushed denormals never touch these values).
#include "kernels/peak/cpu/peak_narrow_chains.h"

#if defined(__aarch64__)

#include <arm_neon.h>

#include "kernels/peak/peak_spec.h"

// Both extensions for the whole file: the chains share one loop, and each
// is called only where the hwcaps list its own (no other instruction of the
// other extension is emitted: nothing here vectorises into BF16 or SDOT).
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod+bf16")

namespace flopscope::peak::cpu {

namespace {

// S.chains accumulators of S.lanes lanes (vector Acc of T), restarted from
// `start` every round, `step` applied kStepsPerRound times per round.
template <ChainShape S, typename T, typename Acc, class Load, class Store, class Step>
void run_dot_chains(int64_t thread, int64_t rounds, T* out, T (*start)(int64_t, int64_t, int64_t),
                    Load load, Store store, Step step) {
  alignas(16) T init[S.chains * S.lanes];
  for (int c = 0; c < S.chains; ++c)
    for (int l = 0; l < S.lanes; ++l) init[c * S.lanes + l] = start(thread, c, l);
  Acc acc[S.chains];
  for (int c = 0; c < S.chains; ++c) acc[c] = load(init + c * S.lanes);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
    for (int c = 0; c < S.chains; ++c) acc[c] = load(init + c * S.lanes);
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma GCC unroll 32
      for (int c = 0; c < S.chains; ++c) acc[c] = step(acc[c]);
    }
  }
#pragma GCC unroll 32
  for (int c = 0; c < S.chains; ++c) store(out + c * S.lanes, acc[c]);
}

}  // namespace

void chains_int8_neon(int64_t thread, int64_t rounds, int32_t* out) {
  int8_t a_bytes[16], b_bytes[16];
  for (int i = 0; i < 16; ++i) {
    a_bytes[i] = static_cast<int8_t>(narrow::kInt8A[i % 4]);
    b_bytes[i] = narrow::kInt8B[i % 4];
  }
  const int8x16_t a = vld1q_s8(a_bytes), b = vld1q_s8(b_bytes);
  run_dot_chains<kNeonInt8, int32_t, int32x4_t>(
      thread, rounds, out, narrow::int8_start_value, [](const int32_t* p) { return vld1q_s32(p); },
      [](int32_t* p, int32x4_t v) { vst1q_s32(p, v); },
      [a, b](int32x4_t x) { return vdotq_s32(x, a, b); });
}

void chains_bf16_neon(int64_t thread, int64_t rounds, float* out) {
  // The BF16 patterns go through a general register: GCC emits a splat of
  // 0x3F80 (1.0) as an FP16 FMOV, which needs FEAT_FP16 as well.
  auto pair = [](uint16_t v) {
    uint32_t bits = (uint32_t{v} << 16) | v;
    asm("" : "+r"(bits));
    return vdupq_n_u32(bits);
  };
  const bfloat16x8_t a = vreinterpretq_bf16_u32(pair(narrow::kBf16A));
  const bfloat16x8_t b = vreinterpretq_bf16_u32(pair(narrow::kBf16B));
  run_dot_chains<kNeonBf16, float, float32x4_t>(
      thread, rounds, out, narrow::bf16_start_value, [](const float* p) { return vld1q_f32(p); },
      [](float* p, float32x4_t v) { vst1q_f32(p, v); },
      [a, b](float32x4_t x) { return vbfdotq_f32(x, a, b); });
}

}  // namespace flopscope::peak::cpu

#pragma GCC pop_options

#else  // not aarch64: never selected (the ISA check says no).

namespace flopscope::peak::cpu {
void chains_int8_neon(int64_t, int64_t, int32_t*) {}
void chains_bf16_neon(int64_t, int64_t, float*) {}
}  // namespace flopscope::peak::cpu

#endif
