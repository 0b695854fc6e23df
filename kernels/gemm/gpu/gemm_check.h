// Host side of every GPU GEMM check, CUDA and HIP (pure, unit-tested):
// column checksums of C against the reference sums, and sampled elements
// against long-double dot products of the copied-back row of op(A) and
// column of B.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/kernel_run.h"

namespace flopscope::gemm::gpu {

// got[j] = sum_i C[i, j]; want[j] = (e^T op(A)) B[:, j]; sum_sq[j] = the sum
// of the squared products behind column j, which normalises the error.
// A NaN anywhere fails. Fills max_error, tolerance, passed and detail.
Verification compare_column_checksums(const std::vector<double>& got,
                                      const std::vector<double>& want,
                                      const std::vector<double>& sum_sq, double tolerance);

// One sampled element: its normalised error |c - sum_l a_l b_l| /
// sqrt(sum_l (a_l b_l)^2), in long double. +inf for a NaN or a zero scale
// with a nonzero difference.
double element_error(const double* a, const double* b, int64_t k, double c);

// Folds sampled element errors into a checksum verification.
void add_sampled_elements(Verification& v, const std::vector<double>& errors, double tolerance);

}  // namespace flopscope::gemm::gpu
