// The sweep loop nest with register shifts (sweep_row_shifted in
// stencil_sweep_body.h) over a policy of emulated line-wide vectors, so the
// splicing of x neighbours, the row ends and the prefetch plan are checked on
// any machine, not only on an AVX-512 one. The AVX-512 file's own
// valignq/valignd shifts are checked by test_stencil_cpu where the CPU has
// AVX-512.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "kernels/stencil/cpu/stencil_grid.h"
#include "kernels/stencil/cpu/stencil_sweeps.h"
#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::cpu {
namespace {

// A vector of `Bytes` of T (a 64-byte line, or half of one as AVX2's), with
// every operation the sweep asks of a policy; shifted<D> splices in plain
// C++ what valignq or vperm2f128 + vshufpd do.
template <typename Scalar, int Bytes = 64>
struct LineLanes {
  using T = Scalar;
  static constexpr int W = static_cast<int>(Bytes / sizeof(T));
  using V = std::array<T, W>;
  static inline int misaligned = 0;

  static V set1(T a) {
    V v;
    v.fill(a);
    return v;
  }
  static V loadu(const T* p) {
    V v;
    for (int i = 0; i < W; ++i) v[i] = p[i];
    return v;
  }
  static V load(const T* p) {
    misaligned += reinterpret_cast<uintptr_t>(p) % Bytes != 0;
    return loadu(p);
  }
  template <typename F>
  static V each(F f) {
    V v;
    for (int i = 0; i < W; ++i) v[i] = f(i);
    return v;
  }
  static V add(V a, V b) {
    return each([&](int i) { return a[i] + b[i]; });
  }
  static V mul(V a, V b) {
    return each([&](int i) { return a[i] * b[i]; });
  }
  static V madd(V a, V b, V c) {
    return each([&](int i) { return a[i] * b[i] + c[i]; });
  }
  static void store(T* p, V v) {
    misaligned += reinterpret_cast<uintptr_t>(p) % Bytes != 0;
    for (int i = 0; i < W; ++i) p[i] = v[i];
  }
  static void stream(T* p, V v) { store(p, v); }
  static void fence() {}
  static void prefetch(const T*) {}
  template <int D>
  static V shifted(V prev, V cur, V next) {
    return each([&](int i) {
      const int j = i + D;
      return j < 0 ? prev[j + W] : j >= W ? next[j - W] : cur[j];
    });
  }
};

#include "kernels/stencil/cpu/stencil_sweep_body.h"

static_assert(HasShifts<LineLanes<double>> && HasShifts<LineLanes<float, 32>>);

// 64-byte aligned storage for a grid.
template <typename T>
struct AlignedGrid {
  std::vector<T> storage;
  T* data;
  explicit AlignedGrid(int64_t elements) : storage(static_cast<size_t>(elements) + 64 / sizeof(T)) {
    auto p = reinterpret_cast<uintptr_t>(storage.data());
    data = storage.data() + (64 - p % 64) % 64 / sizeof(T);
  }
};

template <typename T, int R, int Bytes>
void expect_sweep_matches_reference(int64_t nx, int64_t ny, int64_t nz, int64_t block_rows) {
  using Lanes = LineLanes<T, Bytes>;
  SCOPED_TRACE(std::to_string(nx) + "x" + std::to_string(ny) + "x" + std::to_string(nz) + " rows " +
               std::to_string(block_rows) + " R " + std::to_string(R) + " " +
               (sizeof(T) == 8 ? "fp64" : "fp32"));
  const GridLayout g = make_layout(nx, ny, nz, R, static_cast<int>(sizeof(T)));
  AlignedGrid<T> in(g.elements), out(g.elements);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int64_t i = 0; i < g.elements; ++i) {
    in.data[i] = static_cast<T>(unit(rng));
    out.data[i] = T(-1);
  }
  T weights[R + 1];
  for (int r = 0; r <= R; ++r) weights[r] = static_cast<T>(weight(R, r));
  SweepTask<T> t;
  t.grid = g;
  t.in = in.data;
  t.out = out.data;
  t.weights = weights;
  t.z0 = 0;
  t.z1 = nz;
  t.block_rows = block_rows;
  Lanes::misaligned = 0;
  sweep_dispatch<Lanes>(t);
  EXPECT_EQ(Lanes::misaligned, 0);

  int64_t wrong = 0;
  for (int64_t z = 0; z < nz; ++z)
    for (int64_t y = 0; y < ny; ++y)
      for (int64_t x = 0; x < nx; ++x) {
        const int64_t i = g.origin + x + y * g.pitch + z * g.plane;
        const T want = star_point_at<R>(in.data + i, g.pitch, g.plane, weights);
        // The same operations in the same order: equal, not merely close.
        if (out.data[i] != want && ++wrong <= 3)
          ADD_FAILURE() << "(" << x << ", " << y << ", " << z << "): " << out.data[i]
                        << " != " << want;
      }
  EXPECT_EQ(wrong, 0);
  // Nothing outside the interior written: every other point, halo and
  // padding, keeps its marker (a two-plane step on a thread's odd last
  // plane would write the halo plane above it).
  std::vector<bool> interior(static_cast<size_t>(g.elements));
  for (int64_t z = 0; z < nz; ++z)
    for (int64_t y = 0; y < ny; ++y)
      for (int64_t x = 0; x < nx; ++x)
        interior[static_cast<size_t>(g.origin + x + y * g.pitch + z * g.plane)] = true;
  int64_t stray = 0;
  for (int64_t i = 0; i < g.elements; ++i)
    stray += !interior[static_cast<size_t>(i)] && out.data[i] != T(-1);
  EXPECT_EQ(stray, 0);
}

