#include "devices/cpu/cpu_backend.h"

#include <cstdio>

#include "devices/cpu/clock_probe.h"
#include "devices/topology/pinning.h"
#include "harness/errors.h"
#include "kernels/peak/cpu/peak_cpu.h"

namespace flopscope::cpu {

namespace {

const BackendRegistrar kRegistrar("cpu", [] { return std::make_unique<CpuBackend>(); });

std::string hex(int v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

}  // namespace

Device describe_cpu_device(const CpuDescription& c, double clock_hz,
                           const std::vector<double>& per_thread_clock_hz) {
  Device d;
  d.id = "cpu0";
  d.kind = "cpu";
  d.name = c.ident.model_name.empty() ? c.ident.vendor : c.ident.model_name;
  if (c.microarch) d.name += " (" + c.microarch->name + ")";
  if (c.microarch) {
    d.peaks = cpu_peaks(*c.microarch, c.isa, c.cores, clock_hz, ClockSource::measured_under_load,
                        c.ident.model_name);
    if (auto sc = spec_clock(c.ident)) {
      // HPL's Rpeak uses the base clock; the boost clock is what a single
      // core may reach, rarely all of them under FMA load.
      const bool base = sc->base_hz > 0;
      const double hz = base ? sc->base_hz : sc->boost_hz;
      if (hz > 0)
        d.spec_peaks =
            cpu_peaks(*c.microarch, c.isa, c.cores, hz,
                      base ? ClockSource::spec_base : ClockSource::spec_boost, c.ident.model_name);
      d.details["spec_clock"] = {
          {"base_hz", sc->base_hz}, {"boost_hz", sc->boost_hz}, {"source", sc->source}};
    } else {
      d.details["spec_clock"] = "unknown: the model name states no clock and no SKU entry matches";
    }
  } else {
    d.peaks = unknown_cpu_peaks(c.unknown_reason);
  }
  d.details["vendor"] = c.ident.vendor;
  d.details["family"] = c.ident.family >= 0 ? hex(c.ident.family) : "";
  d.details["model"] = c.ident.model >= 0 ? hex(c.ident.model) : "";
  d.details["model_name"] = c.ident.model_name;
  if (c.ident.arm_part) d.details["arm_part"] = hex(static_cast<int>(c.ident.arm_part));
  d.details["microarchitecture"] = c.microarch ? c.microarch->name : "unknown";
  if (c.microarch && !c.microarch->sku_exception.empty())
    d.details["sku_exception"] = c.microarch->sku_exception;
  d.details["isa"] = c.isa.names();
  d.details["cores"] = c.cores;
  d.details["threads"] = c.pus.size();
  d.details["pinned_pus"] = c.pus;
  d.details["clock_under_load"] = {{"mean_hz", clock_hz},
                                   {"per_thread_hz", per_thread_clock_hz},
                                   {"method", "dependent register adds on every pinned thread"}};
  return d;
}

const CpuDescription& CpuBackend::description() {
  if (desc_) return *desc_;
  CpuDescription c;
  c.ident = detect_cpu_ident();
  c.isa = detect_cpu_isa();
  std::string reason;
  c.microarch = identify_microarch(c.ident, &reason);
  c.unknown_reason = reason;
  try {
    auto t = topo::load_live_topology();
    c.cores = t.cores;
    c.pus = topo::pu_per_core(t);
  } catch (const topo::TopologyError&) {
    // Without a topology: one unpinned thread per hardware thread.
  }
  if (c.pus.empty()) c.cores = 1;
  desc_ = c;
  return *desc_;
}

std::vector<Device> CpuBackend::devices() {
  if (!device_) {
    const auto& c = description();
    auto reading = measure_clock(c.pus, 0.1);
    device_ = describe_cpu_device(c, reading.mean_hz, reading.per_thread_hz);
  }
  return {*device_};
}

std::vector<ProblemSize> CpuBackend::default_sizes(const Device&, KernelKind k, Precision, bool) {
  if (k == KernelKind::peak) return {ProblemSize{{{"rounds", peak::cpu::kDefaultRounds}}}};
  return {ProblemSize{}};
}

ProblemSize CpuBackend::size_from_user(const Device&, KernelKind k, Precision,
                                       const std::vector<int64_t>& dims) {
  if (k == KernelKind::peak) {
    if (dims.size() != 1 || dims[0] > 1'000'000)
      throw UsageError("--sizes for peak: one number of chain rounds per iteration, 1 to 1000000");
    return ProblemSize{{{"rounds", dims[0]}}};
  }
  ProblemSize s;
  static const char* names[] = {"m", "n", "k"};
  if (dims.size() == 1)
    s.dims.push_back({"n", dims[0]});
  else
    for (size_t i = 0; i < dims.size(); ++i) s.dims.push_back({names[i], dims[i]});
  return s;
}

std::unique_ptr<KernelRun> CpuBackend::make_run(const Device&, KernelKind k, Precision p,
                                                const ProblemSize& size, std::string* unsupported) {
  const auto& c = description();
  if (k == KernelKind::peak) {
    auto isa = peak::cpu::best_chain_isa(c.isa.avx512f, c.isa.avx2 && c.isa.fma);
    auto run =
        peak::cpu::make_cpu_peak_run(p, isa, c.pus, size.get("rounds", peak::cpu::kDefaultRounds));
    if (!run && unsupported)
      *unsupported = "no CPU FMA chain for " + std::string(to_string(p)) + " yet";
    return run;
  }
  if (unsupported) *unsupported = "no CPU implementation of " + std::string(to_string(k)) + " yet";
  return nullptr;
}

std::optional<double> CpuBackend::measure_clock_hz(const Device&) {
  return measure_clock(description().pus, 0.05).mean_hz;
}

}  // namespace flopscope::cpu
