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
