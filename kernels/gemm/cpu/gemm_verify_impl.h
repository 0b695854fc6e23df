// Template bodies of gemm_verify.h.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace flopscope::gemm::cpu {

template <typename TA, typename TB, typename TC>
double element_error(const MatrixView<TA>& a, const MatrixView<TB>& b, const MatrixView<TC>& c,
                     int64_t i, int64_t j) {
  long double dot = 0, sq = 0;
  for (int64_t l = 0; l < a.cols; ++l) {
    const long double p = a.at(i, l) * b.at(l, j);
    dot += p;
    sq += p * p;
  }
  const long double got = c.at(i, j);
  if (std::isnan(got)) return std::numeric_limits<double>::infinity();
  const long double diff = std::fabs(got - dot);
  if (sq == 0) return diff == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return static_cast<double>(diff / std::sqrt(sq));
}

template <typename TA, typename TB, typename TC>
Verification check_gemm(const MatrixView<TA>& a, const MatrixView<TB>& b, const MatrixView<TC>& c,
                        const CheckSettings& s) {
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  Verification v;
  v.checked = true;
  v.tolerance = tolerance(s.error, k, m);

  // e^T A and e^T (A o A), then (e^T A) B, (e^T (A o A)) (B o B) and e^T C.
  std::vector<long double> a_sum, a_sq, want, scale_sq, got;
  weighted_column_sums(a, nullptr, false, a_sum);
  weighted_column_sums(a, nullptr, true, a_sq);
  weighted_column_sums(b, a_sum.data(), false, want);
  weighted_column_sums(b, a_sq.data(), true, scale_sq);
  weighted_column_sums(c, nullptr, false, got);

  int64_t bad_columns = 0, worst_column = -1;
  double worst = 0;
  for (int64_t j = 0; j < n; ++j) {
    const size_t jj = static_cast<size_t>(j);
    const long double diff = std::fabs(got[jj] - want[jj]);
    double e;
    if (std::isnan(got[jj]))
      e = std::numeric_limits<double>::infinity();
    else if (scale_sq[jj] > 0)
      e = static_cast<double>(diff / std::sqrt(scale_sq[jj]));
    else
      e = diff == 0 ? 0.0 : std::numeric_limits<double>::infinity();
    if (!(e <= v.tolerance)) ++bad_columns;
    if (worst_column < 0 || e > worst) {
      worst = e;
      worst_column = j;
    }
  }
  v.max_error = worst;
  v.detail = "column checksums of all " + std::to_string(n) +
             " columns (every element of C) against (e^T A) B in long double";
  if (bad_columns > 0)
    v.detail += ": " + std::to_string(bad_columns) + " columns off, worst column " +
                std::to_string(worst_column);

  // Sampled elements: the corners, then pseudo-random positions.
  const double element_tolerance = tolerance(s.error, k, 1);
  std::vector<std::pair<int64_t, int64_t>> where = {{0, 0}, {m - 1, 0}, {0, n - 1}, {m - 1, n - 1}};
  for (int t = 0; t < s.samples; ++t) {
    const uint64_t h = input_bits(s.seed, Operand::a, 0xC0FFEEull + static_cast<uint64_t>(t));
    where.emplace_back(static_cast<int64_t>((h >> 32) % static_cast<uint64_t>(m)),
                       static_cast<int64_t>((h & 0xFFFFFFFFull) % static_cast<uint64_t>(n)));
  }
  int bad_elements = 0;
  for (const auto& [i, j] : where) {
    const double e = element_error(a, b, c, i, j);
    if (!(e <= element_tolerance)) ++bad_elements;
    if (std::isnan(e) || e > v.max_error) v.max_error = std::isnan(e) ? INFINITY : e;
  }
  v.detail +=
      "; " + std::to_string(where.size()) + " sampled elements against long-double dot products";
  if (bad_elements > 0) v.detail += ": " + std::to_string(bad_elements) + " off";
  v.passed = bad_columns == 0 && bad_elements == 0;
  return v;
}

}  // namespace flopscope::gemm::cpu
