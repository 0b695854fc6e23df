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
// is stored as contiguous elements of one column.
#pragma once

#include <cstdint>

#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own {

// The caches' side of a call (`ahead`, own_microkernel.h). In a large GEMM C
// comes from memory and the next B micro-panel from the L3, so each call asks
// for what the calls after it will need: the next C tile, and a slice of the
// next B micro-panel (the driver gives each call on a panel its own slice).
// The requests go out one line of each per group of kGroup k steps, not all
// at the start: a burst of 30-60 misses at the top of the call held the miss
// buffers the A micro-panel's stream from the L2 needs, and the C tile asked
// for by the call itself arrived too late or was pushed out of the L1 by that
// stream before the end. On one Zen 5 core, in the loop of the driver
// (24x8, KC 256, MC 384, C and B from beyond the L2), interleaved runs gave
// the spread requests 1.067x the rate of the bursts (4.6% from C, the rest
// from B). Whatever a short k loop did not reach is asked for after it.
// Prefetches never fault, so neither pointer needs to be dereferenceable.
template <typename S, int MR, int NR>
class LookaheadRequests {
 public:
  using T = typename S::T;
  LookaheadRequests(const Lookahead<T>& ahead, int64_t ldc)
      : c_(ahead.next_c),
        ldc_(ldc),
        column_(ahead.next_c ? 0 : NR),
        b_(ahead.b_from),
        b_end_(ahead.b_to),
        b_last_(ahead.b_from < ahead.b_to ? ahead.b_to - 1 : nullptr) {}

  // One line of the B slice and one of the C tile, if any are left.
  void one_each() {
    if (b_ < b_end_) {
      S::prefetch(b_);
      b_ += kPerLine;
    }
    if (column_ < NR) next_c_line();
  }

  // What the k loop did not reach, and the slice's last line (its start
  // need not be line-aligned: a panel of odd KC x NR elements is not).
  void rest() {
    for (; b_ < b_end_; b_ += kPerLine) S::prefetch(b_);
    if (b_last_) S::prefetch(b_last_);
    while (column_ < NR) next_c_line();
  }

 private:
  static constexpr int kPerLine = static_cast<int>(64 / sizeof(T));
  // A column of MR elements spans MR x sizeof(T) / 64 lines, one more when
  // it is not line-aligned: a request per line-sized step and one for the
  // last element cover both. (The first and last lines alone left the middle
  // line of a 24-double column to a miss: 4-6% of DGEMM n=4096 on 2 Zen 5
  // cores.)
  void next_c_line() {
    S::prefetch(c_ + column_ * ldc_ + (row_ < MR ? row_ : MR - 1));
    row_ += kPerLine;
    if (row_ >= MR + kPerLine) {
      row_ = 0;
      ++column_;
    }
  }

  const T* c_;
  int64_t ldc_;
  int column_, row_ = 0;
  const T* b_;
  const T* b_end_;
  const T* b_last_;
};

template <typename S, int MV, int NR>
inline void micro_kernel_body(int64_t k, const typename S::T* __restrict a,
                              const typename S::T* __restrict b, typename S::T alpha,
                              typename S::T beta, typename S::T* __restrict c, int64_t ldc,
                              const Lookahead<typename S::T>& ahead) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int L = S::kLanes;
  constexpr int MR = MV * L;
  // 4 steps per group: up to 64 groups in a KC of 256, enough for the 32-42
  // lines of a C tile and a B slice of 16 lines (MC = 384, MR = 24).
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

  LookaheadRequests<S, MR, NR> requests(ahead, ldc);
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
