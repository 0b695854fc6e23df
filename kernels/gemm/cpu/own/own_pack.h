// Packing (internal to the engine): copies a block of op(A) into MR-row
// micro-panels and a block of op(B) into NR-column micro-panels, in the
// order the micro-kernel reads them (k-major: MR, resp. NR, elements per k
// step), zero-padded at the edges so the micro-kernel always runs whole
// tiles. Any strides: a transposed operand is the same copy with its strides
// swapped.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own {

// A matrix element (i, j) at p[i * rs + j * cs].
template <typename T>
struct StridedView {
  const T* p = nullptr;
  int64_t rs = 1, cs = 1;
  const T* at(int64_t i, int64_t j) const { return p + i * rs + j * cs; }
};

// How many columns ahead pack_a_block asks for A. A block's columns are
// short runs (MC elements, 1 KiB at MC = 120 in FP64) a whole leading
// dimension apart, each from memory: too short for the hardware prefetchers
// to follow before it ends. Asked for 8 columns ahead, packing took 1.9% of
// a 1-thread DGEMM n=4096 on Zen 5 instead of 2.4% (perf samples, at MC 384; 4 ahead:
// 2.1%).
constexpr int64_t kAheadColumns = 8;

// Packs rows [0, mc) x columns [0, kc) of `a` (a view of op(A) already
// offset to the block) into ceil(mc / MR) micro-panels of MR x kc.
template <int MR, typename T>
void pack_a_block(const StridedView<T>& a, int64_t mc, int64_t kc, T* dst) {
  int64_t i0 = 0;
  if (a.rs == 1) {
    // Columns are contiguous: walk each column of the block once, from top
    // to bottom, dealing it out to the full panels. One pass over memory
    // per column instead of one per panel: about 40% faster here when A
    // comes from DRAM, as it does for every block.
    const int64_t full = mc / MR;
    for (int64_t p = 0; p < kc; ++p) {
      if (p + kAheadColumns < kc) {
        const T* ahead = a.at(0, p + kAheadColumns);
        for (int64_t i = 0; i < full * MR; i += kPerLine<T>) __builtin_prefetch(ahead + i, 0, 3);
      }
      const T* col = a.at(0, p);
      T* out = dst + p * MR;
      for (int64_t q = 0; q < full; ++q, col += MR, out += MR * kc)
        for (int r = 0; r < MR; ++r) out[r] = col[r];
    }
    i0 = full * MR;
    dst += full * MR * kc;
  }
  for (; i0 < mc; i0 += MR) {
    const int64_t rows = std::min<int64_t>(MR, mc - i0);
    const T* src = a.at(i0, 0);
    if (rows == MR && a.cs == 1) {  // rows of the panel are contiguous (transposed A)
      for (int64_t p = 0; p < kc; ++p, dst += MR)
        for (int r = 0; r < MR; ++r) dst[r] = src[r * a.rs + p];
    } else {
      for (int64_t p = 0; p < kc; ++p, dst += MR) {
        for (int64_t r = 0; r < rows; ++r) dst[r] = src[r * a.rs + p * a.cs];
        for (int64_t r = rows; r < MR; ++r) dst[r] = T(0);
      }
    }
  }
}

// Packs columns [q0 * NR, q1 * NR) (cut at nc) x rows [0, kc) of `b` (a view
// of op(B) already offset to the block) into micro-panels q0..q1-1 of
// kc x NR, each at dst + q * kc * NR.
template <int NR, typename T>
void pack_b_panels(const StridedView<T>& b, int64_t kc, int64_t nc, int64_t q0, int64_t q1,
                   T* dst) {
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t j0 = q * NR;
    const int64_t cols = std::min<int64_t>(NR, nc - j0);
    const T* src = b.at(0, j0);
    T* out = dst + q * kc * NR;
    if (cols == NR && b.cs == 1) {  // rows of the panel are contiguous (transposed B)
      for (int64_t p = 0; p < kc; ++p, out += NR) {
        const T* row = src + p * b.rs;
        for (int j = 0; j < NR; ++j) out[j] = row[j];
      }
    } else if (cols == NR) {
      for (int64_t p = 0; p < kc; ++p, out += NR)
        for (int j = 0; j < NR; ++j) out[j] = src[p * b.rs + j * b.cs];
    } else {
      for (int64_t p = 0; p < kc; ++p, out += NR) {
        for (int64_t j = 0; j < cols; ++j) out[j] = src[p * b.rs + j * b.cs];
        for (int64_t j = cols; j < NR; ++j) out[j] = T(0);
      }
    }
  }
}

}  // namespace flopscope::gemm::own
