// The micro-kernels' common shape (internal to the engine). A micro-kernel
// computes one MR x NR tile of C from a packed A micro-panel (k steps of MR
// elements, contiguous) and a packed B micro-panel (k steps of NR elements):
//   C[0:MR, 0:NR] = alpha * A_panel * B_panel + beta * C[0:MR, 0:NR]
// with C column-major (rows contiguous, columns ldc apart), C not read when
// beta == 0. A panels are 64-byte aligned (their vectors are loaded
// aligned); B panels need not be (KC x NR elements each, read a broadcast
// at a time). Only full tiles: the driver sends edge tiles through a scratch
// tile of its own.
//
// This header holds no standard-library includes on purpose: the ISA files
// compile everything after it under `#pragma GCC target`, and an inline
// library function instantiated there with AVX-512 instructions could be the
// copy the linker keeps for the whole program.
#pragma once

#include <cstdint>

namespace flopscope::gemm::own {

// Elements of T in a 64-byte cache line, the line of every CPU the engine
// runs on.
template <typename T>
inline constexpr int kPerLine = static_cast<int>(64 / sizeof(T));

// What a call asks the caches for on behalf of the calls after it
// (own_lookahead.h says why and how): the C tile the next call updates, a
// whole MR x NR one, and a slice of the B micro-panel that comes after the
// current one. Either may be empty. The tile has its own ldc: the call
// before an edge tile's writes C, and an edge tile's call writes a scratch
// tile. (The driver names no edge tile: its size would be one more thing
// for every call to carry, and the next call writes no C of its own.)
template <typename T>
struct Lookahead {
  const T* next_c = nullptr;  // null: no tile to ask for
  int64_t ldc = 0;            // next_c's column distance
  const T* b_from = nullptr;  // [b_from, b_to): part of the next B micro-panel
  const T* b_to = nullptr;
};

template <typename T>
using MicroKernelFn = void (*)(int64_t k, const T* a, const T* b, T alpha, T beta, T* c,
                               int64_t ldc, const Lookahead<T>& ahead);

template <typename T>
struct MicroKernel {
  int mr = 0, nr = 0;
  MicroKernelFn<T> fn = nullptr;
};

// One per ISA file and precision: the file's tiles, numbered from 0 (its
// first is its default), and {} past its last. Calling fn on a CPU without
// the ISA raises SIGILL: the driver checks can_run first.
MicroKernel<double> avx2_dgemm_micro_kernel(int tile);
MicroKernel<float> avx2_sgemm_micro_kernel(int tile);
MicroKernel<double> avx512_dgemm_micro_kernel(int tile);
MicroKernel<float> avx512_sgemm_micro_kernel(int tile);
MicroKernel<double> neon_dgemm_micro_kernel(int tile);
MicroKernel<float> neon_sgemm_micro_kernel(int tile);

enum class IsaFamily;  // own_gemm.h

// Tile `tile` of an ISA family for T (double or float): the one place that
// maps a family to its functions above, for the variants list and the
// driver alike (own_variants.cpp). fn is null past the family's last tile
// and where the family is not built for this architecture.
template <typename T>
MicroKernel<T> compiled_micro_kernel(IsaFamily f, int tile);

}  // namespace flopscope::gemm::own
