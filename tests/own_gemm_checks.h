// Helpers shared by the own GEMM tests (test_own_gemm.cpp,
// test_own_gemm_tiles.cpp): operands, configurations and the check of a
// product against the reference loop nest.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/thread_pinning.h"
#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_gemm_driver.h"
#include "kernels/gemm/cpu/own/own_gemm_reference.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own::testing {

using flopscope::cpu::allowed_pus;

template <typename T>
Precision precision_of() {
  return sizeof(T) == 8 ? Precision::fp64 : Precision::fp32;
}

template <typename T>
std::vector<OwnGemmVariant> runnable() {
  return own_gemm_variants(flopscope::cpu::detect_cpu_isa(), precision_of<T>());
}

// The blocking the cache sizes give, or (small) blocks of two or three tiles
// so that tiny problems cross every block boundary.
inline OwnGemmConfig config_for(const OwnGemmVariant& v, bool small_blocks, std::vector<int> pus) {
  OwnGemmConfig c;
  c.variant = v;
  c.blocking = small_blocks ? OwnGemmBlocking{2 * v.mr, 12, 3 * v.nr, "test"}
                            : own_gemm_blocking(v, CacheSizes{32 << 10, 512 << 10, 32 << 20});
  c.pus = std::move(pus);
  return c;
}

struct Shape {
  int64_t m, n, k;
};

template <typename T>
struct Case {
  Layout layout = Layout::col_major;
  Trans ta = Trans::no, tb = Trans::no;
  Shape s{};
  int64_t pad = 0;  // leading dimensions this much above the minimum
  T alpha = 1, beta = 0;
};

template <typename T>
struct Operands {
  std::vector<T> a, b, c;
  int64_t lda = 0, ldb = 0, ldc = 0;
};

template <typename T>
Operands<T> make_operands(const Case<T>& cs, uint64_t seed) {
  const bool col = cs.layout == Layout::col_major;
  // Rows x columns of each stored matrix.
  const int64_t a_rows = cs.ta == Trans::no ? cs.s.m : cs.s.k;
  const int64_t a_cols = cs.ta == Trans::no ? cs.s.k : cs.s.m;
  const int64_t b_rows = cs.tb == Trans::no ? cs.s.k : cs.s.n;
  const int64_t b_cols = cs.tb == Trans::no ? cs.s.n : cs.s.k;
  Operands<T> o;
  o.lda = (col ? a_rows : a_cols) + cs.pad;
  o.ldb = (col ? b_rows : b_cols) + cs.pad;
  o.ldc = (col ? cs.s.m : cs.s.n) + cs.pad;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  auto fill = [&](std::vector<T>& v, int64_t ld, int64_t outer) {
    v.resize(static_cast<size_t>(std::max<int64_t>(1, ld * outer)));
    for (auto& x : v) x = static_cast<T>(dist(rng));
  };
  fill(o.a, o.lda, col ? a_cols : a_rows);
  fill(o.b, o.ldb, col ? b_cols : b_rows);
  fill(o.c, o.ldc, col ? cs.s.n : cs.s.m);
  return o;
}

// Checks every element against the reference within the rounding error
// bound of a k-term dot product plus the alpha and beta steps (Higham's
// gamma_{k+3} times the magnitudes): a missing, doubled or misplaced term is
// far outside it.
// With column_step > 1 (column-major, B not transposed: a column of C
// needs only that column of B) every column_step-th column and the last are
// checked, so a large size stays quick.
// With a micro-kernel given, the product runs through the driver with it
// (own_gemm_with_micro_kernel) instead of the variant's own.
template <typename T>
void expect_matches_reference(const OwnGemmConfig& cfg, const Case<T>& cs, uint64_t seed,
                              int64_t column_step = 1, const MicroKernel<T>* kernel = nullptr) {
  Operands<T> o = make_operands(cs, seed);
  std::vector<T> want = o.c, got = o.c;
  std::vector<int64_t> columns;
  for (int64_t j = 0; j < cs.s.n; j += column_step) columns.push_back(j);
  if (column_step == 1) {
    reference_gemm<T>(cs.layout, cs.ta, cs.tb, cs.s.m, cs.s.n, cs.s.k, cs.alpha, o.a.data(), o.lda,
                      o.b.data(), o.ldb, cs.beta, want.data(), o.ldc);
  } else {
    ASSERT_TRUE(cs.layout == Layout::col_major && cs.tb == Trans::no);
    if (columns.back() != cs.s.n - 1) columns.push_back(cs.s.n - 1);
    for (int64_t j : columns)
      reference_gemm<T>(cs.layout, cs.ta, cs.tb, cs.s.m, 1, cs.s.k, cs.alpha, o.a.data(), o.lda,
                        o.b.data() + j * o.ldb, o.ldb, cs.beta, want.data() + j * o.ldc, o.ldc);
  }
  if (kernel)
    own_gemm_with_micro_kernel(cs.layout, cs.ta, cs.tb, cs.s.m, cs.s.n, cs.s.k, cs.alpha,
                               o.a.data(), o.lda, o.b.data(), o.ldb, cs.beta, got.data(), o.ldc,
                               *kernel, cfg.blocking, cfg.pus);
  else
    own_gemm(cs.layout, cs.ta, cs.tb, cs.s.m, cs.s.n, cs.s.k, cs.alpha, o.a.data(), o.lda,
             o.b.data(), o.ldb, cs.beta, got.data(), o.ldc, cfg);
  const double u = std::numeric_limits<T>::epsilon() / 2;
  const double gamma = (cs.s.k + 3) * u / (1 - (cs.s.k + 3) * u);
  int failures = 0;
  for (int64_t j : columns)
    for (int64_t i = 0; i < cs.s.m && failures < 5; ++i) {
      double magnitude = 0;
      for (int64_t p = 0; p < cs.s.k; ++p)
        magnitude +=
            std::fabs(static_cast<double>(op_element(cs.layout, cs.ta, o.a.data(), o.lda, i, p)) *
                      static_cast<double>(op_element(cs.layout, cs.tb, o.b.data(), o.ldb, p, j)));
      magnitude = std::fabs(static_cast<double>(cs.alpha)) * magnitude +
                  std::fabs(static_cast<double>(cs.beta) *
                            static_cast<double>(c_element(cs.layout, o.c.data(), o.ldc, i, j)));
      const double w = c_element(cs.layout, want.data(), o.ldc, i, j);
      const double g = c_element(cs.layout, got.data(), o.ldc, i, j);
      if (!(std::fabs(g - w) <= 2 * gamma * magnitude + std::numeric_limits<T>::min())) {
        ++failures;
        ADD_FAILURE() << cfg.implementation() << " " << cs.s.m << "x" << cs.s.n << "x" << cs.s.k
                      << (cs.layout == Layout::col_major ? " col" : " row")
                      << (cs.ta == Trans::yes ? " At" : "") << (cs.tb == Trans::yes ? " Bt" : "")
                      << " C(" << i << "," << j << ") = " << g << ", reference " << w << ", bound "
                      << 2 * gamma * magnitude;
      }
    }
  // Padding between columns (rows) of C is never written.
  const bool col = cs.layout == Layout::col_major;
  const int64_t inner = col ? cs.s.m : cs.s.n, outer = col ? cs.s.n : cs.s.m;
  for (int64_t o2 = 0; o2 < outer; ++o2)
    for (int64_t x = inner; x < o.ldc; ++x) {
      const size_t at = static_cast<size_t>(x + o2 * o.ldc);
      ASSERT_EQ(got[at], o.c[at]) << "padding of C written at " << at;
    }
}

}  // namespace flopscope::gemm::own::testing
