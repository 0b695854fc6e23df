// The peak kernel on GPUs' vector units (CUDA cores, stream processors):
// FMA chains in FP64, FP32 and packed FP16x2, written once for CUDA and HIP
// (peak_gpu.cu). Matrix-unit peaks are per vendor (kernels/peak/cuda for
// tensor cores, kernels/peak/hip for MFMA).
#pragma once

#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::peak::gpu {

// Independent accumulators per thread: with thousands of threads per SM the
// latency is hidden by other warps; a few chains add instruction-level
// parallelism for the FMA pipes.
inline constexpr int kGpuChains = 8;
// Blocks per SM/CU and their size: enough resident warps on every GPU.
inline constexpr int kGpuBlocksPerUnit = 8;
inline constexpr int kGpuThreadsPerBlock = 256;

bool has_vector_chain(Precision p);  // fp64, fp32, fp16 (as FP16x2)

// The variant of a peak size that runs on the matrix units (tensor cores,
// MFMA) for a precision that also has a vector chain: both are measured, so
// a GEMM on the matrix units is set against a matrix-unit peak and an FFT or
// stencil against the vector one.
inline constexpr const char* kMatrixPeakVariant = "matrix";
// Rounds of kStepsPerRound steps per timed iteration: about 10 ms on an
// H100-class GPU (quick: the same; the iteration count shrinks instead).
int64_t default_rounds(Precision p, bool quick);

std::unique_ptr<KernelRun> make_gpu_peak_run(const flopscope::gpu::GpuKernelContext& c,
                                             const KernelRequest& request,
                                             std::string* unsupported);

}  // namespace flopscope::peak::gpu
