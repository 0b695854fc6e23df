// Registers the stream kernel with the CPU backend: copy and triad, FP64 and
// FP32, arrays of 4 x the L3 or 256 MiB each, whichever is larger.
#include <unistd.h>

#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/errors.h"
#include "kernels/stream/cpu/stream_cpu.h"

namespace flopscope::stream::cpu {

namespace {

using flopscope::cpu::CpuContext;

bool has_loop(Precision p) {
  return p == Precision::fp64 || p == Precision::fp32;
}

int element_bytes(Precision p) {
  return p == Precision::fp32 ? 4 : 8;
}

uint64_t memory_bytes() {
  return static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
         static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::vector<ProblemSize> both_ops(int64_t elements) {
  return {ProblemSize{{{"elements", elements}}, variant_name(Op::copy)},
          ProblemSize{{{"elements", elements}}, variant_name(Op::triad)}};
}

// --sizes N: N elements per array, refused when the three arrays would need
// more than half of this machine's memory.
std::vector<ProblemSize> sizes_from_user(const CpuContext&, Precision p,
                                         const std::vector<int64_t>& dims) {
  if (dims.size() != 1) throw UsageError("--sizes for stream: one number of elements per array");
  const double need = 3.0 * static_cast<double>(dims[0]) * element_bytes(p);
  if (need > 0.5 * static_cast<double>(memory_bytes()))
    throw UsageError("--sizes for stream: " + std::to_string(dims[0]) + " elements need " +
                     std::to_string(static_cast<int64_t>(need / (1 << 20))) +
                     " MiB for three arrays, more than half of this machine's memory");
  return both_ops(dims[0]);
}

const flopscope::cpu::CpuKernelRegistrar kRegistrar({
    KernelKind::stream,
    [](const CpuContext& c, Precision p, bool quick) {
      const int64_t n = default_elements(c.l3_bytes_total, memory_bytes(), element_bytes(p), quick);
      // A precision without a loop gets one entry, reported unsupported once.
      if (!has_loop(p))
        return std::vector<ProblemSize>{ProblemSize{{{"elements", n}}, variant_name(Op::copy)}};
      return both_ops(n);
    },
    [](const CpuContext& c, Precision p, const std::vector<int64_t>& dims) {
      return sizes_from_user(c, p, dims).front();
    },
    [](const CpuContext& c, const KernelRequest& r,
       std::string* unsupported) -> std::unique_ptr<KernelRun> {
      auto fail = [&](const std::string& why) {
        if (unsupported) *unsupported = why;
        return nullptr;
      };
      if (!has_loop(r.precision))
        return fail("no CPU stream loop for " + std::string(to_string(r.precision)));
      StreamConfig config;
      if (r.size.variant.empty() || r.size.variant == variant_name(Op::copy))
        config.op = Op::copy;
      else if (r.size.variant == variant_name(Op::triad))
        config.op = Op::triad;
      else
        return fail("no stream variant '" + r.size.variant + "' (copy, triad)");
      config.precision = r.precision;
      config.elements = r.size.get("elements", 0);
      if (config.elements <= 0) return fail("stream needs a number of elements");
      config.isa = flopscope::cpu::best_vector_tier(c.isa);
      config.pus = c.pus;
      config.l3_bytes_total = c.l3_bytes_total;
      config.seed = r.seed;
      return make_cpu_stream_run(config);
    },
    sizes_from_user,
});

}  // namespace
}  // namespace flopscope::stream::cpu
