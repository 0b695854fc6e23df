// The caches' side of a micro-kernel call (internal to the engine): the
// requests that carry out its Lookahead (own_microkernel.h), spread over its
// k loop by micro_kernel_body.
//
// In a large GEMM C comes from memory and the next B micro-panel from the
// L3, so each call asks for what the calls after it will need: the next C
// tile, and its own slice of the next B micro-panel. The requests go out one
// line of each per few k steps, not all at the start: a burst of 30-60
// misses at the top of the call held the miss buffers that the A
// micro-panel's stream from the L2 needs, and a C tile asked for by the call
// that updates it arrived late or was pushed out of the L1 by that stream
// before the end. On one Zen 5 core, in a loop of the driver's shape (24x8,
// KC 256, MC 384, C and B from beyond the L2), interleaved runs gave the
// spread requests 1.067x the rate of the bursts (4.6% from C, the rest from
// B). Whatever a short k loop did not reach is asked for after it.
//
// B is asked for with the traits' prefetch (into the L1), a slice of 16
// lines per call at MC = 384: in that loop the L2 hint (_MM_HINT_T1) ran 3-8%
// slower at MC = 384 in both rounds, and alike at MC = 96. At the blocking
// of today (KC 512, MC 120: slices of 103 lines) the L2 hint ran 2-4%
// slower in 2 of 3 alternating DGEMM n=4096 pairs on 2 Zen 5 cores.
#pragma once

#include <cstdint>

#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own {

template <typename S, int MR, int NR>
class LookaheadRequests {
 public:
  using T = typename S::T;
  explicit LookaheadRequests(const Lookahead<T>& ahead)
      : c_(ahead.next_c),
        ldc_(ahead.ldc),
        column_(ahead.next_c ? 0 : NR),
        b_(ahead.b_from),
        b_end_(ahead.b_to),
        b_last_(ahead.b_from < ahead.b_to ? ahead.b_to - 1 : nullptr) {}

  // One line of the B slice and one of the C tile, if any are left.
  void one_each() {
    if (b_ < b_end_) next_b_line();
    if (column_ < NR) next_c_line();
  }

  // What the k loop did not reach, and the slice's last line (a B panel
  // need not start on a line: see own_microkernel.h).
  void rest() {
    while (b_ < b_end_) next_b_line();
    if (b_last_) S::prefetch(b_last_);
    while (column_ < NR) next_c_line();
  }

 private:
  // Steps a line at a time, never past the slice's end.
  void next_b_line() {
    S::prefetch(b_);
    b_ = b_end_ - b_ > kPerLine<T> ? b_ + kPerLine<T> : b_end_;
  }

  // A column of MR elements spans MR x sizeof(T) / 64 lines, one more when
  // it is not line-aligned: a request per line-sized step and one for its
  // last element cover both. (The first and last lines alone left the
  // middle line of a 24-double column to a miss: 4-6% of DGEMM n=4096 on 2
  // Zen 5 cores.)
  void next_c_line() {
    S::prefetch(c_ + column_ * ldc_ + (row_ < MR ? row_ : MR - 1));
    row_ += kPerLine<T>;
    if (row_ >= MR + kPerLine<T>) {
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

}  // namespace flopscope::gemm::own
