// Narrow dot-product chain kernels for the CPU (BF16 into FP32, INT8 into
// INT32). Each runs on the calling thread: `rounds` rounds of
// kStepsPerRound dependent steps on `chains` independent vector
// accumulators, starting from narrow::*_start_value(thread, ...), and writes
// the last round's accumulators to `out` (chains x lanes values).
#pragma once

#include <cstdint>

#include "kernels/peak/cpu/peak_chains.h"

namespace flopscope::peak::cpu {

// 32 zmm registers: 24 accumulators cover a latency of 6 on 2 pipes twice
// over and leave registers for the operands.
inline constexpr ChainShape kAvx512Bf16{24, 16};
inline constexpr ChainShape kAvx512Int8{24, 16};
// 16 ymm registers (AVX-VNNI without AVX-512): 12 accumulators.
inline constexpr ChainShape kAvxVnniInt8{12, 8};
// 32 NEON q registers: 24 accumulators cover latency 3-4 x up to 6 pipes
// (SDOT), and BFDOT's latency of 4-5 on up to 4 pipes.
inline constexpr ChainShape kNeonInt8{24, 4};
inline constexpr ChainShape kNeonBf16{24, 4};

void chains_bf16_avx512(int64_t thread, int64_t rounds, float* out);     // AVX512_BF16
void chains_int8_avx512(int64_t thread, int64_t rounds, int32_t* out);   // AVX512_VNNI
void chains_int8_avxvnni(int64_t thread, int64_t rounds, int32_t* out);  // AVX-VNNI
void chains_int8_neon(int64_t thread, int64_t rounds, int32_t* out);     // Arm SDOT
void chains_bf16_neon(int64_t thread, int64_t rounds, float* out);       // Arm BFDOT

// Host emulations of the same chains, step by step with the instructions'
// arithmetic in scalar code: they let tests check the closed form, the
// counts and the check on machines without the instructions. Never a
// measurement: the registry cannot select them.
void chains_bf16_emulated(int64_t thread, int64_t rounds, float* out, ChainShape shape);
void chains_int8_emulated(int64_t thread, int64_t rounds, int32_t* out, ChainShape shape);

}  // namespace flopscope::peak::cpu
