// Node topology from hwloc: packages, NUMA nodes, cores, caches, CPU identity and each GPU's PCI
// locality. A recorded hwloc XML file (2.x, or 3.0 rewritten in memory) can stand in for the live
// machine, so placement and peak derivation can be tested for hardware that is not here.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace flopscope::topo {

// Every failure to obtain a topology. For files the message is one line that names the file.
class TopologyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One cache level aggregated over the node: e.g. {2, "unified", 1 MiB, 2, 2} is "L2 1 MiB x 2",
// one core each. Instances that differ in size or in the number of cores each serves
// (heterogeneous cores, clusters sharing an L2) give one entry each.
struct CacheInfo {
  int level = 0;
  std::string type;  // "unified", "data" or "instruction"
  uint64_t size_bytes = 0;
  int count = 0;
  int cores = 0;  // cores the instances serve, all together (PUs where hwloc has no cores)

  // One core's share of an instance: an Intel E-core cluster's 2 MiB L2 serves 4 cores.
  uint64_t bytes_per_core() const {
    return cores > count && count > 0
               ? size_bytes * static_cast<uint64_t>(count) / static_cast<uint64_t>(cores)
               : size_bytes;
  }
};

// One GPU, counted by PCI device: its CUDA, NVML and OpenCL views are one GPU.
struct GpuLocation {
  std::string pci_bus_id;  // hwloc's form, lower case: "0000:3b:00.0"
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  std::string model;                         // OS device GPUModel info, else the PCI device name
  std::vector<std::string> os_device_names;  // "cuda0", "nvml0", "opencl0d0", "card1", ...
  int numa_node = -1;  // OS index of the first NUMA node near the GPU; -1 when unknown
  std::string cpuset;  // CPUs near the GPU as a list string: "0-19,40-59"
};

struct CpuPackageInfo {
  int index = 0;           // logical index (0..packages-1), not the OS index
  std::string vendor;      // CPUVendor ("GenuineIntel"), or the Arm implementer's name
  std::string model_name;  // CPUModel, trailing padding removed
  int family = -1;         // CPUFamilyNumber
  int model = -1;          // CPUModelNumber
  unsigned arm_part = 0;   // CPUPart (0xd85); for mixed cores, that of the most efficient kind
  int cores = 0;
  int pus = 0;
};

// A kind of core (hwloc CPU kinds): big and little cores on GB10 or Intel hybrid parts.
struct CpuKindInfo {
  int efficiency = -1;    // hwloc's relative efficiency, higher is faster; -1 when unknown
  unsigned arm_part = 0;  // CPUPart, when the kind carries one
  std::string core_type;  // CoreType ("IntelAtom", "IntelCore"), when the kind carries one
  std::string cpuset;     // list string
  int cores = 0;
  int pus = 0;
};

struct Topology {
  std::string source;  // "live" or the XML file's path
  int packages = 0;    // Package objects; 0 when hwloc found none (package_info then holds one
                       // entry built from the machine object, so CPU identity is not lost)
  int numa_nodes = 0;
  int cores = 0;  // a topology without Core objects counts each PU as a core
  int pus = 0;
  std::vector<CpuPackageInfo> package_info;
  std::vector<CpuKindInfo> cpu_kinds;  // empty when hwloc reports no kinds
  std::vector<CacheInfo> caches;       // by level; hwloc's defaults leave out instruction caches
  std::vector<GpuLocation> gpus;       // ordered by PCI bus id (NVML's order, not CUDA's)
  std::vector<int> pu_os_indices_per_core_first;  // one PU per core, topology order

  bool smt() const { return pus > cores; }
  nlohmann::json to_json() const;
};

// Discovers this machine. When HWLOC_XMLFILE is set, hwloc would read that file instead, so it is
// read through load_topology_xml (3.0 conversion, clear errors) and `source` names it.
Topology load_live_topology();

// Loads a recorded hwloc XML topology (1.x, 2.x, or 3.0 rewritten in memory to 2.0 form).
// Throws TopologyError naming the file when it is missing, not XML, not hwloc XML, truncated,
// malformed or rejected by hwloc.
Topology load_topology_xml(const std::string& path);

// Rewrites hwloc 3.0 XML into the 2.0 form hwloc 2.x imports: version attribute, OS device type
// bitmask to the 2.x enum, hop-count distances to latency, topology-wide infos onto the root
// object. Input that is not 3.0 is returned unchanged. Exposed for tests.
std::string convert_hwloc3_xml_to_v2(std::string_view xml);

// "00000000:3B:00.0" (CUDA, NVML) or "0000:3b:00.0" to hwloc's "0000:3b:00.0"; "" if unparsable.
std::string normalize_pci_bus_id(std::string_view bus_id);

}  // namespace flopscope::topo
