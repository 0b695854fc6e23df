// The own GEMM's lookahead (own_lookahead.h): the lines each micro-kernel
// call asks the caches for on behalf of the calls after it. Prefetches are
// hints and never change a result, so the GEMM tests cannot see them; a
// wrong one costs a C tile's worth of misses on every call. Here the
// emulated micro-kernel records every line it asks for, and the driver's
// calls are recorded with their Lookahead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_gemm_driver.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"
#include "kernels/gemm/cpu/own/own_microkernel_body.h"
#include "tests/own_gemm_emulated.h"

namespace {

using namespace flopscope::gemm::own;
using namespace flopscope::gemm::own::testing;

// Emulated vectors whose prefetch records the 64-byte line it asks for.
std::set<uintptr_t> requested_lines;
template <typename T, int L>
struct Recording : Emulated<T, L> {
  static void prefetch(const T* p) { requested_lines.insert(reinterpret_cast<uintptr_t>(p) / 64); }
};

template <typename T>
T* align64(T* p) {
  return reinterpret_cast<T*>((reinterpret_cast<uintptr_t>(p) + 63) / 64 * 64);
}

template <typename T>
std::set<uintptr_t> lines_of(const T* from, const T* to) {
  std::set<uintptr_t> out;
  for (const T* p = from; p < to; ++p) out.insert(reinterpret_cast<uintptr_t>(p) / 64);
  return out;
}

// Whatever the k (shorter or longer than the spread), the tile's column
// distance (not the call's own: an edge tile's call writes a scratch tile)
// and where its columns and the B slice start within a line, a call asks
// for exactly the lines of the next tile and of its B slice, and for
// nothing when given nothing.
template <typename T, int L, int MV, int NR>
void check_call_lines() {
  constexpr int MR = MV * L;
  const int64_t next_ldc = 3 * MR + 5;  // columns start at every offset within a line
  std::vector<T> a(256 * MR + 64, T(1)), b(256 * NR + 64, T(1)), c(MR * NR);
  std::vector<T> next_c(next_ldc * NR + 64), next_b(4096);
  T* const a0 = align64(a.data());
  T* const b0 = align64(b.data());
  for (int64_t k : {1, 3, 4, 17, 256})
    for (int offset : {0, 1, 5}) {
      const T* tile = align64(next_c.data()) + offset;
      const T* slice = align64(next_b.data()) + offset;
      const Lookahead<T> ahead{tile, next_ldc, slice, slice + 40 * kPerLine<T> + offset};
      std::set<uintptr_t> want = lines_of(ahead.b_from, ahead.b_to);
      for (int j = 0; j < NR; ++j)
        want.merge(lines_of(tile + j * next_ldc, tile + j * next_ldc + MR));

      requested_lines.clear();
      micro_kernel_body<Recording<T, L>, MV, NR>(k, a0, b0, T(1), T(0), c.data(), MR, ahead);
      EXPECT_EQ(requested_lines, want) << MR << "x" << NR << " k=" << k << " offset=" << offset;

      requested_lines.clear();
      micro_kernel_body<Recording<T, L>, MV, NR>(k, a0, b0, T(1), T(0), c.data(), MR, {});
      EXPECT_TRUE(requested_lines.empty()) << MR << "x" << NR << " k=" << k;
    }
}

// Every tile the ISA files carry (the kTwins of test_own_gemm_tiles.cpp).
TEST(OwnGemmLookahead, ACallAsksForExactlyTheNextTileAndItsBSlice) {
  check_call_lines<double, 4, 2, 6>();   // AVX2 8x6
  check_call_lines<float, 8, 2, 6>();    // AVX2 16x6
  check_call_lines<double, 8, 3, 8>();   // AVX-512 24x8
  check_call_lines<float, 16, 3, 8>();   // AVX-512 48x8
  check_call_lines<double, 8, 2, 14>();  // AVX-512 16x14
  check_call_lines<float, 16, 2, 14>();  // AVX-512 32x14
  check_call_lines<double, 2, 4, 6>();   // NEON 8x6
  check_call_lines<float, 4, 4, 6>();    // NEON 16x6
}

// One micro-kernel call as the driver made it.
struct Call {
  int64_t k;
  const double* b;
  const double* c;  // C itself, or edge_tile's scratch tile
  Lookahead<double> ahead;
};
std::vector<Call> calls;

constexpr int kMr = 24, kNr = 8;
void recording_kernel(int64_t k, const double* a, const double* b, double alpha, double beta,
                      double* c, int64_t ldc, const Lookahead<double>& ahead) {
  calls.push_back({k, b, c, ahead});
  micro_kernel_body<Emulated<double, 8>, 3, kNr>(k, a, b, alpha, beta, c, ldc, ahead);
}

// Through the whole driver, on one thread (so the calls are in order), with
// edge tiles on both sides and several blocks, chunks and pc steps: a call
// names the tile the next call updates, with C's ldc, when that is a whole
// tile of C, and no tile before an edge tile's call; and the calls on a B
// micro-panel share out the next one in the same chunk between them, in
// order and all of it.
TEST(OwnGemmLookahead, TheDriverNamesEachCallsSuccessorAndSharesOutTheNextPanel) {
  const int64_t m = 4 * kMr + 5, n = 9 * kNr + 3, k = 150, ldc = m + 3;
  std::vector<double> a(m * k, 0.5), b(k * n, 0.25), c(ldc * n, 1.0);
  OwnGemmBlocking blocking;
  blocking.mc = 3 * kMr;
  blocking.kc = 64;
  blocking.nc = 16 * kNr;  // 10 panels in 4 chunks: most chunks hold a next panel
  calls.clear();
  own_gemm_with_micro_kernel<double>(Layout::col_major, Trans::no, Trans::no, m, n, k, 1.0,
                                     a.data(), m, b.data(), k, 1.0, c.data(), ldc,
                                     {kMr, kNr, &recording_kernel}, blocking, {});
  ASSERT_GT(calls.size(), 100u);

  auto in_c = [&](const double* p) { return p >= c.data() && p < c.data() + ldc * n; };
  int named = 0;
  for (size_t t = 0; t < calls.size(); ++t) {
    const Lookahead<double>& ahead = calls[t].ahead;
    if (!ahead.next_c) continue;
    ++named;
    ASSERT_TRUE(in_c(ahead.next_c)) << "call " << t;
    const int64_t at = ahead.next_c - c.data(), row = at % ldc, col = at / ldc;
    EXPECT_EQ(ahead.ldc, ldc) << "call " << t;
    EXPECT_LE(row + kMr, m) << "call " << t << " names an edge tile";
    EXPECT_LE(col + kNr, n) << "call " << t << " names an edge tile";
    ASSERT_LT(t + 1, calls.size()) << "the last call names a successor";
    EXPECT_EQ(calls[t + 1].c, ahead.next_c) << "call " << t;
  }
  for (size_t t = 0; t + 1 < calls.size(); ++t)
    if (!in_c(calls[t + 1].c)) {
      EXPECT_EQ(calls[t].ahead.next_c, nullptr) << "call " << t;
    }
  EXPECT_GT(named, static_cast<int>(calls.size()) / 2);

  // The calls on one B micro-panel, run by run: their slices, in order,
  // tile the next panel exactly, or are all empty when the chunk ends there.
  int shared = 0;
  for (size_t t = 0; t < calls.size();) {
    size_t end = t;
    while (end < calls.size() && calls[end].b == calls[t].b) ++end;
    const double* next = calls[t].b + calls[t].k * kNr;
    const double* at = next;
    bool any = false;
    for (size_t u = t; u < end; ++u) {
      const Lookahead<double>& ahead = calls[u].ahead;
      if (ahead.b_from == ahead.b_to) continue;
      any = true;
      EXPECT_EQ(ahead.b_from, at) << "call " << u;
      at = ahead.b_to;
    }
    if (any) {
      ++shared;
      EXPECT_EQ(at, next + calls[t].k * kNr) << "calls " << t << "-" << end;
      ASSERT_LT(end, calls.size());
      EXPECT_EQ(calls[end].b, next) << "the next panel in the chunk";
    }
    t = end;
  }
  EXPECT_GT(shared, 4);
}

}  // namespace
