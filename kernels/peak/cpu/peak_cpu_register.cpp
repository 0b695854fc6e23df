// Registers the FMA-chain kernel with the CPU backend.
#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/errors.h"
#include "kernels/peak/cpu/peak_cpu.h"
#include "kernels/peak/cpu/peak_narrow_cpu.h"

namespace flopscope::peak::cpu {

namespace {

using flopscope::cpu::CpuContext;

const flopscope::cpu::CpuKernelRegistrar kRegistrar({
    KernelKind::peak,
    [](const CpuContext&, Precision, bool) {
      return std::vector<ProblemSize>{ProblemSize{{{"rounds", kDefaultRounds}}}};
    },
    [](const CpuContext&, Precision, const std::vector<int64_t>& dims) {
      if (dims.size() != 1 || dims[0] > 1'000'000)
        throw UsageError(
            "--sizes for peak: one number of chain rounds per iteration, 1 to 1000000");
      return ProblemSize{{{"rounds", dims[0]}}};
    },
    [](const CpuContext& c, const KernelRequest& r,
       std::string* unsupported) -> std::unique_ptr<KernelRun> {
      if (r.precision == Precision::bf16 || r.precision == Precision::int8) {
        auto narrow = narrow_chain_isa(r.precision, c.isa, unsupported);
        if (!narrow) return nullptr;
        return make_cpu_narrow_peak_run(r.precision, *narrow, c.pus,
                                        r.size.get("rounds", kDefaultRounds));
      }
      auto isa = best_chain_isa(c.isa);
      auto run = make_cpu_peak_run(r.precision, isa, c.pus, r.size.get("rounds", kDefaultRounds));
      if (!run && unsupported)
        *unsupported = "no CPU FMA chain for " + std::string(to_string(r.precision)) + " yet";
      return run;
    },
});

}  // namespace
}  // namespace flopscope::peak::cpu
