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

namespace flopscope {

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
  // nullptr with *unsupported set when the device has no implementation.
  virtual std::unique_ptr<KernelRun> make_run(const Device& d, const KernelRequest& request,
                                              std::string* unsupported) = 0;
  // The device's clock measured now, under load; nullopt when it can't be.
  virtual std::optional<double> measure_clock_hz(const Device& /*d*/) { return std::nullopt; }
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
