// Registers the FFTW transform with the CPU backend.
#include <unistd.h>

#include "devices/cpu/cpu_kernel_registry.h"
#include "kernels/fft/cpu/fft_cpu.h"

namespace flopscope::fft::cpu {

namespace {

using flopscope::cpu::CpuContext;

double physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0;
}

const flopscope::cpu::CpuKernelRegistrar kRegistrar({
    KernelKind::fft,
    [](const CpuContext& c, Precision p, bool quick) { return default_fft_sizes(c, p, quick); },
    [](const CpuContext& c, Precision p, const std::vector<int64_t>& dims) {
      return fft_size_from_user(c, p, dims, physical_memory());
    },
    [](const CpuContext& c, const KernelRequest& r, std::string* unsupported) {
      return make_cpu_fft_run(c, r, unsupported);
    },
});

}  // namespace
}  // namespace flopscope::fft::cpu
