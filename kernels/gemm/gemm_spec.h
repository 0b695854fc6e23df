// The GEMM spec shared by every device: C = op(A) op(B), m x n x k, its FLOP
// count and the tolerance of its checks, from an error model of the format.
//
// Checks compare C against a reference normalised by the root sum of squares
// of the products that make it up, sqrt(sum_l (a_il b_lj)^2) (for a column
// checksum, summed over the column's rows too). Rounding errors are close to
// independent, so the normalised error is about one unit roundoff of whatever
// rounded: the inputs (TF32 rounds FP32 inputs), the accumulation (about
// sqrt(k) roundings deep) and the stored output. That keeps the FP32 check
// near 1e-5 at k = 8192 while TF32 arithmetic errs by about 1e-3, so TF32
// passed off as FP32 fails the check.
#pragma once

#include <cmath>
#include <cstdint>

namespace flopscope::gemm {

// A multiply-add is 2 FLOP (2 OP for integers).
inline double flop_count(int64_t m, int64_t n, int64_t k) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
}

// Compulsory traffic of one C = A*B with beta = 0: A and B read once, C
// written once (never read).
inline double compulsory_bytes(int64_t m, int64_t n, int64_t k, int input_bytes, int output_bytes) {
  const double mm = static_cast<double>(m), nn = static_cast<double>(n),
               kk = static_cast<double>(k);
  return input_bytes * (mm * kk + kk * nn) + output_bytes * mm * nn;
}

// Unit roundoffs (half an ulp at 1: 2^-53 for FP64) of each rounding step;
// 0 where the step is exact. An integer GEMM is exact: every field 0.
struct ErrorModel {
  double input = 0;       // rounding of each input before multiplying
  double accumulate = 0;  // each addition of the dot product
  double output = 0;      // storing C
  double reference = 0;   // the check's own arithmetic (FP64 sums)
};

// Independent errors of thousands of terms: a normalised error is rarely
// above 4-5 standard deviations over every column of a large matrix.
inline constexpr double kSafetyFactor = 8.0;

// Allowed normalised error of a column checksum (or one sampled element) of
// a GEMM with inner dimension k whose checksum sums n_sum elements.
inline double tolerance(const ErrorModel& e, int64_t k, int64_t n_sum) {
  const double kk = static_cast<double>(k), nn = static_cast<double>(n_sum);
  return kSafetyFactor * (2.0 * e.input + e.accumulate * std::sqrt(kk) + e.output +
                          e.reference * (std::sqrt(kk) + std::sqrt(nn)));
}

}  // namespace flopscope::gemm
