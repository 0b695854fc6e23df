// Pre-flight: what else is on the node before a run, so a low figure can be
// told apart from a busy machine: other processes on the GPUs, CPU load, VM
// steal time, SMT and FMA units shared with something the topology does not
// show; plus the environment variables that change what the
// libraries do, and the input seed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/backend.h"

namespace flopscope {

struct LoadAverage {
  double one = 0, five = 0, fifteen = 0;
};
// /proc/loadavg: "0.83 1.23 1.25 1/85 12314".
std::optional<LoadAverage> parse_loadavg(const std::string& text);

// The aggregate "cpu" line of /proc/stat, in clock ticks.
struct CpuTimes {
  uint64_t busy = 0;   // user + nice + system + irq + softirq
  uint64_t idle = 0;   // idle + iowait
  uint64_t steal = 0;  // time the hypervisor ran something else
  uint64_t total() const { return busy + idle + steal; }
};
std::optional<CpuTimes> parse_proc_stat(const std::string& text);
// Steal over the interval between two readings; nullopt when no time passed.
std::optional<double> steal_fraction(const CpuTimes& before, const CpuTimes& after);

struct PreflightInput {
  int cores = 0;  // from the topology; 0 when unknown
  int pus = 0;
  int core_kinds = 1;  // hwloc CPU kinds (big and little cores); 0 or 1: one kind
  std::vector<std::pair<Backend*, Device>> devices;
  uint64_t seed = 0;
  double steal_window_s = 0.2;  // how long to watch /proc/stat for steal
  double unit_check_s = 0.1;    // the shared-FMA-units check per CPU device; 0: skipped
};

struct Preflight {
  nlohmann::json record;              // the result file's "preflight" object
  std::vector<std::string> warnings;  // one line each, also in record["warnings"]
};

// Reads /proc and asks each backend about other processes on its devices.
Preflight run_preflight(const PreflightInput& in);

}  // namespace flopscope
