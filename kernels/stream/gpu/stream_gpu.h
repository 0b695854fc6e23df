// Stream (copy, triad) on GPUs, written once for CUDA and HIP
// (stream_gpu.cu).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::stream::gpu {

// Passes over the arrays per timed iteration: one pass of a large array is
// about a millisecond, so an event pair per pass would cost a few percent.
inline constexpr int kPassesPerIteration = 10;

// Elements per array: 2^28 (2 GiB of FP64) full, 2^27 quick, halved until
// three arrays fit in a quarter of the memory, never under 8 x the L2.
int64_t default_stream_elements(uint64_t memory_bytes, uint64_t l2_bytes, int element_bytes,
                                bool quick);

// One size per variant: copy and triad.
std::vector<ProblemSize> stream_sizes(int64_t elements);
std::vector<ProblemSize> default_stream_sizes(const flopscope::gpu::GpuKernelContext& c,
                                              Precision p, bool quick);

// FP64 and FP32; nullptr with *unsupported otherwise.
std::unique_ptr<KernelRun> make_gpu_stream_run(const flopscope::gpu::GpuKernelContext& c,
                                               const KernelRequest& request,
                                               std::string* unsupported);

}  // namespace flopscope::stream::gpu
