// The micro-kernels' common shape (internal to the engine). A micro-kernel
// computes one MR x NR tile of C from a packed A micro-panel (k steps of MR
// elements, contiguous) and a packed B micro-panel (k steps of NR elements):
//   C[0:MR, 0:NR] = alpha * A_panel * B_panel + beta * C[0:MR, 0:NR]
// with C column-major (rows contiguous, columns ldc apart), C not read when
// beta == 0. Panels are 64-byte aligned. Only full tiles: the driver sends
// edge tiles through a scratch tile of its own.
//
// This header holds no standard-library includes on purpose: the ISA files
// compile everything after it under `#pragma GCC target`, and an inline
// library function instantiated there with AVX-512 instructions could be the
// copy the linker keeps for the whole program.
#pragma once

#include <cstdint>

namespace flopscope::gemm::own {

// What a call asks the caches for on behalf of the calls after it, spread
// over its k loop (own_microkernel_body.h says why): the C tile the next call
// updates (MR x NR, columns ldc apart, as c), and a slice of the B
// micro-panel that comes after the current one. Either may be empty.
template <typename T>
struct Lookahead {
  const T* next_c = nullptr;  // null: nothing to ask for
  const T* b_from = nullptr;  // [b_from, b_to): lines of the next B micro-panel
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
