// The peak kernel's spec, shared by every device: register-resident
// multiply-add chains x <- x*a + b, their FLOP count and their closed form.
//
// a = 1 - 2^-12 and b = 2^-12 are exact in every format down to FP16, keep
// every value near 1 (no overflow, no denormals) and make each chain converge
// slowly towards b/(1-a) = 1, so after `steps` steps a^steps is still far from
// zero and the result depends on every step having run.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define FLOPSCOPE_HOST_DEVICE __host__ __device__
#else
#define FLOPSCOPE_HOST_DEVICE
#endif

namespace flopscope::peak {

inline constexpr double kMultiplier = 1.0 - 1.0 / 4096.0;
inline constexpr double kAddend = 1.0 / 4096.0;
// Steps between re-initialisations of the accumulators: a^4096 ~ e^-1.
inline constexpr int kStepsPerRound = 4096;

// Starting value of lane `lane` of chain `chain` on thread `thread`: distinct
// per lane so a lane mix-up is caught, all in [0.5, 1.5).
FLOPSCOPE_HOST_DEVICE inline double start_value(int64_t thread, int64_t chain, int64_t lane) {
  uint64_t h =
      static_cast<uint64_t>(thread * 1000003 + chain * 1009 + lane) * 0x9E3779B97F4A7C15ull;
  return 0.5 + static_cast<double>(h >> 40) / static_cast<double>(1ull << 24);
}

// x after `steps` steps of x <- x*a + b from x0, in long double on the host.
inline long double closed_form(long double x0, int64_t steps) {
  const long double a = kMultiplier, b = kAddend;
  const long double f = b / (1.0L - a);
  return std::pow(a, static_cast<long double>(steps)) * (x0 - f) + f;
}

// A multiply-add is 2 FLOP.
inline double flop_count(int64_t threads, int64_t rounds, int64_t chains, int64_t lanes) {
  return 2.0 * static_cast<double>(threads) * static_cast<double>(rounds) * kStepsPerRound *
         static_cast<double>(chains) * static_cast<double>(lanes);
}

// Rounding errors are damped by a each step, so they sum to at most
// eps / (1 - a) = 4096 eps relative; twice that leaves room and still catches
// a wrong multiplier, a skipped step or a narrower format (BF16 in an FP32 chain).
inline double tolerance(double epsilon) {
  return 2.0 * 4096.0 * epsilon;
}

}  // namespace flopscope::peak

// Narrow chains: dot-product instructions that add into a wider accumulator,
// x <- x + sum_j a_j * b_j, with fixed operands chosen so every product and
// every partial sum is exact: the result after n steps is x0 + n * d exactly,
// so the check is an equality, and it depends on every step having run.
namespace flopscope::peak::narrow {

// vdpbf16ps (AVX512_BF16): each FP32 lane adds two BF16 products, 2
// multiplies + 2 adds = 4 FLOP per lane per instruction.
inline constexpr int kBf16FlopPerLane = 4;
// vpdpbusd (AVX512_VNNI, AVX-VNNI): each INT32 lane adds four u8 x s8
// products, 4 multiplies + 4 adds = 8 OP per lane per instruction.
inline constexpr int kInt8OpPerLane = 8;

// BF16 operands: pairs (1, 1) x (2^-14, 2^-14), as BF16 bit patterns; each
// step adds 2^-13. Start values are multiples of 2^-16 in [0.5, 1.5) and a
// round of 4096 steps adds 0.5, so every partial sum is a multiple of 2^-16
// below 4: exact in FP32 (24-bit significand), whatever the rounding mode or
// the order of the two adds.
inline constexpr uint16_t kBf16A = 0x3F80;  // 1.0
inline constexpr uint16_t kBf16B = 0x3880;  // 2^-14
inline constexpr double kBf16Increment = 2.0 / 16384.0;

// INT8 operands: u8 bytes (1, 2, 3, 4) and s8 bytes (1, -1, 1, 1); each step
// adds 1 - 2 + 3 + 4 = 6 (the negative product makes a signed/unsigned
// mix-up visible). Start values below 1.5e6: no overflow in 4096 steps.
inline constexpr uint8_t kInt8A[4] = {1, 2, 3, 4};
inline constexpr int8_t kInt8B[4] = {1, -1, 1, 1};
inline constexpr int32_t kInt8Increment = 6;

FLOPSCOPE_HOST_DEVICE inline float bf16_start_value(int64_t thread, int64_t chain, int64_t lane) {
  return static_cast<float>(
      static_cast<double>(static_cast<int64_t>(start_value(thread, chain, lane) * 65536.0)) /
      65536.0);
}
FLOPSCOPE_HOST_DEVICE inline int32_t int8_start_value(int64_t thread, int64_t chain, int64_t lane) {
  return static_cast<int32_t>(start_value(thread, chain, lane) * 1.0e6);
}

// Exact results after `steps` steps.
inline double bf16_closed_form(float x0, int64_t steps) {
  return static_cast<double>(x0) + static_cast<double>(steps) * kBf16Increment;
}
inline int64_t int8_closed_form(int32_t x0, int64_t steps) {
  return static_cast<int64_t>(x0) + steps * kInt8Increment;
}

// Operations per iteration of a chain kernel, as flop_count above.
inline double bf16_flop_count(int64_t threads, int64_t rounds, int64_t chains, int64_t lanes) {
  return static_cast<double>(kBf16FlopPerLane) * static_cast<double>(threads) *
         static_cast<double>(rounds) * kStepsPerRound * static_cast<double>(chains) *
         static_cast<double>(lanes);
}
inline double int8_op_count(int64_t threads, int64_t rounds, int64_t chains, int64_t lanes) {
  return static_cast<double>(kInt8OpPerLane) * static_cast<double>(threads) *
         static_cast<double>(rounds) * kStepsPerRound * static_cast<double>(chains) *
         static_cast<double>(lanes);
}

}  // namespace flopscope::peak::narrow
