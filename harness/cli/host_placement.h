// Where host threads run in --concurrent mode: each GPU's feeding thread on
// one core of its own NUMA node (matched by PCI bus id, never by index), the
// CPU kernels on every core left over.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "devices/topology/topology.h"
#include "harness/device.h"

namespace flopscope::cli {

struct HostPlacement {
  std::map<std::string, int> gpu_host_pu;  // device id -> the PU its host thread is pinned to
  std::vector<int> cpu_pus;                // cores left to the CPU kernels
  nlohmann::json record;                   // for the result file
};

// `available`: one PU per core that this process may use (all of the node,
// or an MPI rank's share), in topology order.
HostPlacement plan_host_placement(const topo::Topology& t, const std::vector<Device>& gpus,
                                  const std::vector<int>& available);

}  // namespace flopscope::cli
