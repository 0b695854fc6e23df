// What the CUDA and HIP backends share: the runtime's device list (queried
// once, each GPU placed on the live topology), lookup of a device record by
// its id ("cuda:0", "hip:3"), the user sizes, and a passive clock (a sensor
// read, sampled while kernels run). A backend supplies the runtime query,
// the record, and its kernels.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "devices/gpu_shim/gpu_user_sizes.h"
#include "devices/topology/topology.h"
#include "harness/backend.h"
#include "harness/errors.h"

namespace flopscope::gpu {

template <typename Info>  // CudaDeviceInfo, HipDeviceInfo: has `ordinal`
class GpuBackendBase : public Backend {
 public:
  std::vector<Device> devices() override {
    query();
    std::vector<Device> out;
    for (const auto& i : infos_) out.push_back(describe(i));
    return out;
  }
  std::string unavailable_reason() const override { return reason_; }
  ProblemSize size_from_user(const Device& d, KernelKind k, Precision p,
                             const std::vector<int64_t>& dims) override {
    return sizes_from_user(d, k, p, dims).front();
  }
  std::vector<ProblemSize> sizes_from_user(const Device&, KernelKind k, Precision,
                                           const std::vector<int64_t>& dims) override {
    return gpu_sizes_from_user(k, dims);
  }
  bool clock_is_passive() const override { return true; }

 protected:
  // The runtime's devices, or none with *reason set ("no CUDA device found").
  virtual std::vector<Info> query_devices(const topo::Topology* topology, std::string* reason) = 0;
  virtual Device describe(const Info& info) = 0;

  const Info& info(const Device& d) {
    query();
    for (const auto& i : infos_)
      if (kind() + ":" + std::to_string(i.ordinal) == d.id) return i;
    throw DeviceError(d.id + ": no such " + kind() + " device");
  }

 private:
  void query() {
    if (queried_) return;
    queried_ = true;
    std::optional<topo::Topology> topology;
    try {
      topology = topo::load_live_topology();
    } catch (const std::exception&) {
      // Without a topology the feeding threads are not pinned.
    }
    infos_ = query_devices(topology ? &*topology : nullptr, &reason_);
  }

  bool queried_ = false;
  std::vector<Info> infos_;
  std::string reason_;
};

}  // namespace flopscope::gpu
