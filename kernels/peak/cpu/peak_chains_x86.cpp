// x86 FMA chains. Each function carries its own target attribute so the
// file builds without -march flags and the right one is picked by cpuid at
// run time; the accumulators are arrays the compiler keeps in registers
// once the step loop is fully unrolled.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "kernels/peak/cpu/peak_chains.h"
#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::cpu {

#if defined(__x86_64__)

#define FLOPSCOPE_CHAIN_BODY(VEC, SET1, FMA, STORE, SHAPE, T)                                     \
  const VEC a = SET1(static_cast<T>(kMultiplier));                                                \
  const VEC b = SET1(static_cast<T>(kAddend));                                                    \
  alignas(64) T init[SHAPE.chains * SHAPE.lanes];                                                 \
  for (int c = 0; c < SHAPE.chains; ++c)                                                          \
    for (int l = 0; l < SHAPE.lanes; ++l)                                                         \
      init[c * SHAPE.lanes + l] = static_cast<T>(start_value(thread, c, l));                      \
  VEC acc[SHAPE.chains];                                                                          \
  for (int c = 0; c < SHAPE.chains; ++c) acc[c] = LOAD(init + c * SHAPE.lanes);                   \
  for (int64_t r = 0; r < rounds; ++r) {                                                          \
    _Pragma("GCC unroll 32") for (int c = 0; c < SHAPE.chains; ++c) acc[c] =                      \
        LOAD(init + c * SHAPE.lanes);                                                             \
    for (int s = 0; s < kStepsPerRound; ++s) {                                                    \
      _Pragma("GCC unroll 32") for (int c = 0; c < SHAPE.chains; ++c) acc[c] = FMA(acc[c], a, b); \
    }                                                                                             \
  }                                                                                               \
  _Pragma("GCC unroll 32") for (int c = 0; c < SHAPE.chains; ++c)                                 \
      STORE(out + c * SHAPE.lanes, acc[c]);

__attribute__((target("avx512f"))) void chains_fp64_avx512(int64_t thread, int64_t rounds,
                                                           double* out) {
#define LOAD _mm512_load_pd
  FLOPSCOPE_CHAIN_BODY(__m512d, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_storeu_pd, kAvx512Fp64,
                       double)
#undef LOAD
}

__attribute__((target("avx512f"))) void chains_fp32_avx512(int64_t thread, int64_t rounds,
                                                           float* out) {
#define LOAD _mm512_load_ps
  FLOPSCOPE_CHAIN_BODY(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps, kAvx512Fp32,
                       float)
#undef LOAD
}

__attribute__((target("avx2,fma"))) void chains_fp64_avx2(int64_t thread, int64_t rounds,
                                                          double* out) {
#define LOAD _mm256_load_pd
  FLOPSCOPE_CHAIN_BODY(__m256d, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_storeu_pd, kAvx2Fp64,
                       double)
#undef LOAD
}

__attribute__((target("avx2,fma"))) void chains_fp32_avx2(int64_t thread, int64_t rounds,
                                                          float* out) {
#define LOAD _mm256_load_ps
  FLOPSCOPE_CHAIN_BODY(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps, kAvx2Fp32, float)
#undef LOAD
}

#undef FLOPSCOPE_CHAIN_BODY

#else  // not x86-64: these are never selected (the ISA check says no).

void chains_fp64_avx512(int64_t, int64_t, double*) {}
void chains_fp32_avx512(int64_t, int64_t, float*) {}
void chains_fp64_avx2(int64_t, int64_t, double*) {}
void chains_fp32_avx2(int64_t, int64_t, float*) {}

#endif

}  // namespace flopscope::peak::cpu
