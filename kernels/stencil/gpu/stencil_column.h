// One GPU thread's share of a star-stencil sweep: an (x, y) column of a chunk
// of planes, marched up z. Host and device code alike (FLOPSCOPE_HOST_DEVICE),
// so the host tests check the very loop the GPUs run.
//
// Why the look-ahead. A marching thread takes one value per plane from
// memory (u(0, 0, z+R)); the x and y neighbours are the columns next door,
// which their own threads loaded a step earlier, so they come from the L1.
// Loading the plane a step before it is needed leaves one load of
// sizeof(T) bytes in flight per thread: with 2048 threads per SM that is
// 8 KiB (FP32) or 16 KiB (FP64) per SM, and by Little's law an H200
// (4.8 TB/s, about 0.7 us to memory) needs some 25 KiB per SM. That is what
// the H200 run showed: the 7-point sweep moved 1.96 TB/s in FP32 and
// 3.0 TB/s in FP64 against a 4.25 TB/s copy whose threads keep 32 bytes in
// flight. Loading D planes ahead keeps (D + 1) x sizeof(T) bytes in flight:
// kLookahead makes that 32 bytes, as the copy does.
#pragma once

#include <cstdint>

#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::gpu {

// Planes loaded ahead of the one the update needs: 32 bytes in flight per
// thread (FP64: 3, FP32: 7).
template <typename T>
inline constexpr int kLookahead = 32 / static_cast<int>(sizeof(T)) - 1;

// Updates the interior points z0 <= z < z1 of one column. Stored plane
// z + R holds interior plane z. `column(plane)` returns the column's own
// value in a stored plane, the one load per plane that goes to memory;
// `in_plane(plane, dx, dy)` returns the value at that x/y offset in a stored
// plane; `store(z, value)` writes the update of interior plane z. Each of
// the planes z0 .. z1 - 1 + 2R is loaded once: the look-ahead stops at the
// chunk's end rather than read planes the next chunk loads anyway.
template <int R, int D, typename T, class Column, class InPlane, class Store>
FLOPSCOPE_HOST_DEVICE inline void march_column(const Column& column, const InPlane& in_plane,
                                               const Store& store, int64_t z0, int64_t z1,
                                               const T* c) {
  static_assert(D >= 0, "look-ahead is a count of planes");
  // q[k] holds stored plane z + k of the column: q[0 .. 2R] are the current
  // update's z-neighbours, q[2R+1 .. 2R+D] are loads still on their way.
  T q[2 * R + 1 + D] = {};
  const int64_t last = z1 - 1 + 2 * R;  // the last stored plane this chunk needs
// Unrolled on the device passes only (GCC, nvcc's host compiler, knows no
// `#pragma unroll`), so q stays in registers.
#if defined(__CUDA_ARCH__) || defined(__HIPCC__)
#pragma unroll
#endif
  for (int k = 0; k < 2 * R + D; ++k)
    if (z0 + k <= last) q[k] = column(z0 + k);
  for (int64_t z = z0; z < z1; ++z) {
    if (z + 2 * R + D <= last) q[2 * R + D] = column(z + 2 * R + D);
    const int64_t plane = z + R;
    auto u = [&](int dx, int dy, int dz) -> T {
      return dz != 0 ? q[R + dz] : dx == 0 && dy == 0 ? q[R] : in_plane(plane, dx, dy);
    };
    store(z, star_point<R, ScalarOps<T>>(c, u));
#if defined(__CUDA_ARCH__) || defined(__HIPCC__)
#pragma unroll
#endif
    for (int k = 0; k < 2 * R + D; ++k) q[k] = q[k + 1];
  }
}

}  // namespace flopscope::stencil::gpu
