// CPU kernels register here from their own folders (kernels/<k>/cpu/), so
// adding a CPU kernel touches its folder plus one CMake line.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_microarch.h"
#include "harness/kernel_run.h"

namespace flopscope::cpu {

// What a CPU kernel implementation gets from the backend.
struct CpuContext {
  CpuIsa isa;                          // live cpuid, OS-checked
  std::optional<Microarch> microarch;  // nullopt for CPUs the table does not know
  std::vector<int> pus;                // one PU per core, in pinning order
  uint64_t l1d_bytes_per_core = 0;     // sanity-checked sizes (see cache_source)
  uint64_t l2_bytes_per_core = 0;
  uint64_t l3_bytes_total = 0;
  std::string cache_source;  // where the sizes came from and what was corrected
  int threads() const { return pus.empty() ? 1 : static_cast<int>(pus.size()); }
};

struct CpuKernel {
  KernelKind kind;
  // Sizes when the user gives none; quick picks small ones.
  std::function<std::vector<ProblemSize>(const CpuContext&, Precision, bool quick)> default_sizes;
  // --sizes entries into problem sizes; throws UsageError for impossible ones.
  std::function<ProblemSize(const CpuContext&, Precision, const std::vector<int64_t>& dims)>
      size_from_user;
  // nullptr with *unsupported set when this precision has no implementation.
  std::function<std::unique_ptr<KernelRun>(const CpuContext&, const KernelRequest&,
                                           std::string* unsupported)>
      make;
  // Optional, for kernels with variants (stream copy/triad, 7-/25-point
  // stencils): one --sizes entry into one problem size per variant. When
  // empty, size_from_user gives the one size.
  std::function<std::vector<ProblemSize>(const CpuContext&, Precision,
                                         const std::vector<int64_t>& dims)>
      sizes_from_user = {};
  // True when `make` picks among implementations by --implementation itself
  // (the GEMM's libraries and configurations); otherwise a forced name must
  // begin the run's implementation() (only_if_named, harness/kernel_run.h).
  bool chooses_implementation = false;
};

void register_cpu_kernel(CpuKernel k);
const CpuKernel* find_cpu_kernel(KernelKind k);

struct CpuKernelRegistrar {
  explicit CpuKernelRegistrar(CpuKernel k) { register_cpu_kernel(std::move(k)); }
};

}  // namespace flopscope::cpu
