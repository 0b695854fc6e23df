// What flopscope knows about one CUDA GPU, and the device record built from
// it. query_cuda_devices() talks to the CUDA runtime; describe_cuda_device()
// is pure, so tests can feed it a recorded GPU.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/cuda/nvml_library.h"
#include "devices/topology/topology.h"
#include "harness/device.h"

namespace flopscope::cuda {

struct CudaDeviceInfo {
  int ordinal = 0;  // the CUDA runtime's index (cuda:N)
  std::string name;
  int sms = 0;
  int cc_major = 0, cc_minor = 0;
  double sm_clock_mhz = 0;      // the runtime's peak SM clock
  double memory_clock_mhz = 0;  // the runtime's peak memory clock
  int memory_bus_bits = 0;
  uint64_t memory_bytes = 0;
  uint64_t l2_bytes = 0;
  std::string pci_bus_id;                 // hwloc's form, "0000:3b:00.0"
  std::string uuid;                       // "GPU-xxxxxxxx-xxxx-..."
  std::optional<uint16_t> pci_device_id;  // from NVML, else sysfs
  std::optional<NvmlReading> nvml;
  std::string nvml_unavailable;  // why there is no NVML reading
  int numa_node = -1;
  std::vector<int> host_pus;  // one PU per core near the GPU (empty: unpinned)
  // The CUDA versions a result must name to be reproduced: the highest API
  // the driver supports and the runtime flopscope runs on ("13.0"; empty
  // when the call failed).
  std::string cuda_driver_api, cuda_runtime;

  int compute_capability() const { return cc_major * 10 + cc_minor; }
};

// Every CUDA device, or empty with *reason set ("no CUDA device found",
// "unavailable: no NVIDIA driver (libcuda.so.1)", ...). `topology` (may be
// null) places each GPU's host threads on its NUMA node by bus id.
std::vector<CudaDeviceInfo> query_cuda_devices(const topo::Topology* topology, std::string* reason);

// Fills numa_node and host_pus from the topology GPU with the same bus id.
void place_on_topology(CudaDeviceInfo& info, const topo::Topology& topology);

// The device record: identity, peaks from the NVIDIA table (PCI device id
// first, then the name; the live SM count replaces the table's), details.
Device describe_cuda_device(const CudaDeviceInfo& info);

}  // namespace flopscope::cuda