template <typename T>
void every_shape() {
  // Rows of whole lines (the last step splices from the line after the
  // row), of a part line (vector and scalar tails after the shifted steps),
  // shorter than a line, and wider than the prefetch distance (the plan
  // looks into the row itself); blocks that divide the rows and ones that
  // leave a short last block, as thin as one row.
  const int64_t line = 64 / sizeof(T);
  for (int64_t nx : {2 * line, 3 * line + 3, line - 3, 4096 / static_cast<int64_t>(sizeof(T)) + 8})
    for (int64_t rows : {int64_t{1}, int64_t{3}, int64_t{16}}) {
      // AVX-512's whole-line vectors and AVX2's half lines; an odd and an
      // even number of planes (steps of two planes and an odd one alone).
      for (int64_t nz : {5, 6}) {
        expect_sweep_matches_reference<T, 1, 64>(nx, 7, nz, rows);
        expect_sweep_matches_reference<T, 4, 64>(nx, 9, nz + 1, rows);
        expect_sweep_matches_reference<T, 1, 32>(nx, 7, nz, rows);
        expect_sweep_matches_reference<T, 4, 32>(nx, 9, nz + 1, rows);
      }
    }
}

TEST(StencilShifts, LineWideSweepMatchesTheScalarUpdateFp64) {
  every_shape<double>();
}

TEST(StencilShifts, LineWideSweepMatchesTheScalarUpdateFp32) {
  every_shape<float>();
}

// The rows a step of the sweep reads: for each of its planes c, rows y-R..y+R
// of c and row y of the planes c-R..c+R. As (plane, row).
template <int R>
std::set<std::pair<int64_t, int64_t>> rows_read(const RowCursor& c) {
  std::set<std::pair<int64_t, int64_t>> r;
  for (int64_t p = c.z; p < c.z + c.planes(); ++p)
    for (int64_t d = -R; d <= R; ++d) {
      r.insert({p, c.y + d});
      r.insert({p + d, c.y});
    }
  return r;
}

// Walks a thread's sweep and checks that fresh_rows names, at every step,
// only rows read for the first time in the y-block (a prefetch of anything
// else is wasted), each once and no more than kMaxFreshRows; and every such
// row outside the planes a block starts from.
template <int R>
void expect_fresh_rows_are_first_reads(int64_t ny, int64_t z0, int64_t z1, int64_t rows) {
  SCOPED_TRACE("R " + std::to_string(R) + " ny " + std::to_string(ny) + " planes [" +
               std::to_string(z0) + ", " + std::to_string(z1) + ") rows " + std::to_string(rows));
  const GridLayout g = make_layout(8, ny, z1, R, 8);
  std::vector<double> grid(static_cast<size_t>(g.elements));
  const double* in = grid.data();
  auto where = [&](const double* row) {
    const int64_t off = row - in - g.origin;
    const int64_t z = (off + R * g.pitch + R * g.plane) / g.plane - R;
    return std::pair<int64_t, int64_t>{z, (off - z * g.plane) / g.pitch};
  };
  RowCursor c{0, std::min(rows, ny), z0, 0, z0, z1, ny, rows};
  std::set<std::pair<int64_t, int64_t>> seen;
  int64_t block = -1, steps = 0;
  for (; !c.done(); c.advance(), ++steps) {
    if (c.y0 != block) seen.clear(), block = c.y0;
    std::set<std::pair<int64_t, int64_t>> first;
    for (const auto& r : rows_read<R>(c))
      if (seen.insert(r).second) first.insert(r);
    // Room for more than the most there can be, to see an overflow.
    FreshRows<double, 2 * kMaxFreshRows<R>> f;
    fresh_rows<double, R>(c, in, g, f);
    EXPECT_LE(f.count, kMaxFreshRows<R>);
    std::set<std::pair<int64_t, int64_t>> named;
    for (int i = 0; i < f.count; ++i) named.insert(where(f.row[i]));
    const std::string at = "step (y " + std::to_string(c.y) + ", z " + std::to_string(c.z) + ")";
    EXPECT_EQ(static_cast<int>(named.size()), f.count) << at << ": a row named twice";
    for (const auto& r : named) {
      EXPECT_TRUE(first.count(r)) << at << " names (" << r.first << ", " << r.second
                                  << "), read before in its block";
    }
    // The planes a block starts from, z0-R to z0+R-1, are the hardware
    // prefetchers' (fresh_rows says why).
    for (const auto& r : first) {
      if (c.z == c.z0 && r.first < c.z0 + R) continue;
      EXPECT_TRUE(named.count(r)) << at << " misses (" << r.first << ", " << r.second << ")";
    }
  }
  // Every row of every block, in steps of two planes and an odd one alone.
  int64_t expected = 0;
  for (int64_t y0 = 0; y0 < ny; y0 += rows)
    expected += std::min(rows, ny - y0) * ((z1 - z0 + 1) / 2);
  EXPECT_EQ(steps, expected);
}

TEST(StencilShifts, FreshRowsAreExactlyTheRowsEachStepReadsFirst) {
  for (int64_t rows : {int64_t{1}, int64_t{3}, int64_t{4}, int64_t{16}})
    for (auto [z0, z1] : {std::pair<int64_t, int64_t>{0, 5}, {0, 6}, {3, 4}, {2, 9}}) {
      expect_fresh_rows_are_first_reads<1>(10, z0, z1, rows);
      expect_fresh_rows_are_first_reads<4>(10, z0, z1, rows);
    }
}

}  // namespace
}  // namespace flopscope::stencil::cpu
