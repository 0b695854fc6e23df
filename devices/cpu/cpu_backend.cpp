#include "devices/cpu/cpu_backend.h"

#include <algorithm>
#include <cstdio>

#include "devices/cpu/cache_sizes.h"
#include "devices/cpu/clock_probe.h"
#include "devices/cpu/cpu_sensors.h"
#include "devices/topology/pinning.h"
#include "harness/errors.h"

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
  d.details["threads"] = c.context.pus.size();
  d.details["caches_used"] = {{"l1d_bytes_per_core", c.context.l1d_bytes_per_core},
                              {"l2_bytes_per_core", c.context.l2_bytes_per_core},
                              {"l3_bytes_total", c.context.l3_bytes_total},
                              {"source", c.context.cache_source}};
  d.details["pinned_pus"] = c.context.pus;
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
  c.context.isa = c.isa;
  c.context.microarch = c.microarch;
  try {
    auto t = topo::load_live_topology();
    c.cores = t.cores;
    c.context.pus = topo::pu_per_core(t);
    set_cache_sizes(t, c.context);
  } catch (const topo::TopologyError&) {
    // Without a topology: one unpinned thread.
  }
  if (c.context.pus.empty()) c.cores = 1;
  desc_ = c;
  return *desc_;
}

std::vector<Device> CpuBackend::devices() {
  if (!device_) {
    const auto& c = description();
    auto reading = measure_clock(c.context.pus, 0.1);
    device_ = describe_cpu_device(c, reading.mean_hz, reading.per_thread_hz);
  }
  return {*device_};
}

std::vector<ProblemSize> CpuBackend::default_sizes(const Device&, KernelKind k, Precision p,
                                                   bool quick) {
  if (const CpuKernel* kernel = find_cpu_kernel(k))
    return kernel->default_sizes(description().context, p, quick);
  return {ProblemSize{}};  // make_run then reports it unsupported
}

ProblemSize CpuBackend::size_from_user(const Device&, KernelKind k, Precision p,
                                       const std::vector<int64_t>& dims) {
  if (const CpuKernel* kernel = find_cpu_kernel(k))
    return kernel->size_from_user(description().context, p, dims);
  ProblemSize s;
  static const char* names[] = {"m", "n", "k"};
  if (dims.size() == 1)
    s.dims.push_back({"n", dims[0]});
  else
    for (size_t i = 0; i < dims.size(); ++i) s.dims.push_back({names[i], dims[i]});
  return s;
}

std::vector<ProblemSize> CpuBackend::sizes_from_user(const Device& d, KernelKind k, Precision p,
                                                     const std::vector<int64_t>& dims) {
  if (const CpuKernel* kernel = find_cpu_kernel(k); kernel && kernel->sizes_from_user)
    return kernel->sizes_from_user(description().context, p, dims);
  return {size_from_user(d, k, p, dims)};
}

std::unique_ptr<KernelRun> CpuBackend::make_run(const Device&, const KernelRequest& request,
                                                std::string* unsupported) {
  if (const CpuKernel* kernel = find_cpu_kernel(request.kernel)) {
    auto run = kernel->make(description().context, request, unsupported);
    return kernel->chooses_implementation ? std::move(run)
                                          : only_if_named(std::move(run), request, unsupported);
  }
  if (unsupported)
    *unsupported = "no CPU implementation of " + std::string(to_string(request.kernel)) + " yet";
  return nullptr;
}

std::unique_ptr<SensorSource> CpuBackend::sensors(const Device&) {
  return make_cpu_sensors(description().context.pus);
}

// An MPI rank's share of the node, or the cores left when GPU host threads
// hold some (--concurrent): the device becomes those cores, and its peak
// counts only them.
bool CpuBackend::restrict_host_pus(const std::vector<int>& pus) {
  description();
  std::vector<int> kept;
  for (int pu : desc_->context.pus)
    if (std::find(pus.begin(), pus.end(), pu) != pus.end()) kept.push_back(pu);
  if (kept.empty()) return false;
  desc_->context.pus = kept;
  desc_->cores = static_cast<int>(kept.size());
  device_.reset();
  return true;
}

std::optional<double> CpuBackend::measure_clock_hz(const Device&) {
  return measure_clock(description().context.pus, 0.05).mean_hz;
}

// Asked for 5 ms: the best of three runs of 1.25-5 ms after a calibration,
// 5-20 ms in all. A burst's figure has one before each repetition, and
// Google Benchmark's warm-up and trial runs call its body too, about 10
// calls a figure: a --quick run took 35.9 s against 34.3 s without them.
std::optional<double> CpuBackend::probe_clock_briefly_hz(const Device&) {
  return measure_clock(description().context.pus, 0.005).mean_hz;
}

}  // namespace flopscope::cpu
