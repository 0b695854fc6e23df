// The CPU GEMM check, after the timed loop: column checksums of C (every
// element covered, O(mn + mk + kn)) and sampled elements against long-double
// dot products, each error normalised by the root sum of squares of the
// products behind it and held to gemm_spec.h's tolerance for the format.
#pragma once

#include <omp.h>

#include <cstdint>
#include <vector>

#include "harness/kernel_run.h"
#include "kernels/gemm/cpu/gemm_inputs.h"
#include "kernels/gemm/gemm_spec.h"

namespace flopscope::gemm::cpu {

inline long double value_of(double v) {
  return v;
}
inline long double value_of(float v) {
  return v;
}
inline long double value_of(Bf16 v) {
  return to_float(v);
}
inline long double value_of(Fp16 v) {
  return to_float(v);
}
inline long double value_of(uint8_t v) {
  return v;
}
inline long double value_of(int8_t v) {
  return v;
}
inline long double value_of(int32_t v) {
  return v;
}

// A rows x cols matrix stored column-major (BLAS) or row-major (oneDNN).
template <typename T>
struct MatrixView {
  const T* data = nullptr;
  int64_t rows = 0, cols = 0;
  bool column_major = true;
  long double at(int64_t i, int64_t j) const {
    return value_of(data[column_major ? i + j * rows : i * cols + j]);
  }
};

// out[j] = sum_i w[i] * g(M(i, j)), g the identity or the square; w may be
// null (all ones). Walks memory in order for either layout; OpenMP threads
// split the columns.
template <typename T>
void weighted_column_sums(const MatrixView<T>& m, const long double* w, bool square,
                          std::vector<long double>& out) {
  out.assign(static_cast<size_t>(m.cols), 0.0L);
  auto g = [square](long double x) { return square ? x * x : x; };
  // Threads only where the work outweighs waking them.
  const bool parallel = m.rows * m.cols >= (1 << 16);
  if (m.column_major) {
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t j = 0; j < m.cols; ++j) {
      const T* col = m.data + j * m.rows;
      long double s = 0;
      for (int64_t i = 0; i < m.rows; ++i) s += (w ? w[i] : 1.0L) * g(value_of(col[i]));
      out[static_cast<size_t>(j)] = s;
    }
    return;
  }
#pragma omp parallel if (parallel)
  {
    // Each thread owns a contiguous block of columns and walks every row.
    const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t j0 = m.cols * t / threads, j1 = m.cols * (t + 1) / threads;
    for (int64_t i = 0; i < m.rows; ++i) {
      const T* row = m.data + i * m.cols;
      const long double wi = w ? w[i] : 1.0L;
      for (int64_t j = j0; j < j1; ++j) out[static_cast<size_t>(j)] += wi * g(value_of(row[j]));
    }
  }
}

struct CheckSettings {
  ErrorModel error;
  uint64_t seed = 0;  // picks the sampled elements
  int samples = 128;  // besides the four corners
};

// The normalised error of one element: |c - a.b| / sqrt(sum (a_l b_l)^2).
template <typename TA, typename TB, typename TC>
double element_error(const MatrixView<TA>& a, const MatrixView<TB>& b, const MatrixView<TC>& c,
                     int64_t i, int64_t j);

// Column checksums plus sampled elements. Verification::tolerance is the
// column checksums' (the elements' differs only by the reference term).
template <typename TA, typename TB, typename TC>
Verification check_gemm(const MatrixView<TA>& a, const MatrixView<TB>& b, const MatrixView<TC>& c,
                        const CheckSettings& s);

}  // namespace flopscope::gemm::cpu

#include "kernels/gemm/cpu/gemm_verify_impl.h"
