#include "devices/gpu_shim/gpu_placement.h"

#include <fstream>

#include "devices/topology/pinning.h"

namespace flopscope::gpu {

std::optional<GpuPlacement> place_gpu(const topo::Topology& topology, const std::string& bus_id,
                                      uint16_t vendor_id) {
  for (const auto& g : topology.gpus) {
    if (g.pci_bus_id != bus_id) continue;
    GpuPlacement p;
    p.numa_node = g.numa_node;
    if (!g.cpuset.empty()) p.host_pus = topo::pu_per_core_in(topology, g.cpuset);
    if (g.vendor_id == vendor_id) p.pci_device_id = g.device_id;
    return p;
  }
  return std::nullopt;
}

std::optional<uint16_t> pci_device_id_from_sysfs(const std::string& bus_id) {
  std::ifstream f("/sys/bus/pci/devices/" + bus_id + "/device");
  std::string text;
  if (!(f >> text)) return std::nullopt;
  try {
    return static_cast<uint16_t>(std::stoul(text, nullptr, 16));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace flopscope::gpu
