#include "devices/topology/pinning.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_set>

namespace flopscope::topo {

std::vector<int> pu_per_core(const Topology& topology) {
  return topology.pu_os_indices_per_core_first;
}

std::vector<int> parse_cpu_list(const std::string& cpu_list) {
  std::vector<int> out;
  size_t pos = 0;
  while (pos < cpu_list.size()) {
    size_t comma = cpu_list.find(',', pos);
    if (comma == std::string::npos) comma = cpu_list.size();
    const std::string item = cpu_list.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) return {};
    char* end = nullptr;
    const long first = std::strtol(item.c_str(), &end, 10);
    if (end == item.c_str() || first < 0) return {};
    long last = first;
    if (*end == '-') {
      const char* second = end + 1;
      last = std::strtol(second, &end, 10);
      if (end == second || last < first) return {};
    }
    if (*end != '\0') return {};
    for (long i = first; i <= last; ++i) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> pu_per_core_in(const Topology& topology, const std::string& cpu_list) {
  const std::vector<int> allowed_list = parse_cpu_list(cpu_list);
  const std::unordered_set<int> allowed(allowed_list.begin(), allowed_list.end());
  std::vector<int> out;
  for (int pu : topology.pu_os_indices_per_core_first) {
    if (allowed.count(pu)) out.push_back(pu);
  }
  return out;
}

bool pin_current_thread_to_pus(const std::vector<int>& os_indices) {
  if (os_indices.empty()) return false;
  const int max_index = *std::max_element(os_indices.begin(), os_indices.end());
  if (*std::min_element(os_indices.begin(), os_indices.end()) < 0) return false;
  // Dynamically sized: a fixed cpu_set_t stops at CPU_SETSIZE (1024) CPUs.
  const int ncpus = std::max(max_index + 1, static_cast<int>(CPU_SETSIZE));
  cpu_set_t* set = CPU_ALLOC(ncpus);
  if (!set) return false;
  const size_t bytes = CPU_ALLOC_SIZE(ncpus);
  CPU_ZERO_S(bytes, set);
  for (int i : os_indices) CPU_SET_S(i, bytes, set);
  // pid 0 is the calling thread for sched_setaffinity, not the whole process.
  const bool ok = sched_setaffinity(0, bytes, set) == 0;
  CPU_FREE(set);
  return ok;
}

bool pin_current_thread_to_pu(int os_index) {
  return pin_current_thread_to_pus({os_index});
}

}  // namespace flopscope::topo
