// The GEMM kernel on the CPU: the fastest verified library configuration,
// measured in a worker process of its own (see library_worker.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/kernel_run.h"
#include "kernels/gemm/cpu/gemm_probe.h"

namespace flopscope::gemm::cpu {

// Default sizes: square, large enough to be compute-bound (4096), or 2048
// for --quick.
std::vector<ProblemSize> default_gemm_sizes(bool quick);

// --sizes N (square) or MxNxK. Throws UsageError for other forms, for
// dimensions beyond 32-bit BLAS integers, and for matrices that would take
// more than half of `memory_bytes`.
ProblemSize gemm_size_from_user(Precision p, const std::vector<int64_t>& dims, double memory_bytes);

// The machine's physical memory.
double physical_memory_bytes();

struct GemmPlan {
  std::vector<GemmCandidate> candidates;  // what the request allows here
  std::string unsupported;                // set when nothing can run it
};

// The candidates for a request: every library configuration this CPU can
// run for its precision, narrowed by request.implementation. An unknown
// implementation name lists the available ones.
GemmPlan plan_gemm(const flopscope::cpu::CpuContext& ctx, const KernelRequest& request,
                   const std::vector<LibraryFile>& libraries);

// Probes (when more than one candidate) and starts the measured worker.
// nullptr with *unsupported set when no candidate can run.
std::unique_ptr<KernelRun> make_cpu_gemm_run(const flopscope::cpu::CpuContext& ctx,
                                             const KernelRequest& request,
                                             std::string* unsupported);

}  // namespace flopscope::gemm::cpu
