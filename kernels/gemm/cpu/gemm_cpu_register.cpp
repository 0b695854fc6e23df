// Registers the library GEMM with the CPU backend.
#include "devices/cpu/cpu_kernel_registry.h"
#include "kernels/gemm/cpu/gemm_cpu.h"

namespace flopscope::gemm::cpu {

namespace {

using flopscope::cpu::CpuContext;

const flopscope::cpu::CpuKernelRegistrar kRegistrar({
    KernelKind::gemm,
    [](const CpuContext&, Precision, bool quick) { return default_gemm_sizes(quick); },
    [](const CpuContext&, Precision p, const std::vector<int64_t>& dims) {
      return gemm_size_from_user(p, dims, physical_memory_bytes());
    },
    [](const CpuContext& c, const KernelRequest& r, std::string* unsupported) {
      return make_cpu_gemm_run(c, r, unsupported);
    },
    /*sizes_from_user=*/{},
    /*chooses_implementation=*/true,
});

}  // namespace
}  // namespace flopscope::gemm::cpu
