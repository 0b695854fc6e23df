// Thread placement on the live machine: one thread per core, on the cores near a GPU.
#pragma once

#include <string>
#include <vector>

#include "devices/topology/topology.h"

namespace flopscope::topo {

// One PU OS index per core, in topology order: pinning thread i to element i gives one thread per
// core, filling a package before the next, and leaves SMT siblings idle.
std::vector<int> pu_per_core(const Topology& topology);

// The same, restricted to cores whose first PU is in `cpu_list` (a list string such as a
// GpuLocation's cpuset, "0-19,40-59"), so host threads that feed a GPU stay on its NUMA node.
std::vector<int> pu_per_core_in(const Topology& topology, const std::string& cpu_list);

// Parses a Linux/hwloc CPU list ("0-3,8,10-11"); empty on a malformed list.
std::vector<int> parse_cpu_list(const std::string& cpu_list);

// Binds the calling thread to one PU (OS index). False when the PU does not exist here or the
// kernel refuses (cgroup or affinity limits); the thread's binding is then unchanged.
bool pin_current_thread_to_pu(int os_index);

// Binds the calling thread to a set of PUs (OS indices); false as above, or when `os_indices` is
// empty.
bool pin_current_thread_to_pus(const std::vector<int>& os_indices);

}  // namespace flopscope::topo
