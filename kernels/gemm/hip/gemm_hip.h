// GEMM on AMD GPUs: rocBLAS (rocblas_gemm_ex) when the build found its
// headers and the library loads at run time, else flopscope's own MFMA GEMM
// (gemm_mfma.h); the run's implementation string says which ran.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::gemm::hip {

// One square size per precision, large enough for the device and within a
// quarter of its memory (default_hip_gemm_n in gemm_hip_operands.h).
std::vector<ProblemSize> default_hip_gemm_sizes(const flopscope::gpu::GpuKernelContext& c,
                                                Precision p, bool quick);

// nullptr with *unsupported set when neither rocBLAS nor the own GEMM has
// the precision on this device.
std::unique_ptr<KernelRun> make_hip_gemm_run(const flopscope::gpu::GpuKernelContext& c,
                                             const KernelRequest& request,
                                             std::string* unsupported);

}  // namespace flopscope::gemm::hip
