// AVX2 + FMA sweeps. This file is compiled with -mavx2 -mfma and called
// only when cpuid says the CPU has both (stencil_cpu.cpp).
#include <immintrin.h>

#include "kernels/stencil/cpu/stencil_sweeps.h"
#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::cpu {

namespace {

struct Avx2Fp64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static V set1(T a) { return _mm256_set1_pd(a); }
  static V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V madd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static void store(T* p, V v) { _mm256_store_pd(p, v); }
  static void stream(T* p, V v) { _mm256_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
  static V load(const T* p) { return _mm256_load_pd(p); }
  // x+D from half-line vectors: one lane-crossing vperm2f128 and at most
  // one in-lane vshufpd.
  template <int D>
  static V shifted(V prev, V cur, V next) {
    static_assert(D >= -4 && D <= 4);
    if constexpr (D == 0) return cur;
    if constexpr (D == 4) return next;
    if constexpr (D == -4) return prev;
    if constexpr (D > 0) {
      const V t = _mm256_permute2f128_pd(cur, next, 0x21);  // cur2 cur3 next0 next1
      if constexpr (D == 2) return t;
      if constexpr (D == 1) return _mm256_shuffle_pd(cur, t, 0b0101);
      return _mm256_shuffle_pd(t, next, 0b0101);  // D == 3
    } else {
      const V u = _mm256_permute2f128_pd(prev, cur, 0x21);  // prev2 prev3 cur0 cur1
      if constexpr (D == -2) return u;
      if constexpr (D == -1) return _mm256_shuffle_pd(u, cur, 0b0101);
      return _mm256_shuffle_pd(prev, u, 0b0101);  // D == -3
    }
  }
};

struct Avx2Fp32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;
  static V set1(T a) { return _mm256_set1_ps(a); }
  static V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V madd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(T* p, V v) { _mm256_store_ps(p, v); }
  static void stream(T* p, V v) { _mm256_stream_ps(p, v); }
  static void fence() { _mm_sfence(); }
  static void prefetch(const T* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
  static V load(const T* p) { return _mm256_load_ps(p); }
  // x+D from half-line vectors: vperm2f128, then vpalignr within each
  // 128-bit lane.
  template <int D>
  static V shifted(V prev, V cur, V next) {
    static_assert(D >= -4 && D <= 4);
    if constexpr (D == 0) return cur;
    if constexpr (D > 0) {
      const V t = _mm256_permute2f128_ps(cur, next, 0x21);  // cur4..7 next0..3
      if constexpr (D == 4) return t;
      return _mm256_castsi256_ps(
          _mm256_alignr_epi8(_mm256_castps_si256(t), _mm256_castps_si256(cur), 4 * D));
    } else {
      const V u = _mm256_permute2f128_ps(prev, cur, 0x21);  // prev4..7 cur0..3
      if constexpr (D == -4) return u;
      return _mm256_castsi256_ps(
          _mm256_alignr_epi8(_mm256_castps_si256(cur), _mm256_castps_si256(u), 16 + 4 * D));
    }
  }
};

#include "kernels/stencil/cpu/stencil_sweep_body.h"

}  // namespace

void sweep_avx2(const SweepTask<double>& t) {
  sweep_dispatch<Avx2Fp64>(t);
}
void sweep_avx2(const SweepTask<float>& t) {
  sweep_dispatch<Avx2Fp32>(t);
}

}  // namespace flopscope::stencil::cpu
