// User sizes (--sizes values) of the GPU kernels, the same rules on every GPU
// backend (CUDA, HIP): one place for the limits and the shapes they make.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/kernel_run.h"

namespace flopscope::gpu {

// GEMM: n or m,n,k (each at most 2^20); stream: an element count; peak:
// rounds (at most 10^6); stencil: n or nx,ny,nz (at most 65536); FFT: n,
// n,batch or nx,ny,nz (at most 2^30). Throws UsageError for anything else.
std::vector<ProblemSize> gpu_sizes_from_user(KernelKind k, const std::vector<int64_t>& dims);

}  // namespace flopscope::gpu
