#include "harness/preflight.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/environment.h"
#include "harness/unit_throughput.h"

namespace flopscope {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::optional<LoadAverage> parse_loadavg(const std::string& text) {
  LoadAverage l;
  std::istringstream in(text);
  if (!(in >> l.one >> l.five >> l.fifteen)) return std::nullopt;
  return l;
}

std::optional<CpuTimes> parse_proc_stat(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cpu ", 0) != 0) continue;
    std::istringstream f(line.substr(4));
    uint64_t v[8] = {};
    int n = 0;
    while (n < 8 && f >> v[n]) ++n;
    if (n < 4) return std::nullopt;
    // user nice system idle iowait irq softirq steal
    CpuTimes t;
    t.busy = v[0] + v[1] + v[2] + v[5] + v[6];
    t.idle = v[3] + v[4];
    t.steal = v[7];
    return t;
  }
  return std::nullopt;
}

std::optional<double> steal_fraction(const CpuTimes& a, const CpuTimes& b) {
  if (b.total() <= a.total()) return std::nullopt;
  return static_cast<double>(b.steal - a.steal) / static_cast<double>(b.total() - a.total());
}

Preflight run_preflight(const PreflightInput& in) {
  Preflight p;
  auto& r = p.record;
  auto warn = [&](const std::string& w) { p.warnings.push_back(w); };

  // CPU load: other work on the cores lowers every CPU figure.
  if (auto l = parse_loadavg(read_text("/proc/loadavg"))) {
    r["load"] = {{"loadavg_1m", l->one},
                 {"loadavg_5m", l->five},
                 {"loadavg_15m", l->fifteen},
                 {"cores", in.cores}};
    if (in.cores > 0 && l->one > 0.5 + 0.1 * in.cores)
      warn("load average " + fmt("%.2f", l->one) + " on " + std::to_string(in.cores) +
           " cores before the run: other work is running, CPU figures may be low");
  } else {
    r["load"] = "missing: /proc/loadavg unreadable";
  }

  // VM steal: the hypervisor giving the cores to someone else.
  auto before = parse_proc_stat(read_text("/proc/stat"));
  if (before) {
    std::this_thread::sleep_for(std::chrono::duration<double>(in.steal_window_s));
    auto after = parse_proc_stat(read_text("/proc/stat"));
    nlohmann::json st;
    st["since_boot"] = before->total() ? nlohmann::json(static_cast<double>(before->steal) /
                                                        static_cast<double>(before->total()))
                                       : nullptr;
    auto recent = after ? steal_fraction(*before, *after) : std::nullopt;
    st["recent"] = recent ? nlohmann::json(*recent) : nullptr;
    st["window_s"] = in.steal_window_s;
    r["steal"] = st;
    if (recent && *recent > 0.01)
      warn("VM steal " + fmt("%.1f%%", 100 * *recent) +
           " just before the run: the hypervisor is giving these cores to others");
  } else {
    r["steal"] = "missing: /proc/stat unreadable";
  }

  // SMT: flopscope runs one thread per core; siblings share its FMA units.
  std::string smt_active = read_text("/sys/devices/system/cpu/smt/active");
  nlohmann::json smt = {{"cores", in.cores}, {"pus", in.pus}};
  if (!smt_active.empty()) {
    smt["active"] = smt_active[0] == '1';
    smt["source"] = "/sys/devices/system/cpu/smt/active";
  } else {
    smt["active"] = in.cores > 0 ? nlohmann::json(in.pus > in.cores) : nullptr;
    smt["source"] = "topology (PUs per core)";
  }
  r["smt"] = smt;

  // FMA units shared with something the topology does not show
  // (unit_throughput.h). CPU devices only: a GPU's clock comes from passive
  // sensors, which read an idle clock before a run, and the processes on a
  // GPU are listed below.
  nlohmann::json units = nlohmann::json::object();
  for (const auto& [backend, device] : in.devices) {
    if (device.kind != "cpu" || !(in.unit_check_s > 0)) continue;
    UnitThroughput check = check_unit_throughput(*backend, device, in.unit_check_s, in.core_kinds);
    units[device.id] = check.record;
    if (check.warning) warn(*check.warning);
  }
  r["unit_throughput"] = units;

  // Other processes on the devices, where the backend can tell.
  nlohmann::json procs = nlohmann::json::object();
  for (const auto& [backend, device] : in.devices) {
    std::optional<std::vector<DeviceProcess>> list;
    try {
      list = backend->device_processes(device);
    } catch (const std::exception& e) {
      procs[device.id] = std::string("not checked: ") + e.what();
      continue;
    }
    if (!list) {
      procs[device.id] = device.kind == "cpu" ? "not applicable: see load"
                                              : "not checked: the backend cannot list processes";
      continue;
    }
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& pr : *list)
      arr.push_back({{"pid", pr.pid}, {"name", pr.name}, {"memory_bytes", pr.memory_bytes}});
    procs[device.id] = arr;
    if (!list->empty())
      warn(device.id + ": " + std::to_string(list->size()) + " other process" +
           (list->size() == 1 ? "" : "es") + " on the device before the run (first: " +
           (*list)[0].name + ", pid " + std::to_string((*list)[0].pid) + ")");
  }
  r["device_processes"] = procs;
  r["environment"] = environment_info();
  r["seed"] = in.seed;
  r["warnings"] = p.warnings;
  return p;
}

}  // namespace flopscope
