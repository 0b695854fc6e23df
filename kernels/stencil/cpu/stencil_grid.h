// The padded grid the CPU sweeps work on, and how its planes are shared
// among threads (the same split for first touch and for every sweep).
#pragma once

#include <cstdint>
#include <utility>

#include "kernels/stencil/cpu/stencil_sweeps.h"

namespace flopscope::stencil::cpu {

// Rows padded so x = 0 starts a 64-byte line; row and plane strides nudged
// off multiples of 4 KiB so the 2R+1 rows and planes a point reads do not
// all fall in the same cache sets.
GridLayout make_layout(int64_t nx, int64_t ny, int64_t nz, int radius, int element_bytes);

// Offset of point (x, y, z), each counted from the first interior point
// (the halo is at -radius .. -1 and n .. n+radius-1).
inline int64_t offset(const GridLayout& g, int64_t x, int64_t y, int64_t z) {
  return g.origin + x + y * g.pitch + z * g.plane;
}

// The point's index in the logical, unpadded grid (halo included, x
// fastest): what stencil::initial_value is seeded with.
inline uint64_t logical_index(const GridLayout& g, int64_t x, int64_t y, int64_t z) {
  const int64_t r = g.radius, ex = g.nx + 2 * r, ey = g.ny + 2 * r;
  return static_cast<uint64_t>((x + r) + ex * ((y + r) + ey * (z + r)));
}

inline int64_t logical_points(const GridLayout& g) {
  const int64_t r = g.radius;
  return (g.nx + 2 * r) * (g.ny + 2 * r) * (g.nz + 2 * r);
}

// Interior planes [first, second) of thread `t` of `threads`.
inline std::pair<int64_t, int64_t> slab(const GridLayout& g, int t, int threads) {
  return {g.nz * t / threads, g.nz * (t + 1) / threads};
}

}  // namespace flopscope::stencil::cpu
