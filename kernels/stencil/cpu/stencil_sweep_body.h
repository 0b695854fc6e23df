// The sweep loop nest, written once over a SIMD policy. Included only by the
// per-instruction-set files, inside their anonymous namespace, so every
// instantiation is local to the file that built it with its flags.
//
// `Simd` supplies T, V, W (lanes), set1, loadu, add, mul, madd, store
// (aligned), stream (non-temporal, aligned), fence and prefetch; a policy
// whose vector is one 64-byte line may add load (aligned) and shifted<D>
// (see sweep_row_shifted).
//
// Not a standalone header: it expects kernels/stencil/stencil_spec.h and
// kernels/stencil/cpu/stencil_sweeps.h to be included first.

#include "kernels/stream/cpu/simd_put.h"

// How far ahead of the point being updated the rows that come from memory
// are prefetched: 4 KiB of a row in sweep order, two steps of a 256-wide FP64
// grid, or part of the same row of a wider one. A step reads two fresh rows
// (one per plane), so 8 KiB of them are in flight. In interleaved runs on a
// (noisy) 2-core Zen 3 VM, one plane per step, the hardware prefetchers
// alone left the 7-point sweep near 55-60% of copy bandwidth, this about 10
// points higher; 2 KiB did as well, 8 KiB no better, and prefetching the
// rows that come from L2/L3 too made it slower (on Zen 5 too: 1 KiB ahead
// in the rows y+1 and z-1, no gain). With two planes per step on Zen 5, one
// step ahead instead of two gave 0.86-0.89 of the copy bound against
// 0.92-0.96 in 3 of 4 alternating runs.
constexpr int64_t kPrefetchBytes = 4096;

// (The fractions of the copy bound in this file's notes were measured
// against the interleaved copy when it was one timed pass, which read 20-25%
// below the best of 3 it is now: their comparisons hold, their levels read
// high.)
//
// The sweep updates two planes per step, z and z+1, row by row: a point's
// z neighbours in the other plane are then already in registers, and the
// rows of plane z+1 that the step reads for the one plane are the ones it
// reads for the other. Per 64-byte line of output the 7-point sweep loads 4
// vectors instead of 5, and reads one line from L2 instead of two. 7-point
// FP64 at 256^3 on 2 Zen 5 cores, five alternating pairs of runs: 0.72-0.86
// of the copy bound against 0.60-0.73 with one plane per step (AVX-512);
// 25.3-26.8 against 18.4-22.4 GFLOP/s (AVX2, four pairs). The 25-point star
// ran alike. In a scratch loop three or four planes per step did no better
// than one (three 0.70-0.74, four 0.60-0.69, one 0.68-0.76; more rows in
// flight from memory at once). A thread with an odd number of planes sweeps
// its last one alone.

// The rows of the input that one step (row y of planes z.., a y-block
// [y0, y1)) is the first in its sweep to read. Nothing earlier in the sweep
// brought them into cache, so they are the ones to prefetch:
//  - row y of the planes above the step's reach before: z+R and z+1+R
//    (R > 1), z+2 (the 7-point star's two-plane step), z+R (one plane);
//  - rows of a plane the steps before read only at the block's rows, as a z
//    neighbour: on the block's first row the R halo rows below it (and those
//    above a block thinner than R), and the halo rows above the block as the
//    rows y+R reach them;
//  - for a two-plane step of the 7-point star, plane z+1, which no step
//    before read at all: rows y0-1..y0+1 on the first row, then row y+1.
// (The planes a block starts from, z0-R to z0+R-1, are left to the hardware
// prefetchers.)
template <typename T, int N>
struct FreshRows {
  const T* row[N];  // the first `count` are set
  int count = 0;
};

// The most fresh rows a step can have (a two-plane step on a block's first
// row): the two planes above, and 2R rows of each plane read before only at
// the block's rows, or 2R + 1 of the 7-point's plane z+1. Sized for the
// star at hand, and filled in place once per row (PrefetchPlan::next):
// built with room for R = 4 in every sweep, zero-filled and returned by
// value, fresh_rows was no longer inlined by GCC 12 and the AVX2 7-point
// sweep ran 20-30% slower.
template <int R>
constexpr int kMaxFreshRows = 2 + 4 * R;

