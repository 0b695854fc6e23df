// A node described from a recorded hwloc topology: its devices and their
// theoretical peaks, from the recording's CPU identity and GPU PCI ids,
// never from the machine flopscope happens to run on.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <vector>

#include "devices/topology/topology.h"
#include "harness/device.h"

namespace flopscope {

struct NodeDescription {
  topo::Topology topology;
  std::vector<Device> devices;
};

// The CPU devices a recording describes: one per kind of core (GB10:
// Cortex-X925 and Cortex-A725), else one.
int recorded_cpu_devices(const topo::Topology& t);

// cpu_clocks_hz: user-given clocks (--clock) for the CPU devices, used
// instead of the spec base clock (or where the recording implies none):
// none, one for every CPU device, or one per CPU device in order.
NodeDescription describe_recorded_node(const topo::Topology& t,
                                       const std::vector<double>& cpu_clocks_hz);
inline NodeDescription describe_recorded_node(const topo::Topology& t,
                                              std::optional<double> clock_hz) {
  return describe_recorded_node(t,
                                clock_hz ? std::vector<double>{*clock_hz} : std::vector<double>{});
}

// Peak per class for the whole node: supercomputing = FP64 (best unit),
// basic = FP32 (vector units, never TF32), intelligent = the better of FP16
// and BF16 (matrix units where there are). nullopt when any device's figure
// for the class is unknown.
struct ClassPeak {
  std::optional<double> flops;
  std::optional<double> known_part;  // sum over the known devices when some are unknown
  std::string note;                  // which devices' figures are unknown
};
std::map<PerfClass, ClassPeak> node_class_peaks(const std::vector<Device>& devices);

nlohmann::json node_to_json(const NodeDescription& n, int nodes);
void print_nodes_side_by_side(std::ostream& os, const std::vector<NodeDescription>& nodes,
                              int n_nodes);

}  // namespace flopscope
