// The FFT spec shared by every device: batched complex-to-complex forward
// transforms, their FLOP count (the benchFFT convention), their compulsory
// bytes, and the tolerance of their checks.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace flopscope::fft {

// 5 N log2(N) FLOP per complex transform of N points (N the product of the
// dimensions), whatever the algorithm really executes: the convention that
// makes FFT rates comparable across libraries.
inline double flop_count(double points, int64_t batch) {
  return 5.0 * points * std::log2(points) * static_cast<double>(batch);
}

// One read and one write of the complex data; real transforms would count
// 2.5 N log2(N) FLOP and their own sizes.
inline double compulsory_bytes(double points, int64_t batch, int complex_bytes) {
  return 2.0 * points * static_cast<double>(batch) * complex_bytes;
}

// Allowed error, normalised: a round-tripped element's against the RMS of
// the input, a checked bin's against the 2-norm of its transform's input.
// The normwise error of a Cooley-Tukey FFT grows at most like log2(N) units
// of rounding (Higham, "Accuracy and Stability of Numerical Algorithms",
// 24.1); random data stays near sqrt(log2 N), so 4 log2(N) epsilons leave
// room for the largest of millions of elements and a round trip's two
// transforms, and still fail an FP32 transform computed in a narrower format.
inline double tolerance(double epsilon, double points) {
  return 4.0 * epsilon * std::max(1.0, std::log2(points));
}

}  // namespace flopscope::fft