// Walks a thread's steps in sweep order (y-blocks, then pairs of planes,
// then rows) ahead of the sweep, across block boundaries, to name the rows
// the sweep will need next.
struct RowCursor {
  int64_t y0, y1, z, y;  // the block [y0, y1) and the step
  int64_t z0, z1, ny, rows;
  bool done() const { return y0 >= ny; }
  // Planes updated by the step at z: two, or the last plane of an odd
  // number alone.
  int planes() const { return z + 1 < z1 ? 2 : 1; }
  void advance() {
    if (++y < y1) return;
    y = y0;
    z += planes();
    if (z < z1) return;
    z = z0;
    y0 = y1;
    y1 = y0 + rows < ny ? y0 + rows : ny;
    y = y0;
  }
};

// Sets f to the fresh rows of the step at c. (N: a test gives more room, to
// count what a bug would overflow.)
template <typename T, int R, int N>
inline void fresh_rows(const RowCursor& c, const T* in, const GridLayout& g, FreshRows<T, N>& f) {
  static_assert(R >= 1 && R <= 4 && N >= kMaxFreshRows<R>);
  f.count = 0;
  if (c.done()) return;
  auto add = [&](int64_t y, int64_t z) {
    f.row[f.count++] = in + g.origin + y * g.pitch + z * g.plane;
  };
  // A plane read before only at the block's rows.
  auto halo_of = [&](int64_t z) {
    if (c.y == c.y0) {
      for (int64_t y = c.y0 - R; y < c.y0; ++y) add(y, z);
      for (int64_t y = c.y1 > c.y0 + 1 ? c.y1 : c.y0 + 1; y <= c.y0 + R; ++y) add(y, z);
    } else if (c.y + R >= c.y1) {
      add(c.y + R, z);
    }
  };
  const int planes = c.planes();
  add(c.y, c.z + planes - 1 + R);
  if (planes == 1) {
    halo_of(c.z);
  } else if (R >= 2) {
    add(c.y, c.z + R);
    halo_of(c.z);
    halo_of(c.z + 1);
  } else {
    halo_of(c.z);
    if (c.y == c.y0) {
      for (int64_t y = c.y0 - R; y <= c.y0 + R; ++y) add(y, c.z + 1);
    } else {
      add(c.y + R, c.z + 1);
    }
  }
}

// Where a step prefetches, kPrefetchBytes ahead of each of its lines in
// sweep order: `skip` elements further along in the fresh rows of a step
// some whole steps ahead (`near`, the step itself when rows are wider than
// the distance), and past that row's end in those of the step after it
// (`far`).
template <typename T, int N>
struct PrefetchPlan {
  FreshRows<T, N> rows[2];
  int near_index = 0;
  int64_t skip = 0;
  const FreshRows<T, N>& near() const { return rows[near_index]; }
  const FreshRows<T, N>& far() const { return rows[near_index ^ 1]; }
  // One step on: the far rows become the near ones, and the step `ahead`
  // names the new far ones.
  template <int R>
  void next(const RowCursor& ahead, const T* in, const GridLayout& g) {
    near_index ^= 1;
    fresh_rows<T, R>(ahead, in, g, rows[near_index ^ 1]);
  }
};

// Prefetches the line kPrefetchBytes ahead of x. One loop over the rows
// chosen: written as an if/else of two loops, GCC 12 left no prefetch at all
// in the AVX-512 sweep's loop (and the 7-point sweep ran 4-21% slower).
template <class Simd, int N>
inline void prefetch_ahead(const PrefetchPlan<typename Simd::T, N>& p, int64_t x, int64_t nx) {
  const int64_t xp = x + p.skip;
  const bool in_near = xp < nx;
  const FreshRows<typename Simd::T, N>* f = in_near ? &p.near() : &p.far();
  const int64_t at = in_near ? xp : xp - nx;
  const int n = f->count;
#pragma GCC unroll 18  // kMaxFreshRows<4>, with early exits
  for (int i = 0; i < n; ++i) Simd::prefetch(f->row[i] + at);
}

