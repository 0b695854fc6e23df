// The CPU backend: the whole node's CPU as one device (cpu0), identified by
// cpuid and the microarchitecture table, its clock measured under load, its
// threads one per core, pinned from the hwloc topology.
#pragma once

#include <optional>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_kernel_registry.h"
#include "devices/cpu/cpu_microarch.h"
#include "devices/topology/topology.h"
#include "harness/backend.h"

namespace flopscope::cpu {

// What identification and peak derivation concluded; also used by tests.
struct CpuDescription {
  CpuIdent ident;
  CpuIsa isa;
  std::optional<Microarch> microarch;
  std::string unknown_reason;
  int cores = 0;
  CpuContext context;  // what kernels get: ISA, pinning PUs, cache sizes
};

// Builds the device record: peaks at `clock_hz` (measured under load) and at
// the spec clock when one is known.
Device describe_cpu_device(const CpuDescription& c, double clock_hz,
                           const std::vector<double>& per_thread_clock_hz);

class CpuBackend final : public Backend {
 public:
  std::string kind() const override { return "cpu"; }
  std::vector<Device> devices() override;
  std::vector<ProblemSize> default_sizes(const Device& d, KernelKind k, Precision p,
                                         bool quick) override;
  ProblemSize size_from_user(const Device& d, KernelKind k, Precision p,
                             const std::vector<int64_t>& dims) override;
  std::vector<ProblemSize> sizes_from_user(const Device& d, KernelKind k, Precision p,
                                           const std::vector<int64_t>& dims) override;
  std::unique_ptr<KernelRun> make_run(const Device& d, const KernelRequest& request,
                                      std::string* unsupported) override;
  std::optional<double> measure_clock_hz(const Device& d) override;
  std::optional<double> probe_clock_briefly_hz(const Device& d) override;
  std::unique_ptr<SensorSource> sensors(const Device& d) override;  // cpu_sensors.h
  bool restrict_host_pus(const std::vector<int>& pus) override;

 private:
  const CpuDescription& description();
  std::optional<CpuDescription> desc_;
  std::optional<Device> device_;
};

}  // namespace flopscope::cpu
