// The stencil kernel's spec, shared by every device: 3-D Jacobi sweeps of a
// star stencil, one sweep per iteration (out = f(in), then the grids swap),
// with the boundary (a halo of `radius` points on every face) fixed.
//
//   out(p) = c0 * u(p) + sum_{r=1..R} c_r * (u(p ± r x) + u(p ± r y) + u(p ± r z))
//
// 7-point star (R = 1): second order, memory-bound.
// 25-point star (R = 4): 8th order, more arithmetic per byte.
//
// The per-point arithmetic (star_point) is written once for scalars and
// SIMD registers alike, with FLOPSCOPE_HOST_DEVICE so GPU code can use it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/stream/stream_spec.h"

namespace flopscope::stencil {

enum class Star { point7, point25 };

// The variant names in results ("7-point", "25-point").
inline const char* variant_name(Star s) {
  return s == Star::point7 ? "7-point" : "25-point";
}

FLOPSCOPE_HOST_DEVICE constexpr int radius(Star s) {
  return s == Star::point7 ? 1 : 4;
}

// Largest edge a user may ask for (--sizes), on every device: keeps a grid's
// element count far inside int64, so the memory checks stay meaningful.
inline constexpr int64_t kMaxUserEdge = int64_t{1} << 16;

// FLOP per updated point, counted from star_point below: one multiply for
// c0*u, then per radius 5 adds for the 6 neighbours, 1 multiply and 1 add to
// accumulate (an FMA counts 2). 7-point: 1 + 7 = 8 (DESIGN.md); 25-point: 29.
FLOPSCOPE_HOST_DEVICE constexpr int flop_per_point(int radius) {
  return 1 + radius * (5 + 1 + 1);
}
static_assert(flop_per_point(1) == 8, "DESIGN.md fixes 8 FLOP per 7-point update");
static_assert(flop_per_point(4) == 29);

// Compulsory traffic per updated point: one read of the input and one write
// of the output, whatever the radius (neighbours come from cache). The halo
// is not counted: it is read but never written, and vanishes with size.
FLOPSCOPE_HOST_DEVICE constexpr int bytes_per_point(int element_bytes) {
  return 2 * element_bytes;
}

// 7-point: weights 1/4 and 1/8 (exact in every format down to FP16). They
// are positive and sum to 1, so every update is a convex average and the
// field stays within its starting range over any number of sweeps.
inline constexpr double kStar7Weights[2] = {0.25, 0.125};

// 25-point: one explicit Euler step (dt = 1/16 in grid units) of the heat
// equation with the 8th-order central second derivative on each axis
// (Fornberg: -205/72, 8/5, -1/5, 8/315, -1/560). c0 = 1 + 3*dt*(-205/72)
// and c_r = dt*a_r: the weights sum to 1 and the step is stable (the
// amplification factor lies in [1 - 3*6.50/16, 1] = [-0.22, 1]), so the
// field stays bounded over any number of sweeps.
inline constexpr double kStar25Weights[5] = {1.0 - 3.0 * 205.0 / (72.0 * 16.0), 8.0 / (5.0 * 16.0),
                                             -1.0 / (5.0 * 16.0), 8.0 / (315.0 * 16.0),
                                             -1.0 / (560.0 * 16.0)};

// Weight r of the star with radius R (1 or 4), in double; each device rounds
// it to its format once and uses that value.
FLOPSCOPE_HOST_DEVICE constexpr double weight(int radius, int r) {
  return radius == 1 ? kStar7Weights[r] : kStar25Weights[r];
}

// The per-point update. `Ops` supplies the value type V (a scalar or a SIMD
// register) and add, mul and madd (a*b + c, fused or not); `u(dx, dy, dz)`
// returns the input at that offset from the point; `c` holds the R+1 weights
// as V. The summation order is part of the spec: every device rounds alike.
template <int R, class Ops, class Load>
FLOPSCOPE_HOST_DEVICE inline typename Ops::V star_point(const typename Ops::V* c, const Load& u) {
  typename Ops::V acc = Ops::mul(c[0], u(0, 0, 0));
#if defined(__CUDA_ARCH__) || defined(__HIPCC__)
#pragma unroll
#elif !defined(__CUDACC__)  // nvcc's host pass knows neither pragma
#pragma GCC unroll 8
#endif
  for (int r = 1; r <= R; ++r) {
    // Pairs per axis, then a tree: three adds deep instead of five, so a
    // late operand (a plane still on its way from memory) delays little.
    const typename Ops::V sx = Ops::add(u(-r, 0, 0), u(r, 0, 0));
    const typename Ops::V sy = Ops::add(u(0, -r, 0), u(0, r, 0));
    const typename Ops::V sz = Ops::add(u(0, 0, -r), u(0, 0, r));
    acc = Ops::madd(c[r], Ops::add(Ops::add(sx, sy), sz), acc);
  }
  return acc;
}

// Scalar Ops for host references and GPU threads.
template <typename T>
struct ScalarOps {
  using V = T;
  FLOPSCOPE_HOST_DEVICE static T add(T a, T b) { return a + b; }
  FLOPSCOPE_HOST_DEVICE static T mul(T a, T b) { return a * b; }
  FLOPSCOPE_HOST_DEVICE static T madd(T a, T b, T c) { return a * b + c; }
};

// The update of the scalar at `p` in a grid with row stride `sy` and plane
// stride `sz` (elements), weights `c` in T: what a host reference or a GPU
// thread computes.
template <int R, typename T>
FLOPSCOPE_HOST_DEVICE inline T star_point_at(const T* p, int64_t sy, int64_t sz, const T* c) {
  auto u = [=](int dx, int dy, int dz) { return p[dx + dy * sy + dz * sz]; };
  return star_point<R, ScalarOps<T>>(c, u);
}

// Starting value of the grid point with linear index `index` (x fastest over
// the whole grid, halo included: index = x + X*(y + Y*z) with X, Y the full
// extents and x, y, z counted from the halo's first point): seeded
// pseudo-random in [0, 1), the same whatever the memory layout or device.
FLOPSCOPE_HOST_DEVICE inline double initial_value(uint64_t seed, uint64_t index) {
  return stream::seeded_unit_value(seed, index);
}

// Largest allowed |got - want| of one sweep, relative to the largest |want|
// of the grid: each of the flop_per_point roundings adds at most epsilon
// times a partial sum bounded by sum|c_r| * max|u| (1 for the 7-point star,
// 1.15 for the 25-point), so a device's sweep and a host reference in the
// same format each stay within 1.15 x that count x epsilon; 4 x the count x
// epsilon covers both, and an FP32 sweep checked as FP64 (or BF16 as FP32)
// still fails by orders of magnitude.
inline double tolerance(int radius, double epsilon) {
  return 2.0 * 2.0 * flop_per_point(radius) * epsilon;
}

}  // namespace flopscope::stencil
