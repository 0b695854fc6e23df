// The 7- and 25-point star stencils (kernels/stencil/stencil_spec.h) on
// GPUs, written once for CUDA and HIP (stencil_gpu.cu).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::stencil::gpu {

// Sweeps per timed iteration: a sweep of a 512^3 FP64 grid takes about half a
// millisecond on an H100-class GPU, too short for one event pair each.
inline constexpr int kSweepsPerIteration = 10;

// Interior edge n of the default cube: 512 full, 384 quick, smaller until the
// two grids fit in a quarter of the memory; never under 8 x the L2 per grid.
int64_t default_stencil_edge(uint64_t memory_bytes, uint64_t l2_bytes, int element_bytes,
                             bool quick);

// One size per star: 7-point and 25-point.
std::vector<ProblemSize> stencil_sizes(int64_t nx, int64_t ny, int64_t nz);
std::vector<ProblemSize> default_stencil_sizes(const flopscope::gpu::GpuKernelContext& c,
                                               Precision p, bool quick);

// FP64 and FP32; nullptr with *unsupported otherwise.
std::unique_ptr<KernelRun> make_gpu_stencil_run(const flopscope::gpu::GpuKernelContext& c,
                                                const KernelRequest& request,
                                                std::string* unsupported);

}  // namespace flopscope::stencil::gpu
