// flopscope's own packed GEMM with the NEON micro-kernels
// (kernels/gemm/cpu/own/own_microkernel_neon.cpp), built by the cross
// compiler and run under qemu by run-under-qemu.sh: every variant the
// (emulated) CPU lists, odd and non-square sizes, both layouts, transposed
// operands, beta 0 (C not read: it holds NaN) and not, one and three
// threads, each element against the long-double reference loop nest, and
// the padding of C untouched. qemu says nothing of speed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_gemm_reference.h"

namespace {

using namespace flopscope;
using namespace flopscope::gemm::own;

struct Shape {
  int64_t m, n, k;
};

// Each config's worst |C - reference| over the bound each element's k
// products allow (every input is in [-1, 1]): at most 1 when it is right.
// The reference (long double: software quad precision on aarch64, slow
// under qemu) is computed once per case and shared by the configs.
template <typename T>
void worst_errors(const std::vector<OwnGemmConfig>& cfgs, Layout layout, Trans ta, Trans tb,
                  Shape s, T beta, std::vector<double>& worst, bool corrupt = false) {
  const bool col = layout == Layout::col_major;
  const int64_t ar = ta == Trans::no ? s.m : s.k, ac = ta == Trans::no ? s.k : s.m;
  const int64_t br = tb == Trans::no ? s.k : s.n, bc = tb == Trans::no ? s.n : s.k;
  const int64_t lda = (col ? ar : ac) + 3, ldb = (col ? br : bc) + 1, ldc = (col ? s.m : s.n) + 2;
  std::mt19937_64 rng(static_cast<uint64_t>(s.m * 131 + s.n * 17 + s.k));
  std::uniform_real_distribution<double> u(-1, 1);
  auto fill = [&](int64_t count) {
    std::vector<T> v(static_cast<size_t>(count));
    for (auto& x : v) x = static_cast<T>(u(rng));
    return v;
  };
  const auto a = fill(lda * (col ? ac : ar)), b = fill(ldb * (col ? bc : br));
  // With beta == 0, C must not be read: it starts as NaN, which would show.
  auto c0 = fill(ldc * (col ? s.n : s.m));
  if (beta == T(0)) std::fill(c0.begin(), c0.end(), std::numeric_limits<T>::quiet_NaN());
  auto want = c0;
  const T alpha = T(0.75);
  reference_gemm(layout, ta, tb, s.m, s.n, s.k, alpha, a.data(), lda, b.data(), ldb, beta,
                 want.data(), ldc);
  const double eps = std::numeric_limits<T>::epsilon();
  const double bound = 2.0 * (s.k + 2) * eps * (std::fabs(alpha) * s.k + std::fabs(beta));
  for (size_t q = 0; q < cfgs.size(); ++q) {
    auto c = c0;
    own_gemm(layout, ta, tb, s.m, s.n, s.k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(),
             ldc, cfgs[q]);
    if (corrupt) c_element(layout, c.data(), ldc, s.m - 1, s.n - 1) += T(0.01);
    // The padding between the last row (column) and ldc is never written.
    const int64_t inner = col ? s.m : s.n, outer = col ? s.n : s.m;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = inner; i < ldc; ++i)
        if (std::memcmp(&c[o * ldc + i], &c0[o * ldc + i], sizeof(T)) != 0) worst[q] = INFINITY;
    for (int64_t j = 0; j < s.n; ++j)
      for (int64_t i = 0; i < s.m; ++i) {
        const double e = std::fabs(static_cast<double>(c_element(layout, c.data(), ldc, i, j)) -
                                   static_cast<double>(c_element(layout, want.data(), ldc, i, j))) /
                         bound;
        if (!(e <= worst[q])) worst[q] = std::isnan(e) ? INFINITY : e;
      }
  }
}

template <typename T>
bool check_precision(Precision p) {
  const auto variants = own_gemm_variants(cpu::detect_cpu_isa(), p);
  if (variants.empty()) {
    std::printf("%s: no own GEMM variant listed on this CPU\n", std::string(to_string(p)).c_str());
    return false;
  }
  // Blocks of two or three tiles (tiny problems cross every block boundary)
  // and the model's blocks for a Neoverse-like core, on one and three threads.
  std::vector<OwnGemmConfig> cfgs;
  for (const auto& v : variants)
    for (bool small_blocks : {true, false})
      for (int threads : {1, 3}) {
        OwnGemmConfig cfg;
        cfg.variant = v;
        cfg.blocking = small_blocks ? OwnGemmBlocking{2 * v.mr, 12, 3 * v.nr, "test"}
                                    : own_gemm_blocking(v, CacheSizes{64 << 10, 1 << 20, 32 << 20});
        cfg.pus.assign(static_cast<size_t>(threads), 0);
        cfgs.push_back(cfg);
      }
  std::vector<double> worst(cfgs.size(), 0.0), corrupted(cfgs.size(), 0.0);
  for (Shape s :
       {Shape{1, 1, 1}, Shape{7, 7, 7}, Shape{33, 33, 33}, Shape{37, 53, 29}, Shape{100, 90, 130}})
    for (Layout layout : {Layout::col_major, Layout::row_major})
      for (Trans ta : {Trans::no, Trans::yes})
        for (Trans tb : {Trans::no, Trans::yes})
          for (T beta : {T(0), T(-0.5)}) worst_errors<T>(cfgs, layout, ta, tb, s, beta, worst);
  // A wrong element must fail: the comparison above is not vacuous.
  worst_errors<T>(cfgs, Layout::col_major, Trans::no, Trans::no, Shape{37, 53, 29}, T(0), corrupted,
                  true);
  bool ok = true;
  for (size_t q = 0; q < cfgs.size(); ++q) {
    const bool pass = worst[q] <= 1.0 && corrupted[q] > 1.0;
    std::printf("%s: worst error %.3g of the bound, a corrupted element %.3g: %s\n",
                cfgs[q].implementation().c_str(), worst[q], corrupted[q], pass ? "ok" : "FAILED");
    ok &= pass;
  }
  return ok;
}

}  // namespace

int main() {
  const bool ok =
      check_precision<double>(Precision::fp64) & check_precision<float>(Precision::fp32);
  std::printf("%s\n", ok ? "own GEMM on NEON: all checks passed" : "own GEMM on NEON: FAILED");
  return ok ? 0 : 1;
}
