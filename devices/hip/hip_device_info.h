// What flopscope knows about one AMD GPU, and the device record built from
// it. query_hip_devices() (hip_device_info.cpp) talks to the HIP runtime;
// everything else here is pure (hip_device_record.cpp), so tests can feed it
// recorded GPUs without a GPU or the runtime.
//
// MI250 and MI250X are two GCDs per package and HIP shows each GCD as its
// own device with its own PCI bus id: each is described on its own, and the
// AMD table's rows for them are per GCD. MI300X in CPX mode likewise shows
// each partition (38 CUs) as a device; the live CU count scales the peak.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/hip/rocm_smi_library.h"
#include "devices/topology/topology.h"
#include "harness/device.h"

namespace flopscope::hip {

struct HipDeviceInfo {
  int ordinal = 0;  // the HIP runtime's index (hip:N)
  std::string name;
  std::string gcn_arch_name;    // as the runtime gives it: "gfx90a:sramecc+:xnack-"
  int compute_units = 0;        // physical CUs (compute_units_from_runtime)
  int multiprocessors = 0;      // the runtime's multiProcessorCount (WGPs on RDNA)
  int wave_size = 64;           // warpSize: 64 on CDNA, 32 on RDNA
  double engine_clock_mhz = 0;  // the runtime's peak engine clock
  double memory_clock_mhz = 0;  // the runtime's peak memory clock
  int memory_bus_bits = 0;
  uint64_t memory_bytes = 0;
  uint64_t l2_bytes = 0;
  std::string pci_bus_id;                 // hwloc's form, "0000:3b:00.0"
  std::optional<uint16_t> pci_device_id;  // from sysfs, else ROCm SMI or the topology
  std::optional<RocmSmiReading> rocm_smi;
  std::string rocm_smi_unavailable;  // why there is no ROCm SMI reading
  int numa_node = -1;
  std::vector<int> host_pus;  // one PU per core near the GPU (empty: unpinned)
  // The versions a result must name to be reproduced: the amdgpu kernel
  // driver's (where /sys/module/amdgpu/version has it) and the HIP
  // runtime's ("6.2.41133"); empty when unknown.
  std::string amdgpu_driver, hip_runtime;

  // The gfx target without features: "gfx90a".
  std::string arch() const { return gcn_arch_name.substr(0, gcn_arch_name.find(':')); }
};

// Every HIP device, or empty with *reason set: "no HIP device", or "no HIP
// device (<runtime error>)" when the runtime reports a driver problem.
// `topology` (may be null) places each GPU's host threads on its NUMA node
// by bus id.
std::vector<HipDeviceInfo> query_hip_devices(const topo::Topology* topology, std::string* reason);

// Physical CUs from the runtime's multiprocessor count. RDNA (gfx10, gfx11,
// gfx12) runs in WGP mode by default, where the runtime counts work-group
// processors of two CUs each; `wgp_mode` false is the runtime's CU mode
// (GPU_ENABLE_WGP_MODE=0). CDNA and GCN count CUs.
int compute_units_from_runtime(const std::string& arch, int multiprocessors, bool wgp_mode);

// Fills numa_node and host_pus (and a missing PCI device id) from the
// topology GPU with the same bus id.
void place_on_topology(HipDeviceInfo& info, const topo::Topology& topology);

// The device record: identity, peaks from the AMD table (PCI device id
// first, then the name, then the only table row of the gfx target; the live
// CU count replaces the table's), details.
Device describe_hip_device(const HipDeviceInfo& info);

}  // namespace flopscope::hip
