// Vectors of any width in plain C++, with the traits micro_kernel_body
// expects: the micro-kernels' arithmetic and their lookahead, run on any
// machine (test_own_gemm_tiles.cpp, test_own_gemm_lookahead.cpp).
#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>

namespace flopscope::gemm::own::testing {

// Aligned loads of the packed panels that were not aligned to the vector
// width: each would fault (AVX, AVX-512) on the real micro-kernel.
inline std::atomic<int> misaligned_loads{0};

// A vector of L lanes of T in plain C++, with the traits micro_kernel_body
// expects (see own_microkernel_avx2.cpp).
template <typename T_, int L>
struct Emulated {
  using T = T_;
  struct V {
    T lane[L];
  };
  static constexpr int kLanes = L;
  static V zero() { return set1(T(0)); }
  static V load(const T* p) {
    if (reinterpret_cast<uintptr_t>(p) % (L * sizeof(T)) != 0) ++misaligned_loads;
    return loadu(p);
  }
  static V loadu(const T* p) {
    V v;
    for (int i = 0; i < L; ++i) v.lane[i] = p[i];
    return v;
  }
  static void storeu(T* p, V v) {
    for (int i = 0; i < L; ++i) p[i] = v.lane[i];
  }
  static V broadcast(const T* p) { return set1(*p); }
  static V set1(T x) {
    V v;
    for (int i = 0; i < L; ++i) v.lane[i] = x;
    return v;
  }
  static V fma(V a, V b, V c) {
    for (int i = 0; i < L; ++i) c.lane[i] = std::fma(a.lane[i], b.lane[i], c.lane[i]);
    return c;
  }
  static V mul(V a, V b) {
    for (int i = 0; i < L; ++i) a.lane[i] *= b.lane[i];
    return a;
  }
  static void prefetch(const T*) {}
};

}  // namespace flopscope::gemm::own::testing
