// GEMM on NVIDIA GPUs through cuBLAS (FP64, FP32) and cuBLASLt (TF32, FP16,
// BF16, FP8, INT8), square or m x n x k, every element verified.
#pragma once

#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::gemm::cuda {

// nullptr with *unsupported set when the GPU lacks the precision (FP8 before
// sm_89) or the size is impossible. Throws DeviceError on runtime failures.
std::unique_ptr<KernelRun> make_cublas_gemm_run(const flopscope::gpu::GpuKernelContext& ctx,
                                                const KernelRequest& request,
                                                std::string* unsupported);

}  // namespace flopscope::gemm::cuda
