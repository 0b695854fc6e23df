// x86 dot-product chains. Each function carries its own target attribute,
// so the file builds without -march flags and runs only where cpuid says
// the instruction exists (peak_narrow_cpu.cpp). The accumulators are arrays
// the compiler keeps in registers once the step loop is fully unrolled.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cstring>

#include "kernels/peak/cpu/peak_narrow_chains.h"
#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::cpu {

#if defined(__x86_64__)

namespace {
constexpr int32_t pack_bf16_pair(uint16_t v) {
  return static_cast<int32_t>((static_cast<uint32_t>(v) << 16) | v);
}
int32_t pack_bytes(const void* four) {
  int32_t v;
  std::memcpy(&v, four, 4);
  return v;
}
}  // namespace

__attribute__((target("avx512f,avx512bf16"))) void chains_bf16_avx512(int64_t thread,
                                                                      int64_t rounds, float* out) {
  constexpr ChainShape S = kAvx512Bf16;
  const __m512bh a = (__m512bh)_mm512_set1_epi32(pack_bf16_pair(narrow::kBf16A));
  const __m512bh b = (__m512bh)_mm512_set1_epi32(pack_bf16_pair(narrow::kBf16B));
  alignas(64) float init[S.chains * S.lanes];
  for (int c = 0; c < S.chains; ++c)
    for (int l = 0; l < S.lanes; ++l)
      init[c * S.lanes + l] = narrow::bf16_start_value(thread, c, l);
  __m512 acc[S.chains];
  for (int c = 0; c < S.chains; ++c) acc[c] = _mm512_load_ps(init + c * S.lanes);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
    for (int c = 0; c < S.chains; ++c) acc[c] = _mm512_load_ps(init + c * S.lanes);
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma GCC unroll 32
      for (int c = 0; c < S.chains; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], a, b);
    }
  }
#pragma GCC unroll 32
  for (int c = 0; c < S.chains; ++c) _mm512_storeu_ps(out + c * S.lanes, acc[c]);
}

__attribute__((target("avx512f,avx512vnni"))) void chains_int8_avx512(int64_t thread,
                                                                      int64_t rounds,
                                                                      int32_t* out) {
  constexpr ChainShape S = kAvx512Int8;
  const __m512i a = _mm512_set1_epi32(pack_bytes(narrow::kInt8A));
  const __m512i b = _mm512_set1_epi32(pack_bytes(narrow::kInt8B));
  alignas(64) int32_t init[S.chains * S.lanes];
  for (int c = 0; c < S.chains; ++c)
    for (int l = 0; l < S.lanes; ++l)
      init[c * S.lanes + l] = narrow::int8_start_value(thread, c, l);
  __m512i acc[S.chains];
  for (int c = 0; c < S.chains; ++c) acc[c] = _mm512_load_si512(init + c * S.lanes);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
    for (int c = 0; c < S.chains; ++c) acc[c] = _mm512_load_si512(init + c * S.lanes);
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma GCC unroll 32
      for (int c = 0; c < S.chains; ++c) acc[c] = _mm512_dpbusd_epi32(acc[c], a, b);
    }
  }
#pragma GCC unroll 32
  for (int c = 0; c < S.chains; ++c) _mm512_storeu_si512(out + c * S.lanes, acc[c]);
}

__attribute__((target("avx2,avxvnni"))) void chains_int8_avxvnni(int64_t thread, int64_t rounds,
                                                                 int32_t* out) {
  constexpr ChainShape S = kAvxVnniInt8;
  const __m256i a = _mm256_set1_epi32(pack_bytes(narrow::kInt8A));
  const __m256i b = _mm256_set1_epi32(pack_bytes(narrow::kInt8B));
  alignas(32) int32_t init[S.chains * S.lanes];
  for (int c = 0; c < S.chains; ++c)
    for (int l = 0; l < S.lanes; ++l)
      init[c * S.lanes + l] = narrow::int8_start_value(thread, c, l);
  __m256i acc[S.chains];
  for (int c = 0; c < S.chains; ++c)
    acc[c] = _mm256_load_si256(reinterpret_cast<const __m256i*>(init + c * S.lanes));
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
    for (int c = 0; c < S.chains; ++c)
      acc[c] = _mm256_load_si256(reinterpret_cast<const __m256i*>(init + c * S.lanes));
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma GCC unroll 32
      for (int c = 0; c < S.chains; ++c) acc[c] = _mm256_dpbusd_avx_epi32(acc[c], a, b);
    }
  }
#pragma GCC unroll 32
  for (int c = 0; c < S.chains; ++c)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c * S.lanes), acc[c]);
}

#else  // not x86-64: never selected (the ISA check says no).

void chains_bf16_avx512(int64_t, int64_t, float*) {}
void chains_int8_avx512(int64_t, int64_t, int32_t*) {}
void chains_int8_avxvnni(int64_t, int64_t, int32_t*) {}

#endif

}  // namespace flopscope::peak::cpu
