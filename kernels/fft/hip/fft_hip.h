// Complex-to-complex forward FFTs on AMD GPUs through rocFFT, loaded at run
// time; the same sizes, FLOP count and checks as cuFFT (kernels/fft/gpu).
#pragma once

#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::fft::hip {

// nullptr with *unsupported set ("rocFFT not found at build time",
// "librocfft.so not found") when there is no rocFFT to run.
std::unique_ptr<KernelRun> make_rocfft_run(const flopscope::gpu::GpuKernelContext& c,
                                           const KernelRequest& request, std::string* unsupported);

}  // namespace flopscope::fft::hip