// Whether the policy has register shifts: an aligned load and
// shifted<D>(prev, cur, next), the vector D elements to the right of cur
// (left for D < 0) spliced from its neighbours, for |D| up to 4; a vector
// of a whole line or an even part of one.
template <class Simd>
concept HasShifts = requires(typename Simd::V v, const typename Simd::T* p) {
  Simd::load(p);
  Simd::template shifted<1>(v, v, v);
}
&&64 % (Simd::W * sizeof(typename Simd::T)) == 0;

// Whether the sweep takes x neighbours from registers. Half-line vectors
// (AVX2) splice each neighbour with two shuffles: on Zen 5's AVX2 path that
// lost 4-14% for the 7-point star and gained 7-35% for the 25-point
// (alternating 256^3 runs), so they shift for R > 1 only.
template <class Simd, int R>
constexpr bool kShiftedSweep = HasShifts<Simd> &&
                               (Simd::W * sizeof(typename Simd::T) == 64 || R > 1);

// Scalar arithmetic for the row tails, local so it is built here too.
template <typename T>
struct TailOps {
  using V = T;
  static T add(T a, T b) { return a + b; }
  static T mul(T a, T b) { return a * b; }
  static T madd(T a, T b, T c) { return a * b + c; }
};

// Byte strides to a point's y and z neighbours, four per axis, so that
// every neighbour of a step is one base register plus one of them, scaled:
// +-1, +-2 and +-4 rows as stride x 1, 2, 4, and +-3 rows as their own
// register. Left to itself, GCC 12 gave each of the 25-point two-plane
// step's 24 neighbour rows its own pointer, incremented every vector: 16
// registers do not hold them, and it spilled them to the stack and added to
// them there (`addq $0x40, mem`), in the loop that has the loads as its
// limit already. One Zen 4 core, 25-point, a 128x16x8 grid (in L2), best of
// six interleaved runs of a scratch loop: 34.2 against 32.9 GFLOP/s FP64
// and 70.4 against 65.9 FP32 on AVX-512, AVX2 alike (27.7 against 27.5
// FP64). A 256^3 grid gained nothing measurable: there one core updated
// 0.52 G points/s, about what it would if the sweep's time were its time in
// L2 (1.14 G points/s) plus the time the 7-point sweep takes for the same
// bytes (1.16 G points/s), as if compute and memory did not overlap at all.
struct NeighbourStrides {
  int64_t y, y3, ny, ny3;  // sy, 3 sy, -sy, -3 sy, in bytes
  int64_t z, z3, nz, nz3;  // the same for sz
};

template <typename T>
inline NeighbourStrides neighbour_strides(int64_t sy, int64_t sz) {
  const auto b = static_cast<int64_t>(sizeof(T));
  return {sy * b, 3 * sy * b, -sy * b, -3 * sy * b, sz * b, 3 * sz * b, -sz * b, -3 * sz * b};
}

// Makes the strides opaque to the compiler at each vector, so it cannot
// fold a base and a stride into a new pointer to increment (it sees a value
// that changes every step), and keeps them in registers: each neighbour is
// then an address mode, [base + stride * scale]. Only the strides the
// radius uses are held.
template <int R>
inline void hold_in_registers(NeighbourStrides& s) {
  asm volatile("" : "+r"(s.y), "+r"(s.ny), "+r"(s.z), "+r"(s.nz));
  if constexpr (R >= 3) asm volatile("" : "+r"(s.y3), "+r"(s.ny3), "+r"(s.z3), "+r"(s.nz3));
}

