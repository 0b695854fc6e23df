// The reference loop nest: the definition the packed GEMM is tested against
// (stage one of the engine). Each element of op(A) and op(B) is addressed
// straight from the BLAS layout and transpose rules, independently of the
// packed engine's own mapping, and every dot product is summed in long
// double, so its error is far below the tolerance the engine is held to.
#pragma once

#include <cstdint>

#include "kernels/gemm/cpu/own/own_gemm.h"

namespace flopscope::gemm::own {

// Element (i, j) of op(X) where X is stored in `layout` with leading dimension ld.
template <typename T>
T op_element(Layout layout, Trans t, const T* x, int64_t ld, int64_t i, int64_t j) {
  const bool transposed = t == Trans::yes;
  const int64_t r = transposed ? j : i, c = transposed ? i : j;  // element (r, c) of X
  return layout == Layout::col_major ? x[r + c * ld] : x[r * ld + c];
}

// Element (i, j) of C, stored in `layout` with leading dimension ldc.
template <typename T>
T& c_element(Layout layout, T* c, int64_t ldc, int64_t i, int64_t j) {
  return layout == Layout::col_major ? c[i + j * ldc] : c[i * ldc + j];
}

// C = alpha op(A) op(B) + beta C, C not read when beta == 0.
template <typename T>
void reference_gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, T alpha,
                    const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) {
      long double dot = 0;
      for (int64_t p = 0; p < k; ++p)
        dot += static_cast<long double>(op_element(layout, ta, a, lda, i, p)) *
               static_cast<long double>(op_element(layout, tb, b, ldb, p, j));
      T& cij = c_element(layout, c, ldc, i, j);
      const long double scaled = static_cast<long double>(alpha) * dot;
      cij = static_cast<T>(beta == T(0) ? scaled : scaled + static_cast<long double>(beta) * cij);
    }
}

}  // namespace flopscope::gemm::own
