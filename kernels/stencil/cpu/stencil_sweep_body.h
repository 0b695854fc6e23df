// The sweep loop nest, written once over a SIMD policy. Included only by the
// per-instruction-set files, inside their anonymous namespace, so every
// instantiation is local to the file that built it with its flags.
//
// `Simd` supplies T, V, W (lanes), set1, loadu, add, mul, madd, store
// (aligned), stream (non-temporal, aligned), fence and prefetch.
//
// Not a standalone header: it expects kernels/stencil/stencil_spec.h and
// kernels/stencil/cpu/stencil_sweeps.h to be included first.

// How far ahead of the point being updated the plane z+R (the one stream
// that comes from memory) is prefetched: 4 KiB, two rows of a 256-wide FP64
// grid. In interleaved runs on a (noisy) 2-core Zen 3 VM the hardware
// prefetchers alone left the 7-point sweep near 55-60% of copy bandwidth,
// this about 10 points higher; 2 KiB did as well, 8 KiB no better, and
// prefetching the rows that come from L2/L3 too made it slower.
constexpr int64_t kPrefetchBytes = 4096;

// Scalar arithmetic for the row tails, local so it is built here too.
template <typename T>
struct TailOps {
  using V = T;
  static T add(T a, T b) { return a + b; }
  static T mul(T a, T b) { return a * b; }
  static T madd(T a, T b, T c) { return a * b + c; }
};

// One row of updated points. Everything the loop reads is a local or a
// restrict pointer, so the compiler keeps strides and bounds in registers
// instead of reloading them after every store.
template <class Simd, int R, bool kStream>
inline void sweep_row(const typename Simd::T* __restrict in, typename Simd::T* __restrict out,
                      const int64_t nx, const int64_t sy, const int64_t sz,
                      const typename Simd::V* __restrict cv,
                      const typename Simd::T* __restrict cs) {
  using T = typename Simd::T;
  using V = typename Simd::V;
  // One 64-byte line of output per step: one prefetch per line, and the
  // line's streaming stores back to back, so each write-combining buffer is
  // filled by consecutive stores.
  constexpr int kVectors = 64 / static_cast<int>(sizeof(T)) / Simd::W > 0
                               ? 64 / static_cast<int>(sizeof(T)) / Simd::W
                               : 1;
  constexpr int64_t kStep = static_cast<int64_t>(kVectors) * Simd::W;
  constexpr int64_t kAhead = kPrefetchBytes / static_cast<int64_t>(sizeof(T));
  int64_t x = 0;
  for (; x + kStep <= nx; x += kStep) {
    Simd::prefetch(in + x + R * sz + kAhead);
    V v[kVectors];
#pragma GCC unroll 4
    for (int k = 0; k < kVectors; ++k) {
      const T* p = in + x + k * Simd::W;
      auto u = [p, sy, sz](int dx, int dy, int dz) {
        return Simd::loadu(p + dx + dy * sy + dz * sz);
      };
      v[k] = star_point<R, Simd>(cv, u);
    }
#pragma GCC unroll 4
    for (int k = 0; k < kVectors; ++k) {
      if constexpr (kStream)
        Simd::stream(out + x + k * Simd::W, v[k]);
      else
        Simd::store(out + x + k * Simd::W, v[k]);
    }
  }
  for (; x + Simd::W <= nx; x += Simd::W) {
    const T* p = in + x;
    auto u = [p, sy, sz](int dx, int dy, int dz) {
      return Simd::loadu(p + dx + dy * sy + dz * sz);
    };
    const V v = star_point<R, Simd>(cv, u);
    if constexpr (kStream)
      Simd::stream(out + x, v);
    else
      Simd::store(out + x, v);
  }
  for (; x < nx; ++x) {
    const T* p = in + x;
    auto u = [p, sy, sz](int dx, int dy, int dz) { return p[dx + dy * sy + dz * sz]; };
    out[x] = star_point<R, TailOps<T>>(cs, u);
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
  for (int64_t y0 = 0; y0 < ny; y0 += rows) {
    const int64_t y1 = y0 + rows < ny ? y0 + rows : ny;
    for (int64_t z = z0; z < z1; ++z)
      for (int64_t y = y0; y < y1; ++y) {
        const int64_t row = g.origin + y * sy + z * sz;
        sweep_row<Simd, R, kStream>(t.in + row, t.out + row, nx, sy, sz, cv, cs);
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