// p moved d (-4..4, not 0; a constant once the star is unrolled) rows or
// planes by the strides of one axis.
template <typename T>
inline const T* moved(const T* p, int d, int64_t one, int64_t three, int64_t neg_one,
                      int64_t neg_three) {
  const char* b = reinterpret_cast<const char*>(p);
  switch (d) {
    case 1:
      return reinterpret_cast<const T*>(b + one);
    case 2:
      return reinterpret_cast<const T*>(b + 2 * one);
    case 3:
      return reinterpret_cast<const T*>(b + three);
    case 4:
      return reinterpret_cast<const T*>(b + 4 * one);
    case -1:
      return reinterpret_cast<const T*>(b + neg_one);
    case -2:
      return reinterpret_cast<const T*>(b + 2 * neg_one);
    case -3:
      return reinterpret_cast<const T*>(b + neg_three);
    case -4:
      return reinterpret_cast<const T*>(b + 4 * neg_one);
    default:  // 0 and |d| > 4: the callers take those from registers
      __builtin_unreachable();
  }
}

// One point of plane J of a P-plane step from vectors in registers: the
// previous, current and next vectors of its own row, and the current
// vectors of the planes below and above it in the step (where J has them).
// p0 and p1 are the point's x in the step's first and second plane (p1 ==
// p0 when P == 1). The z neighbours of both planes are addressed from p0,
// so a plane both read is one load; plane z+5, which only plane 1 reads, is
// 4 planes from p1. Plain values, not arrays: GCC 12 kept arrays of them on
// the stack.
template <class Simd, int R, int J, int P>
inline typename Simd::V shifted_point(const typename Simd::T* p0, const typename Simd::T* p1,
                                      const NeighbourStrides& s,
                                      const typename Simd::V* __restrict cv, typename Simd::V prev,
                                      typename Simd::V cur, typename Simd::V next,
                                      typename Simd::V below, typename Simd::V above) {
  using V = typename Simd::V;
  const typename Simd::T* p = J == 0 ? p0 : p1;
  auto u = [&](int dx, int dy, int dz) -> V {
    // dx, dy and dz are constants once star_point's loop is unrolled.
    if (dx == 0 && dy == 0 && dz == -1 && J > 0) return below;
    if (dx == 0 && dy == 0 && dz == 1 && J + 1 < P) return above;
    if (dy != 0) return Simd::load(moved(p, dy, s.y, s.y3, s.ny, s.ny3));
    if (dz != 0) {
      const int from_p0 = J + dz;  // planes from the first plane of the step
      return Simd::load(from_p0 > 4 ? moved(p1, dz, s.z, s.z3, s.nz, s.nz3)
                                    : moved(p0, from_p0, s.z, s.z3, s.nz, s.nz3));
    }
    switch (dx) {
      case -4:
        return Simd::template shifted<-4>(prev, cur, next);
      case -3:
        return Simd::template shifted<-3>(prev, cur, next);
      case -2:
        return Simd::template shifted<-2>(prev, cur, next);
      case -1:
        return Simd::template shifted<-1>(prev, cur, next);
      case 1:
        return Simd::template shifted<1>(prev, cur, next);
      case 2:
        return Simd::template shifted<2>(prev, cur, next);
      case 3:
        return Simd::template shifted<3>(prev, cur, next);
      case 4:
        return Simd::template shifted<4>(prev, cur, next);
      default:
        return cur;
    }
  };
  return star_point<R, Simd>(cv, u);
}

