// Complex-to-complex FFTs on NVIDIA GPUs through cuFFT: Z2Z (FP64) and C2C
// (FP32), the shapes, sizes and checks of kernels/fft/gpu.
#pragma once

#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::fft::cuda {

std::unique_ptr<KernelRun> make_cufft_run(const flopscope::gpu::GpuKernelContext& c,
                                          const KernelRequest& request, std::string* unsupported);

}  // namespace flopscope::fft::cuda
