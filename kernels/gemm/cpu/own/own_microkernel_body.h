// The register-blocked micro-kernel, written once over a vector-traits type
// S (see own_microkernel_avx2.cpp, own_microkernel_avx512.cpp,
// own_microkernel_neon.cpp). Included by the ISA files (the x86 ones after
// their `#pragma GCC target`; NEON is aarch64's baseline), with S from their
// anonymous namespace, so every instantiation is local to its file and built
// for its ISA; and by tests/test_own_gemm_tiles.cpp, whose S emulates each
// ISA's vectors in plain C++ to run every tile on any machine.
//
// The tile is MV vectors of C rows by NR columns: each k step loads MV
// vectors of the packed A micro-panel, broadcasts NR elements of the packed
// B micro-panel one at a time, and issues MV x NR independent FMAs into
// MV x NR accumulators that stay in registers for the whole k loop.
// Vectors run along the rows of C, so with C column-major each accumulator
// is stored as contiguous elements of one column. Around the k loop it
// carries out the call's Lookahead (own_lookahead.h).
#pragma once

#include <cstdint>

#include "kernels/gemm/cpu/own/own_lookahead.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own {

template <typename S, int MV, int NR>
inline void micro_kernel_body(int64_t k, const typename S::T* __restrict a,
                              const typename S::T* __restrict b, typename S::T alpha,
                              typename S::T beta, typename S::T* __restrict c, int64_t ldc,
                              const Lookahead<typename S::T>& ahead) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int L = S::kLanes;
  constexpr int MR = MV * L;
  // One line of each lookahead request (own_lookahead.h) per 4 k steps:
  // KC / 4 of each (128 at FP64's KC of 512, 256 at FP32's 1024). That
  // covers a C tile (12-42 lines) and, on the AVX-512 tiles at the blocking
  // of a 1 MiB L2, a B slice (the next KC x NR micro-panel over the calls
  // on the current one: 103 lines at MC 120 and MR 24, 256 at MC 96 and MR
  // 48). A smaller L2 gives fewer calls and larger slices, whose remainder
  // goes out after the k loop.
  constexpr int kGroup = 4;

  V acc[NR][MV];
#pragma GCC unroll 64
  for (int j = 0; j < NR; ++j)
#pragma GCC unroll 8
    for (int i = 0; i < MV; ++i) acc[j][i] = S::zero();

  auto step = [&] {
    V av[MV];
#pragma GCC unroll 8
    for (int i = 0; i < MV; ++i) av[i] = S::load(a + i * L);
#pragma GCC unroll 64
    for (int j = 0; j < NR; ++j) {
      const V bj = S::broadcast(b + j);
#pragma GCC unroll 8
      for (int i = 0; i < MV; ++i) acc[j][i] = S::fma(av[i], bj, acc[j][i]);
    }
    a += MR;
    b += NR;
  };

  LookaheadRequests<S, MR, NR> requests(ahead);
  // One loop of single steps with the request as a branch, not a loop of
  // groups around kGroup steps: GCC 12 spilled accumulators to the stack in
  // the nested form (94 stack accesses in the 16x14 kernel; none here).
#pragma GCC unroll 4
  for (int64_t p = 0; p < k; ++p) {
    if (p % kGroup == 0) requests.one_each();
    step();
  }
  requests.rest();

  const V va = S::set1(alpha);
  if (beta == T(0)) {
#pragma GCC unroll 64
    for (int j = 0; j < NR; ++j)
#pragma GCC unroll 8
      for (int i = 0; i < MV; ++i) S::storeu(c + j * ldc + i * L, S::mul(va, acc[j][i]));
    return;
  }
  const V vb = S::set1(beta);
#pragma GCC unroll 64
  for (int j = 0; j < NR; ++j)
#pragma GCC unroll 8
    for (int i = 0; i < MV; ++i) {
      T* col = c + j * ldc + i * L;
      S::storeu(col, S::fma(vb, S::loadu(col), S::mul(va, acc[j][i])));
    }
}

}  // namespace flopscope::gemm::own