// The whole vectors of a row with the x neighbours taken from registers:
// each step loads the next aligned vector of the centre row and splices
// x-R..x+R out of the previous, current and next ones (valignq on AVX-512),
// instead of 2R unaligned loads that each span two lines (on Zen 5 a split
// line load costs two aligned ones: 1.19 against 0.61 cycles). In a scratch
// loop of the 7-point's shape on 1 Zen 5 core, a line took 6.3 instead of
// 7.1 cycles with its rows in L2 (3.3 instead of 5.4 in L1). With the
// prefetching of FreshRows, three alternating pairs of 256^3 runs on 2 cores
// went from 0.64-0.70 to 0.73-0.78 of the copy bound (7-point) and from
// 0.25-0.27 to 0.27-0.33 (25-point), one plane per step. P planes (1 or 2)
// at once, `in` and `out` at the first: a point's z neighbour in the other
// plane is that plane's current vector. Returns the first x it did not
// update.
template <class Simd, int R, bool kStream, int P, int N>
inline int64_t sweep_row_shifted(const typename Simd::T* __restrict in,
                                 typename Simd::T* __restrict out, const int64_t nx,
                                 const int64_t sy, const int64_t sz,
                                 const typename Simd::V* __restrict cv,
                                 const PrefetchPlan<typename Simd::T, N>& plan) {
  static_assert(P == 1 || P == 2);
  using T = typename Simd::T;
  using V = typename Simd::V;
  constexpr int64_t W = Simd::W;
  constexpr int64_t kPerLine = 64 / static_cast<int64_t>(sizeof(T));
  const T* in1 = in + (P - 1) * sz;  // the second plane (the first when P == 1)
  NeighbourStrides s = neighbour_strides<T>(sy, sz);
  // The rows start a line after the line holding x = -R and end before the
  // one holding x = nx + R - 1 (make_layout), so both neighbours exist.
  V prev0 = Simd::load(in - W), cur0 = Simd::load(in);
  V prev1 = Simd::load(in1 - W), cur1 = Simd::load(in1);
  int64_t x = 0;
  for (; x + W <= nx; x += W) {
    // One prefetch per line (a vector may be part of one).
    if (W == kPerLine || x % kPerLine == 0) prefetch_ahead<Simd>(plan, x, nx);
    hold_in_registers<R>(s);
    const V next0 = Simd::load(in + x + W);
    put<Simd, kStream>(out + x, shifted_point<Simd, R, 0, P>(in + x, in1 + x, s, cv, prev0, cur0,
                                                             next0, cur0, cur1));
    if constexpr (P == 2) {
      const V next1 = Simd::load(in1 + x + W);
      put<Simd, kStream>(out + sz + x, shifted_point<Simd, R, 1, P>(in + x, in1 + x, s, cv, prev1,
                                                                    cur1, next1, cur0, cur1));
      prev1 = cur1;
      cur1 = next1;
    }
    prev0 = cur0;
    cur0 = next0;
  }
  return x;
}

// Row y of P planes (1 or 2) of updated points, `in` and `out` at the first.
// Everything the loop reads is a local or a restrict pointer, so the
// compiler keeps strides and bounds in registers instead of reloading them
// after every store. In the loop of unaligned loads, both planes' points
// are computed before either is stored, so a load both make is made once.
template <class Simd, int R, bool kStream, int P, int N>
inline void sweep_row(const typename Simd::T* __restrict in, typename Simd::T* __restrict out,
                      const int64_t nx, const int64_t sy, const int64_t sz,
                      const typename Simd::V* __restrict cv, const typename Simd::T* __restrict cs,
                      const PrefetchPlan<typename Simd::T, N>& plan) {
  using T = typename Simd::T;
  using V = typename Simd::V;
  static_assert(R <= 4, "shifted<D> covers radii up to 4");
  // The x-halo lines (x = -R, x = nx + R - 1) of the rows whose first line
  // this row's loop prefetches: the loops below ask for the lines that start
  // at each line step.
  const FreshRows<T, N>& far = plan.far();
  for (int i = 0; i < far.count; ++i) {
    Simd::prefetch(far.row[i] - R);
    Simd::prefetch(far.row[i] + nx + R - 1);
  }
  // One 64-byte line of output per step: one prefetch per line, and the
  // line's streaming stores back to back, so each write-combining buffer is
  // filled by consecutive stores.
  constexpr int kVectors = 64 / static_cast<int>(sizeof(T)) / Simd::W > 0
                               ? 64 / static_cast<int>(sizeof(T)) / Simd::W
                               : 1;
  constexpr int64_t kStep = static_cast<int64_t>(kVectors) * Simd::W;
  int64_t x = 0;
  if constexpr (kShiftedSweep<Simd, R>)
    x = sweep_row_shifted<Simd, R, kStream, P>(in, out, nx, sy, sz, cv, plan);
  for (; x + kStep <= nx; x += kStep) {
    prefetch_ahead<Simd>(plan, x, nx);
    V v[P][kVectors];
#pragma GCC unroll 2
    for (int j = 0; j < P; ++j)
#pragma GCC unroll 4
      for (int k = 0; k < kVectors; ++k) {
        const T* p = in + j * sz + x + k * Simd::W;
        auto u = [p, sy, sz](int dx, int dy, int dz) {
          return Simd::loadu(p + dx + dy * sy + dz * sz);
        };
        v[j][k] = star_point<R, Simd>(cv, u);
      }
#pragma GCC unroll 2
    for (int j = 0; j < P; ++j)
#pragma GCC unroll 4
      for (int k = 0; k < kVectors; ++k)
        put<Simd, kStream>(out + j * sz + x + k * Simd::W, v[j][k]);
  }
  for (int j = 0; j < P; ++j) {
    const T* in_j = in + j * sz;
    T* out_j = out + j * sz;
    int64_t xj = x;
    for (; xj + Simd::W <= nx; xj += Simd::W) {
      const T* p = in_j + xj;
      auto u = [p, sy, sz](int dx, int dy, int dz) {
        return Simd::loadu(p + dx + dy * sy + dz * sz);
      };
      put<Simd, kStream>(out_j + xj, star_point<R, Simd>(cv, u));
    }
    for (; xj < nx; ++xj) {
      const T* p = in_j + xj;
      auto u = [p, sy, sz](int dx, int dy, int dz) { return p[dx + dy * sy + dz * sz]; };
      out_j[xj] = star_point<R, TailOps<T>>(cs, u);
    }
  }
}

