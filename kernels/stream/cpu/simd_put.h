// put<Simd, kStream>: an aligned vector store, streaming (non-temporal) or
// not, for the loop bodies written over a SIMD policy (stream_loop_body.h,
// kernels/stencil/cpu/stencil_sweep_body.h). Like them, not a standalone
// header: they include it inside their per-instruction-set anonymous
// namespace, where Simd's store and stream are built with that set's flags.
#pragma once

template <class Simd, bool kStream>
inline void put(typename Simd::T* p, typename Simd::V v) {
  if constexpr (kStream)
    Simd::stream(p, v);
  else
    Simd::store(p, v);
}
