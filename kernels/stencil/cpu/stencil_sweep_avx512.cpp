// AVX-512F sweeps. This file is compiled with -mavx512f and called
// only when cpuid (with the OS register-state check) says AVX-512F is usable.
#include <immintrin.h>

#include "kernels/stencil/cpu/stencil_sweeps.h"
#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::cpu {

namespace {

// The W-lane vector D lanes right of `cur` (left for D < 0) in the sequence
// prev, cur, next: valignq/valignd. The zero-masking forms with a full mask
// are the same instruction; GCC 12 warns that the plain forms' undefined
// pass-through operand "may be used uninitialized".
template <int D, int W>
__m512i align(__m512i prev, __m512i cur, __m512i next) {
  static_assert(D > -W && D < W);
  if constexpr (D == 0) return cur;
  constexpr int kShift = D < 0 ? W + D : D;
  if constexpr (W == 8) {
    return D < 0 ? _mm512_maskz_alignr_epi64(0xFF, cur, prev, kShift)
                 : _mm512_maskz_alignr_epi64(0xFF, next, cur, kShift);
  } else {
    return D < 0 ? _mm512_maskz_alignr_epi32(0xFFFF, cur, prev, kShift)
                 : _mm512_maskz_alignr_epi32(0xFFFF, next, cur, kShift);
  }
}

struct Avx512Fp64 {
  using T = double;
  using V = __m512d;
  static constexpr int W = 8;
  static V set1(T a) { return _mm512_set1_pd(a); }
  static V loadu(const T* p) { return _mm512_loadu_pd(p); }
  static V load(const T* p) { return _mm512_load_pd(p); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V madd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static void store(T* p, V v) { _mm512_store_pd(p, v); }
  static void stream(T* p, V v) { _mm512_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
  template <int D>
  static V shifted(V prev, V cur, V next) {
    return _mm512_castsi512_pd(align<D, W>(_mm512_castpd_si512(prev), _mm512_castpd_si512(cur),
                                           _mm512_castpd_si512(next)));
  }
};

struct Avx512Fp32 {
  using T = float;
  using V = __m512;
  static constexpr int W = 16;
  static V set1(T a) { return _mm512_set1_ps(a); }
  static V loadu(const T* p) { return _mm512_loadu_ps(p); }
  static V load(const T* p) { return _mm512_load_ps(p); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V madd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(T* p, V v) { _mm512_store_ps(p, v); }
  static void stream(T* p, V v) { _mm512_stream_ps(p, v); }
  static void fence() { _mm_sfence(); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
  template <int D>
  static V shifted(V prev, V cur, V next) {
    return _mm512_castsi512_ps(align<D, W>(_mm512_castps_si512(prev), _mm512_castps_si512(cur),
                                           _mm512_castps_si512(next)));
  }
};

#include "kernels/stencil/cpu/stencil_sweep_body.h"

}  // namespace

void sweep_avx512(const SweepTask<double>& t) {
  sweep_dispatch<Avx512Fp64>(t);
}
void sweep_avx512(const SweepTask<float>& t) {
  sweep_dispatch<Avx512Fp32>(t);
}

}  // namespace flopscope::stencil::cpu
