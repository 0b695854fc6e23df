// The copy and triad loops, written once over a SIMD policy (T, V, W,
// set1, load (aligned), add, mul, madd, store (aligned), stream, fence).
// Included only by the per-instruction-set files, inside their anonymous
// namespace. Not a standalone header.

#include "kernels/stream/cpu/simd_put.h"

// Four vectors per step: enough loads in flight to cover memory latency on
// one core, and whole 64-byte lines for the streaming stores.
constexpr int kUnroll = 4;

template <class Simd, bool kStream>
void copy_loop(const StreamTask<typename Simd::T>& t) {
  using T = typename Simd::T;
  constexpr int64_t step = Simd::W * kUnroll;
  T* a = t.a;
  const T* b = t.b;
  int64_t i = t.begin;
  for (; i + step <= t.end; i += step) {
#pragma GCC unroll 4
    for (int u = 0; u < kUnroll; ++u)
      put<Simd, kStream>(a + i + u * Simd::W, Simd::load(b + i + u * Simd::W));
  }
  for (; i < t.end; ++i) a[i] = b[i];
  if constexpr (kStream) Simd::fence();
}

template <class Simd, bool kStream>
void triad_loop(const StreamTask<typename Simd::T>& t) {
  using T = typename Simd::T;
  constexpr int64_t step = Simd::W * kUnroll;
  T* a = t.a;
  const T* b = t.b;
  const T* c = t.c;
  const typename Simd::V s = Simd::set1(t.scalar);
  int64_t i = t.begin;
  for (; i + step <= t.end; i += step) {
#pragma GCC unroll 4
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t j = i + u * Simd::W;
      put<Simd, kStream>(a + j, Simd::madd(s, Simd::load(c + j), Simd::load(b + j)));
    }
  }
  for (; i < t.end; ++i) a[i] = b[i] + t.scalar * c[i];
  if constexpr (kStream) Simd::fence();
}

template <class Simd>
void stream_dispatch(const StreamTask<typename Simd::T>& t) {
  if (t.op == Op::copy)
    t.streaming_stores ? copy_loop<Simd, true>(t) : copy_loop<Simd, false>(t);
  else
    t.streaming_stores ? triad_loop<Simd, true>(t) : triad_loop<Simd, false>(t);
}
