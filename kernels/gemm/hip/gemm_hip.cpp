#include "kernels/gemm/hip/gemm_hip.h"

#include "kernels/gemm/hip/gemm_hip_operands.h"
#include "kernels/gemm/hip/gemm_mfma.h"
#include "kernels/gemm/hip/gemm_rocblas.h"

namespace flopscope::gemm::hip {

std::vector<ProblemSize> default_hip_gemm_sizes(const flopscope::gpu::GpuKernelContext& c,
                                                Precision p, bool quick) {
  const HipGemmFormat* f = hip_gemm_format(p);
  // Precisions without a format still get a size: make_run says why they
  // do not run.
  const int64_t n = f ? default_hip_gemm_n(*f, c.memory_bytes, quick) : 1024;
  return {ProblemSize{{{"n", n > 0 ? n : 1024}}}};
}

std::unique_ptr<KernelRun> make_hip_gemm_run(const flopscope::gpu::GpuKernelContext& c,
                                             const KernelRequest& request,
                                             std::string* unsupported) {
  auto refuse = [&](std::string why) -> std::unique_ptr<KernelRun> {
    if (unsupported) *unsupported = std::move(why);
    return nullptr;
  };
  const std::string& forced = request.implementation;
  if (!forced.empty() && forced != "rocblas" && forced.rfind("flopscope-mfma", 0) != 0)
    return refuse("unknown HIP GEMM implementation '" + forced + "' (rocblas, flopscope-mfma)");
  // rocBLAS first: the vendor's tuned kernels are the baseline a user
  // compares against; the own MFMA GEMM runs where rocBLAS is missing.
  std::string rocblas_why = rocblas_unavailable_reason();
  const HipGemmFormat* f = hip_gemm_format(request.precision);
  if (!f) rocblas_why = "rocBLAS has no dense GEMM for this precision here";
  if (rocblas_why.empty() && forced.rfind("flopscope-mfma", 0) != 0) {
    const int64_t n = request.size.get("n");
    const int64_t m = request.size.get("m", n), k = request.size.get("k", n);
    if (m <= 0 || n <= 0 || k <= 0) return refuse("GEMM sizes must be positive");
    const uint64_t bytes = static_cast<uint64_t>(m * k + k * n) * element_bytes(f->input) +
                           static_cast<uint64_t>(m * n) * element_bytes(f->output);
    if (bytes > c.memory_bytes / 10 * 8) return refuse("GEMM operands do not fit in memory");
    return make_rocblas_gemm_run(c, *f, m, n, k, request.seed);
  }
  if (forced == "rocblas") return refuse("rocBLAS unavailable: " + rocblas_why);
  std::string mfma_why;
  if (auto run = make_mfma_gemm_run(c, request, &mfma_why)) return run;
  return refuse("rocBLAS unavailable (" + rocblas_why + "); flopscope's MFMA GEMM: " + mfma_why);
}

}  // namespace flopscope::gemm::hip
