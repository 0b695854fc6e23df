#include "harness/cli/host_placement.h"

#include <algorithm>
#include <set>

#include "devices/topology/pinning.h"

namespace flopscope::cli {

HostPlacement plan_host_placement(const topo::Topology& t, const std::vector<Device>& gpus,
                                  const std::vector<int>& available) {
  HostPlacement p;
  std::set<int> taken;
  nlohmann::json gpu_rec = nlohmann::json::object();
  for (const auto& g : gpus) {
    const std::string bus = topo::normalize_pci_bus_id(g.identity.pci_bus_id);
    std::vector<int> near;
    std::string why = "no NUMA locality known: any free core";
    for (const auto& loc : t.gpus)
      if (!bus.empty() && loc.pci_bus_id == bus && !loc.cpuset.empty()) {
        near = topo::pu_per_core_in(t, loc.cpuset);
        why = "NUMA node " + std::to_string(loc.numa_node) + " (CPUs " + loc.cpuset + ")";
      }
    // The last free near core: the CPU kernels fill from the first.
    int chosen = -1;
    for (auto it = near.rbegin(); it != near.rend() && chosen < 0; ++it)
      if (!taken.count(*it) &&
          std::find(available.begin(), available.end(), *it) != available.end())
        chosen = *it;
    for (auto it = available.rbegin(); it != available.rend() && chosen < 0; ++it)
      if (!taken.count(*it)) chosen = *it;
    if (chosen < 0) {
      gpu_rec[g.id] = {{"host_pu", nullptr}, {"why", "no free core left: unpinned"}};
      continue;
    }
    taken.insert(chosen);
    p.gpu_host_pu[g.id] = chosen;
    gpu_rec[g.id] = {{"host_pu", chosen}, {"why", why}};
  }
  for (int pu : available)
    if (!taken.count(pu)) p.cpu_pus.push_back(pu);
  p.record = {{"gpu_host_threads", gpu_rec}, {"cpu_kernel_pus", p.cpu_pus}};
  return p;
}

}  // namespace flopscope::cli
