// The FP16x2 chain: its constants and an exact host emulation of it.
//
// peak_spec.h's a = 1 - 2^-12 is not an FP16 number (below 1 FP16 steps by
// 2^-11), so the FP16 chain uses a = 1 - 2^-8, b = 2^-8 (same fixed point 1).
// Its rounding errors are too large for peak_spec's closed-form tolerance,
// so the check is exact instead: a fused multiply-add of FP16 values is exact
// in double (11-bit significands, exponents near 0), and one rounding to FP16
// then gives the device's result bit for bit.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::gpu {

inline constexpr double kHalfMultiplier = 1.0 - 1.0 / 256.0;
inline constexpr double kHalfAddend = 1.0 / 256.0;

// Start values of the FP16 chains: peak_spec's start_value cut to 10
// fraction bits, so that every one (in [0.5, 1.5)) is an FP16 number and the
// device's float -> half conversion is exact on CUDA and HIP alike (HIP 5.2
// has no __double2half, and double -> float -> half could round twice).
FLOPSCOPE_HOST_DEVICE inline float half_start_value(int64_t thread, int64_t chain, int64_t lane) {
  return static_cast<float>(
      static_cast<double>(static_cast<int64_t>(start_value(thread, chain, lane) * 1024.0)) /
      1024.0);
}

// Rounds to the nearest FP16 value, ties to even (normal range; values here
// are in [2^-8, 2)).
inline double round_to_half(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  int e = 0;
  std::frexp(v, &e);                           // v = m 2^e, 0.5 <= |m| < 1
  const double ulp = std::ldexp(1.0, e - 11);  // 11 significant bits
  return std::nearbyint(v / ulp) * ulp;        // default rounding: to nearest even
}

// The value of FP16 bits (lanes copied back from the device).
inline double half_bits_to_double(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
  double v;
  if (exponent == 0)
    v = std::ldexp(fraction, -24);
  else if (exponent == 31)
    v = fraction ? NAN : INFINITY;
  else
    v = std::ldexp(1024 + fraction, exponent - 25);
  return sign ? -v : v;
}

// x after `steps` steps of x <- fma(x, a, b) in FP16, from x0 (already FP16).
// Stops early at a fixed point: the map is deterministic.
inline double half_chain(double x0, int64_t steps) {
  const double a = round_to_half(kHalfMultiplier), b = round_to_half(kHalfAddend);
  double x = x0;
  for (int64_t s = 0; s < steps; ++s) {
    const double next = round_to_half(x * a + b);
    if (next == x) break;
    x = next;
  }
  return x;
}

}  // namespace flopscope::peak::gpu
