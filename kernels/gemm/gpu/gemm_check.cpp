#include "kernels/gemm/gpu/gemm_check.h"

#include <cmath>
#include <limits>
#include <string>

namespace flopscope::gemm::gpu {

Verification compare_column_checksums(const std::vector<double>& got,
                                      const std::vector<double>& want,
                                      const std::vector<double>& sum_sq, double tolerance) {
  Verification v;
  v.tolerance = tolerance;
  if (got.size() != want.size() || got.size() != sum_sq.size() || got.empty()) {
    v.checked = false;
    v.detail = "checksum vectors of different lengths";
    return v;
  }
  v.checked = true;
  int64_t bad = 0, worst = -1;
  for (size_t j = 0; j < got.size(); ++j) {
    const double diff = std::fabs(got[j] - want[j]);
    const double scale = std::sqrt(sum_sq[j]);
    double e =
        scale > 0 ? diff / scale : (diff == 0 ? 0.0 : std::numeric_limits<double>::infinity());
    if (std::isnan(e) || std::isnan(got[j])) e = std::numeric_limits<double>::infinity();
    if (!(e <= tolerance)) ++bad;
    if (worst < 0 || e > v.max_error) {
      v.max_error = e;
      worst = static_cast<int64_t>(j);
    }
  }
  v.passed = bad == 0;
  v.detail = std::string("column checksums of all ").append(std::to_string(got.size())) +
             " columns (every element of C) against (e^T op(A)) B in FP64";
  if (bad > 0)
    v.detail += std::string(": ").append(std::to_string(bad)) +
                std::string(" columns off, worst column ").append(std::to_string(worst));
  return v;
}

double element_error(const double* a, const double* b, int64_t k, double c) {
  long double dot = 0, sq = 0;
  for (int64_t l = 0; l < k; ++l) {
    const long double p = static_cast<long double>(a[l]) * b[l];
    dot += p;
    sq += p * p;
  }
  const long double diff = std::fabs(static_cast<long double>(c) - dot);
  if (std::isnan(c)) return std::numeric_limits<double>::infinity();
  if (sq == 0) return diff == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return static_cast<double>(diff / std::sqrt(sq));
}

void add_sampled_elements(Verification& v, const std::vector<double>& errors, double tolerance) {
  int bad = 0;
  for (double e : errors) {
    if (!(e <= tolerance)) ++bad;
    if (e > v.max_error || std::isnan(e)) v.max_error = std::isnan(e) ? INFINITY : e;
  }
  v.detail += std::string("; ").append(std::to_string(errors.size())) +
              " sampled elements against long-double dot products";
  if (bad) {
    v.passed = false;
    v.detail += std::string(": ").append(std::to_string(bad)) + " off";
  }
}

}  // namespace flopscope::gemm::gpu
