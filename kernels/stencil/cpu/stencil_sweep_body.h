// The sweep loop nest, written once over a SIMD policy. Included only by the
// per-instruction-set files, inside their anonymous namespace, so every
// instantiation is local to the file that built it with its flags.
//
// `Simd` supplies T, V, W (lanes), set1, loadu, add, mul, madd, store
// (aligned), stream (non-temporal, aligned) and fence.
//
// Not a standalone header: it expects kernels/stencil/stencil_spec.h and
// kernels/stencil/cpu/stencil_sweeps.h to be included first.

static const int64_t kPrefetchAhead = getenv("PF") ? atoi(getenv("PF")) : 0;
static const int64_t kPrefetchL3 = getenv("PF3") ? atoi(getenv("PF3")) : 0;

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
                      const typename Simd::V* __restrict cv, const typename Simd::T* __restrict cs) {
  using T = typename Simd::T;
  using V = typename Simd::V;
  // One 64-byte line of output per step, with one prefetch per stream.
  constexpr int kVectors = 64 / static_cast<int>(sizeof(T)) / Simd::W > 0
                               ? 64 / static_cast<int>(sizeof(T)) / Simd::W
                               : 1;
  constexpr int64_t kStep = static_cast<int64_t>(kVectors) * Simd::W;
  int64_t x = 0;
  for (; x + kStep <= nx; x += kStep) {
    if (kPrefetchAhead > 0) Simd::prefetch(in + x + R * sz + kPrefetchAhead);
    if (kPrefetchL3 > 0) {
      Simd::prefetch(in + x + sy + kPrefetchL3);
      Simd::prefetch(in + x - R * sz + kPrefetchL3);
    }
#pragma GCC unroll 4
    for (int k = 0; k < kVectors; ++k) {
      const T* p = in + x + k * Simd::W;
      auto u = [p, sy, sz](int dx, int dy, int dz) {
        return Simd::loadu(p + dx + dy * sy + dz * sz);
      };
      const V v = star_point<R, Simd>(cv, u);
      if constexpr (kStream)
        Simd::stream(out + x + k * Simd::W, v);
      else
        Simd::store(out + x + k * Simd::W, v);
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