template <class Simd, int R, bool kStream>
__attribute__((noinline)) void sweep_star(const SweepTask<typename Simd::T>& t) {
  using T = typename Simd::T;
  using V = typename Simd::V;
  const GridLayout g = t.grid;
  const int64_t sy = g.pitch, sz = g.plane, nx = g.nx, ny = g.ny;
  const int64_t z0 = t.z0, z1 = t.z1, rows = t.block_rows;
  T cs[R + 1];
  V cv[R + 1];
  for (int r = 0; r <= R; ++r) {
    cs[r] = t.weights[r];
    cv[r] = Simd::set1(cs[r]);
  }
  // kPrefetchBytes of a row ahead in sweep order: `lead` whole steps and
  // `skip` elements (each step prefetches the fresh rows of its planes).
  const int64_t ahead_elements = kPrefetchBytes / static_cast<int64_t>(sizeof(T));
  const int64_t lead = ahead_elements / nx;
  if (z0 >= z1) return;
  RowCursor ahead{0, rows < ny ? rows : ny, z0, 0, z0, z1, ny, rows};
  for (int64_t i = 0; i < lead && !ahead.done(); ++i) ahead.advance();
  PrefetchPlan<T, kMaxFreshRows<R>> plan;
  plan.skip = ahead_elements - lead * nx;
  plan.template next<R>(ahead, t.in, g);
  for (int64_t y0 = 0; y0 < ny; y0 += rows) {
    const int64_t y1 = y0 + rows < ny ? y0 + rows : ny;
    for (int64_t z = z0; z < z1; z += 2)
      for (int64_t y = y0; y < y1; ++y) {
        // One step further on, the last step's far rows are this step's
        // near ones: one fresh_rows per step.
        if (!ahead.done()) ahead.advance();
        plan.template next<R>(ahead, t.in, g);
        const int64_t row = g.origin + y * sy + z * sz;
        if (z + 1 < z1)
          sweep_row<Simd, R, kStream, 2>(t.in + row, t.out + row, nx, sy, sz, cv, cs, plan);
        else
          sweep_row<Simd, R, kStream, 1>(t.in + row, t.out + row, nx, sy, sz, cv, cs, plan);
      }
  }
  // Streaming stores are weakly ordered: drain them before the barrier that
  // lets other threads read this sweep's output.
  if constexpr (kStream) Simd::fence();
}

template <class Simd>
void sweep_dispatch(const SweepTask<typename Simd::T>& t) {
  const bool nt = t.streaming_stores;
  if (t.grid.radius == 1)
    nt ? sweep_star<Simd, 1, true>(t) : sweep_star<Simd, 1, false>(t);
  else if (t.grid.radius == 4)
    nt ? sweep_star<Simd, 4, true>(t) : sweep_star<Simd, 4, false>(t);
}
