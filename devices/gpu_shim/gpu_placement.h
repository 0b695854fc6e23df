// Where a GPU sits in the node, the same for every vendor: its NUMA node and
// the host cores near it (matched to the hwloc topology by PCI bus id, the
// one identifier every runtime and management library agrees on), and its
// PCI device id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/topology/topology.h"

namespace flopscope::gpu {

struct GpuPlacement {
  int numa_node = -1;
  std::vector<int> host_pus;              // one PU per core near the GPU
  std::optional<uint16_t> pci_device_id;  // when the topology GPU is `vendor_id`'s
};

// The topology GPU with this bus id ("0000:3b:00.0"); nullopt when none.
std::optional<GpuPlacement> place_gpu(const topo::Topology& topology, const std::string& bus_id,
                                      uint16_t vendor_id);

// /sys/bus/pci/devices/<bus id>/device ("0x2335"); nullopt when unreadable.
std::optional<uint16_t> pci_device_id_from_sysfs(const std::string& bus_id);

}  // namespace flopscope::gpu
