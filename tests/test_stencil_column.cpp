// The GPU stencil's column march (kernels/stencil/gpu/stencil_column.h) run
// on the host: every look-ahead and chunking gives exactly the spec's update,
// and every plane a chunk needs is loaded from memory once, no other.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/stencil/gpu/stencil_column.h"
#include "kernels/stencil/stencil_spec.h"

namespace {

using flopscope::stencil::star_point_at;
using flopscope::stencil::weight;
using flopscope::stencil::gpu::kLookahead;
using flopscope::stencil::gpu::march_column;

// A grid of nx x ny x nz interior points with an R-point halo, random values.
template <typename T>
struct HostGrid {
  int r;
  int64_t nx, ny, nz, ex, ey, ez, sy, sz;
  std::vector<T> in, out;
  HostGrid(int radius, int64_t x, int64_t y, int64_t z)
      : r(radius),
        nx(x),
        ny(y),
        nz(z),
        ex(x + 2 * radius),
        ey(y + 2 * radius),
        ez(z + 2 * radius),
        sy(ex),
        sz(ex * ey) {
    std::mt19937_64 rng(20261128);
    std::uniform_real_distribution<double> d(0, 1);
    in.resize(static_cast<size_t>(ex * ey * ez));
    for (auto& v : in) v = static_cast<T>(d(rng));
    out.assign(in.size(), std::numeric_limits<T>::quiet_NaN());
  }
  int64_t at(int64_t x, int64_t y, int64_t z) const { return x + y * sy + z * sz; }
};

// Sweeps the grid the way the kernel does: one march per (x, y) column and
// chunk of `chunk` planes. Counts the column loads per stored plane.
template <int R, int D, typename T>
std::vector<int> sweep(HostGrid<T>& g, int64_t chunk) {
  T c[R + 1];
  for (int k = 0; k <= R; ++k) c[k] = static_cast<T>(weight(R, k));
  std::vector<int> loads(static_cast<size_t>(g.in.size()), 0);
  for (int64_t y = 0; y < g.ny; ++y)
    for (int64_t x = 0; x < g.nx; ++x)
      for (int64_t z0 = 0; z0 < g.nz; z0 += chunk) {
        const int64_t z1 = std::min(z0 + chunk, g.nz);
        const int64_t base = g.at(x + R, y + R, 0);
        march_column<R, D>(
            [&](int64_t plane) {
              ++loads[static_cast<size_t>(base + plane * g.sz)];
              return g.in[static_cast<size_t>(base + plane * g.sz)];
            },
            [&](int64_t plane, int dx, int dy) {
              return g.in[static_cast<size_t>(base + plane * g.sz + dx + dy * g.sy)];
            },
            [&](int64_t z, T v) { g.out[static_cast<size_t>(base + (z + R) * g.sz)] = v; }, z0, z1,
            c);
      }
  return loads;
}

template <int R, int D, typename T>
void expect_spec_update(int64_t chunk) {
  HostGrid<T> g(R, 5, 4, 11);
  const auto loads = sweep<R, D>(g, chunk);
  T c[R + 1];
  for (int k = 0; k <= R; ++k) c[k] = static_cast<T>(weight(R, k));
  int wrong = 0, bad_loads = 0;
  for (int64_t z = 0; z < g.ez; ++z)
    for (int64_t y = 0; y < g.ey; ++y)
      for (int64_t x = 0; x < g.ex; ++x) {
        const auto i = static_cast<size_t>(g.at(x, y, z));
        const bool interior_xy = x >= R && x < g.nx + R && y >= R && y < g.ny + R;
        if (interior_xy && z >= R && z < g.nz + R) {
          // The same arithmetic in the same order: equal to the last bit.
          const T want = star_point_at<R>(&g.in[i], g.sy, g.sz, c);
          wrong += !(g.out[i] == want);
        } else {
          wrong += !std::isnan(g.out[i]);  // nothing outside the interior is written
        }
        // A column's plane is loaded once per chunk that needs it: planes
        // z0 .. z1 - 1 + 2R of each chunk.
        int want_loads = 0;
        if (interior_xy)
          for (int64_t z0 = 0; z0 < g.nz; z0 += chunk)
            want_loads += z >= z0 && z <= std::min(z0 + chunk, g.nz) - 1 + 2 * R;
        bad_loads += loads[i] != want_loads;
      }
  EXPECT_EQ(wrong, 0) << "R=" << R << " D=" << D << " chunk=" << chunk;
  EXPECT_EQ(bad_loads, 0) << "R=" << R << " D=" << D << " chunk=" << chunk;
}

}  // namespace

TEST(StencilColumn, LookaheadKeepsThirtyTwoBytesInFlight) {
  EXPECT_EQ(kLookahead<double>, 3);
  EXPECT_EQ(kLookahead<float>, 7);
  EXPECT_EQ((kLookahead<double> + 1) * sizeof(double), 32u);
  EXPECT_EQ((kLookahead<float> + 1) * sizeof(float), 32u);
}

// Chunks of 1 plane, a few, the grid's nz (11) and more than it; look-aheads
// of none, the two the GPUs use, and longer than a chunk.
TEST(StencilColumn, EveryLookaheadAndChunkGivesTheSpecUpdate) {
  for (int64_t chunk : {1, 3, 4, 11, 64}) {
    expect_spec_update<1, 0, double>(chunk);
    expect_spec_update<1, kLookahead<double>, double>(chunk);
    expect_spec_update<1, kLookahead<float>, float>(chunk);
    expect_spec_update<1, 12, float>(chunk);
    expect_spec_update<4, 0, double>(chunk);
    expect_spec_update<4, kLookahead<double>, double>(chunk);
    expect_spec_update<4, kLookahead<float>, float>(chunk);
  }
}
