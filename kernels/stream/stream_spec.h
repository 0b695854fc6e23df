// The stream kernel's spec, shared by every device: copy (a = b) and triad
// (a = b + s*c) over arrays far larger than the last-level cache, for the
// bandwidth side of the roofline.
#pragma once

#include <cstdint>

#ifndef FLOPSCOPE_HOST_DEVICE
#if defined(__CUDACC__) || defined(__HIPCC__)
#define FLOPSCOPE_HOST_DEVICE __host__ __device__
#else
#define FLOPSCOPE_HOST_DEVICE
#endif
#endif

namespace flopscope::stream {

enum class Op { copy, triad };

// The variant names in results ("copy", "triad").
inline const char* variant_name(Op op) {
  return op == Op::copy ? "copy" : "triad";
}

// Triad is one multiply and one add per element; copy moves data only.
FLOPSCOPE_HOST_DEVICE constexpr int flop_per_element(Op op) {
  return op == Op::copy ? 0 : 2;
}

// Compulsory traffic per element: every array read or written once (copy:
// read b, write a; triad: read b and c, write a). A write-allocate read of a
// is not compulsory: streaming stores avoid it.
FLOPSCOPE_HOST_DEVICE constexpr int bytes_per_element(Op op, int element_bytes) {
  return (op == Op::copy ? 2 : 3) * element_bytes;
}

// The triad's scalar: a power of two, so s*c is exact and a = b + s*c has a
// single rounding whether or not the device fuses it.
inline constexpr double kTriadScalar = 2.0;

// A seeded pseudo-random value in [0, 1) for element `index` (splitmix64):
// the same on every device and whatever the split among threads. The
// stencil seeds its grid with it too.
FLOPSCOPE_HOST_DEVICE inline double seeded_unit_value(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

// Inputs: b in [1, 2), c in [0, 1), from their own seeds. a starts at zero
// so a kernel that never wrote it fails the check.
FLOPSCOPE_HOST_DEVICE inline double input_b(uint64_t seed, uint64_t i) {
  return 1.0 + seeded_unit_value(seed, i);
}
FLOPSCOPE_HOST_DEVICE inline double input_c(uint64_t seed, uint64_t i) {
  return seeded_unit_value(seed ^ 0x5DEECE66Dull, i);
}

// Largest allowed relative error of an element: copy is exact; triad
// rounds once (b >= 1 and s*c >= 0, so no cancellation), 2 eps leaves room
// and still fails a narrower format.
inline double tolerance(Op op, double epsilon) {
  return op == Op::copy ? 0.0 : 2.0 * epsilon;
}

}  // namespace flopscope::stream
