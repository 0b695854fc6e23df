// Per-ISA FMA chain kernels for the CPU. Each runs on the calling thread:
// `rounds` rounds of kStepsPerRound dependent steps on `chains` independent
// vector accumulators, and writes the last round's accumulators to `out`
// (chains x lanes values), starting from peak::start_value(thread, ...).
#pragma once

#include <cstdint>

namespace flopscope::peak::cpu {

struct ChainShape {
  int chains;  // independent accumulators: >= FMA latency x FMA pipes
  int lanes;   // elements per vector register
};

// AVX-512: 32 zmm registers; 24 accumulators cover latency 4 x 2 pipes three
// times over and leave registers for a and b.
inline constexpr ChainShape kAvx512Fp64{24, 8};
inline constexpr ChainShape kAvx512Fp32{24, 16};
// AVX2: 16 ymm registers; 12 accumulators cover latency 5 x 2 pipes (Haswell)
// and 4 x 2 (Zen 2/3) with a and b held in two more.
inline constexpr ChainShape kAvx2Fp64{12, 4};
inline constexpr ChainShape kAvx2Fp32{12, 8};
// NEON (aarch64): 32 q registers; 24 accumulators cover latency 4 x up to 6
// pipes of 128 bits (Neoverse V2 and Grace have 4, Cortex-X925 6) with a and
// b held in two more.
inline constexpr ChainShape kNeonFp64{24, 2};
inline constexpr ChainShape kNeonFp32{24, 4};
// Portable fallback: plain std::fma on scalars (what any ISA can do; its
// name says it is not a vector peak).
inline constexpr ChainShape kScalarFp64{8, 1};
inline constexpr ChainShape kScalarFp32{8, 1};

void chains_fp64_avx512(int64_t thread, int64_t rounds, double* out);
void chains_fp32_avx512(int64_t thread, int64_t rounds, float* out);
void chains_fp64_avx2(int64_t thread, int64_t rounds, double* out);
void chains_fp32_avx2(int64_t thread, int64_t rounds, float* out);
void chains_fp64_neon(int64_t thread, int64_t rounds, double* out);
void chains_fp32_neon(int64_t thread, int64_t rounds, float* out);
void chains_fp64_scalar(int64_t thread, int64_t rounds, double* out);
void chains_fp32_scalar(int64_t thread, int64_t rounds, float* out);

}  // namespace flopscope::peak::cpu
