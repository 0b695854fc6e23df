// The packed GEMM's driver with a micro-kernel chosen by the caller instead
// of by the CPU's ISA (internal to the engine and its tests). The tests run
// every tile the build carries through it with a portable micro-kernel of
// the same shape, so the packing, blocking and edge handling of AVX-512's
// tiles are checked on a machine without AVX-512 too.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own {

// As own_gemm, with kernel's tile (it must be one the driver has an instance
// for: 8x6, 24x8 and 16x14 for double, 16x6, 48x8 and 32x14 for float; otherwise
// std::invalid_argument). No ISA check: the caller vouches that kernel.fn
// runs on this CPU.
template <typename T>
void own_gemm_with_micro_kernel(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k,
                                T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta,
                                T* c, int64_t ldc, const MicroKernel<T>& kernel,
                                const OwnGemmBlocking& blocking, const std::vector<int>& pus);

}  // namespace flopscope::gemm::own
