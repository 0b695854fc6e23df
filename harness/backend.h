// The interface every device backend (cpu, cuda, hip) implements, and the
// registry the harness finds them in.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/device.h"
#include "harness/kernel_run.h"
#include "harness/sensors.h"

namespace flopscope {

// A process other than flopscope found on a device before a run.
struct DeviceProcess {
  int pid = 0;
  std::string name;
  double memory_bytes = 0;  // device memory it holds; 0 when unknown
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string kind() const = 0;  // "cpu", "cuda", "hip"
  // Devices of this kind that are present. Empty with unavailable_reason()
  // set when the runtime or driver is missing.
  virtual std::vector<Device> devices() = 0;
  virtual std::string unavailable_reason() const { return {}; }
  // Default sizes for a kernel on a device; quick picks small ones.
  virtual std::vector<ProblemSize> default_sizes(const Device& d, KernelKind k, Precision p,
                                                 bool quick) = 0;
  // Turns user sizes (--sizes values: one or more dimensions each) into
  // problem sizes; throws UsageError for impossible ones.
  virtual ProblemSize size_from_user(const Device& d, KernelKind k, Precision p,
                                     const std::vector<int64_t>& dims) = 0;
  // The same for kernels with several variants at one size (stream copy and
  // triad, 7- and 25-point stencils): one problem size per variant.
  virtual std::vector<ProblemSize> sizes_from_user(const Device& d, KernelKind k, Precision p,
                                                   const std::vector<int64_t>& dims) {
    return {size_from_user(d, k, p, dims)};
  }
  // nullptr with *unsupported set when the device has no implementation
  // (`unsupported` is never null).
  virtual std::unique_ptr<KernelRun> make_run(const Device& d, const KernelRequest& request,
                                              std::string* unsupported) = 0;
  // The device's clock measured now, under load; nullopt when it can't be.
  virtual std::optional<double> measure_clock_hz(const Device& /*d*/) { return std::nullopt; }
  // True when measure_clock_hz only reads a sensor (GPUs: NVML, ROCm SMI),
  // so that it can be sampled while a kernel runs: a GPU clock read before
  // and after a run is an idle clock. The CPU's loads its cores instead.
  virtual bool clock_is_passive() const { return false; }
  // An active probe short enough to run before every repetition of a burst
  // figure (the host's clock can move by 5-10% within a series); nullopt
  // where there is none (a passive clock is sampled throughout instead).
  virtual std::optional<double> probe_clock_briefly_hz(const Device& /*d*/) { return std::nullopt; }
  // Telemetry beside a soak (clocks, temperature, power, throttle reasons,
  // error counters); nullptr when this backend reads none.
  virtual std::unique_ptr<SensorSource> sensors(const Device& /*d*/) { return nullptr; }
  // Other processes using the device, for the pre-flight check; nullopt
  // when the backend cannot tell (the result then says "not checked").
  virtual std::optional<std::vector<DeviceProcess>> device_processes(const Device& /*d*/) {
    return std::nullopt;
  }
  // Limits the host cores this backend's work may use to `pus` (OS indices,
  // one per core): an MPI rank's share of a node, or the cores left to the
  // CPU kernels while GPU host threads hold others (--concurrent). Call
  // before devices(). False when the backend has no host-side work to limit.
  virtual bool restrict_host_pus(const std::vector<int>& /*pus*/) { return false; }
};

using BackendFactory = std::function<std::unique_ptr<Backend>()>;

// Backends register themselves from their own folder (linked whole as
// OBJECT libraries, or loaded as plugins), so adding one touches only it.
void register_backend(std::string kind, BackendFactory factory);
std::vector<std::unique_ptr<Backend>> create_backends();

struct BackendRegistrar {
  BackendRegistrar(std::string kind, BackendFactory f) {
    register_backend(std::move(kind), std::move(f));
  }
};

}  // namespace flopscope
