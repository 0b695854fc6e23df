// AVX-512F copy and triad. This file is compiled with -mavx512f and called
// only when cpuid (with the OS register-state check) says AVX-512F is usable.
#include <immintrin.h>

#include "kernels/stream/cpu/stream_loops.h"

namespace flopscope::stream::cpu {

namespace {

struct Avx512Fp64 {
  using T = double;
  using V = __m512d;
  static constexpr int W = 8;
  static V set1(T a) { return _mm512_set1_pd(a); }
  static V load(const T* p) { return _mm512_load_pd(p); }
  static V madd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static void store(T* p, V v) { _mm512_store_pd(p, v); }
  static void stream(T* p, V v) { _mm512_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
};

struct Avx512Fp32 {
  using T = float;
  using V = __m512;
  static constexpr int W = 16;
  static V set1(T a) { return _mm512_set1_ps(a); }
  static V load(const T* p) { return _mm512_load_ps(p); }
  static V madd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(T* p, V v) { _mm512_store_ps(p, v); }
  static void stream(T* p, V v) { _mm512_stream_ps(p, v); }
  static void fence() { _mm_sfence(); }
};

#include "kernels/stream/cpu/stream_loop_body.h"

}  // namespace

void stream_avx512(const StreamTask<double>& t) {
  stream_dispatch<Avx512Fp64>(t);
}
void stream_avx512(const StreamTask<float>& t) {
  stream_dispatch<Avx512Fp32>(t);
}

}  // namespace flopscope::stream::cpu
