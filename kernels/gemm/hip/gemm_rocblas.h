// GEMM through rocBLAS's rocblas_gemm_ex, opened at run time.
#pragma once

#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"
#include "kernels/gemm/hip/gemm_hip_operands.h"

namespace flopscope::gemm::hip {

// Empty when rocBLAS can run here, else why not ("rocBLAS headers were not
// found when flopscope was built", "librocblas.so.4, ... not found").
std::string rocblas_unavailable_reason();

std::unique_ptr<KernelRun> make_rocblas_gemm_run(const flopscope::gpu::GpuKernelContext& c,
                                                 const HipGemmFormat& f, int64_t m, int64_t n,
                                                 int64_t k, uint64_t seed);

}  // namespace flopscope::gemm::hip
