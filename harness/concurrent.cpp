#include "harness/concurrent.h"

#include <algorithm>
#include <chrono>
#include <latch>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "harness/class_summary.h"
#include "harness/statistics.h"

namespace flopscope {

namespace {

using GroupKey = std::tuple<KernelKind, Precision, int>;

// Plan indices grouped by (kernel, precision, n-th size of that pair on the
// device), in the order the groups first appear in the plan.
std::vector<std::vector<size_t>> group_plan(const std::vector<PlannedRun>& plan) {
  std::map<GroupKey, size_t> slot;
  std::map<std::tuple<std::string, KernelKind, Precision>, int> ordinal;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < plan.size(); ++i) {
    const auto& r = plan[i].request;
    const int n = ordinal[{plan[i].device.id, r.kernel, r.precision}]++;
    GroupKey key{r.kernel, r.precision, n};
    auto it = slot.find(key);
    if (it == slot.end()) {
      it = slot.emplace(key, groups.size()).first;
      groups.emplace_back();
    }
    groups[it->second].push_back(i);
  }
  return groups;
}

double since_epoch_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::vector<Measurement> run_concurrent(const std::vector<PlannedRun>& plan, const SoakSettings& s,
                                        const HostPlacementFn& place,
                                        const SoakProgressFn& progress,
                                        nlohmann::json* groups_out) {
  std::vector<Measurement> out(plan.size());
  std::mutex setup_lock, progress_lock;
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& group : group_plan(plan)) {
    std::latch start(static_cast<std::ptrdiff_t>(group.size()));
    double started_at = 0;
    std::mutex started_lock;
    std::vector<std::thread> threads;
    for (size_t idx : group) {
      threads.emplace_back([&, idx] {
        const PlannedRun& pr = plan[idx];
        if (place) place(pr);
        bool arrived = false;
        SoakSettings mine = s;
        mine.setup_lock = &setup_lock;
        mine.ready_to_start = [&] {
          arrived = true;
          start.arrive_and_wait();
          std::lock_guard<std::mutex> g(started_lock);
          if (started_at == 0) started_at = since_epoch_s();
        };
        std::unique_ptr<SensorSource> sensors;
        {
          std::lock_guard<std::mutex> g(setup_lock);
          sensors = make_sensors(pr);
        }
        SoakProgressFn report;
        if (progress)
          report = [&](const SoakProgress& p) {
            std::lock_guard<std::mutex> g(progress_lock);
            progress(p);
          };
        out[idx] = run_soak(pr, sensors.get(), mine, report);
        // A device that could not start (unsupported, failed set-up) must
        // not hold the others at the start line.
        if (!arrived) start.count_down();
      });
    }
    for (auto& t : threads) t.join();
    nlohmann::json g;
    g["kernel"] = to_string(plan[group.front()].request.kernel);
    g["precision"] = to_string(plan[group.front()].request.precision);
    const std::string& variant = plan[group.front()].request.size.variant;
    if (!variant.empty()) g["variant"] = variant;
    g["devices"] = nlohmann::json::array();
    // Each device's own size: the summary must not mix a group's figures
    // with another size of the same kernel and precision (stream copy and
    // triad are two groups).
    g["sizes"] = nlohmann::json::object();
    for (size_t idx : group) {
      g["devices"].push_back(plan[idx].device.id);
      g["sizes"][plan[idx].device.id] = plan[idx].request.size.label();
    }
    g["windows_started_at_unix_s"] = started_at > 0 ? nlohmann::json(started_at) : nullptr;
    groups.push_back(g);
  }
  if (groups_out) *groups_out = groups;
  return out;
}

nlohmann::json concurrent_summary(const std::vector<Measurement>& ms,
                                  const std::vector<Device>& devices,
                                  const nlohmann::json& groups) {
  std::vector<std::string> ids;
  std::map<std::string, const Device*> by_id;
  for (const auto& d : devices) {
    ids.push_back(d.id);
    by_id[d.id] = &d;
  }
  nlohmann::json out;
  nlohmann::json gs = groups.is_array() ? groups : nlohmann::json::array();
  for (auto& g : gs) {
    nlohmann::json per = nlohmann::json::object();
    double total = 0;
    const nlohmann::json sizes = g.value("sizes", nlohmann::json::object());
    for (const auto& m : ms) {
      if (std::string(to_string(m.kernel)) != g["kernel"] ||
          std::string(to_string(m.precision)) != g["precision"] ||
          (sizes.contains(m.device) && sizes[m.device] != m.size.label()))
        continue;
      per[m.device] = {{"flops", m.valid() ? nlohmann::json(m.median_flops) : nullptr},
                       {"bandwidth_only", m.bandwidth_only()},
                       {"bytes_per_second", m.valid() && m.median_bytes_per_second > 0
                                                ? nlohmann::json(m.median_bytes_per_second)
                                                : nullptr},
                       {"status", to_string(m.status)}};
      if (m.valid()) total += m.median_flops;
    }
    g["per_device"] = per;
    g["total_flops"] = total;
  }
  out["groups"] = gs;

  const nlohmann::json classes = summarize_classes(ms, ids);
  nlohmann::json totals = nlohmann::json::object(), slowest = nlohmann::json::object();
  for (PerfClass c : kAllClasses) {
    const std::string name(to_string(c));
    const auto& cls = classes[name];
    totals[name] = cls["flops"];
    // Identical devices (same name) are each other's peers.
    std::map<std::string, std::vector<double>> peers;
    for (const auto& [id, v] : cls["per_device"].items())
      if (by_id.count(id)) peers[by_id[id]->name].push_back(v.get<double>());
    nlohmann::json worst;
    double worst_fraction = 2;
    for (const auto& [id, v] : cls["per_device"].items()) {
      const double flops = v.get<double>();
      const Device* d = by_id.count(id) ? by_id[id] : nullptr;
      // The headline's own efficiency (apply_efficiency): against the units
      // it ran on, at the spec clock where one is known, else at the clock
      // measured around it. Spec first, where the class tables put the
      // measured clock first: here the question is which device is slow,
      // and a throttled one is, though against its own lowered clock it
      // looks as efficient as its peers.
      std::optional<double> fraction;
      std::string basis;
      if (const Measurement* m = class_headline(ms, id, c)) {
        if ((fraction = m->efficiency.spec))
          basis = "spec";
        else if ((fraction = m->efficiency.clock))
          basis = "clock";
      }
      const double median = d ? summarize(peers[d->name]).median : flops;
      nlohmann::json e = {{"device", id},
                          {"flops", flops},
                          {"fraction_of_peak", fraction ? nlohmann::json(*fraction) : nullptr},
                          {"peak", fraction ? nlohmann::json(basis) : nullptr},
                          {"peer_median_flops", median},
                          {"below_peer_median", median > 0 ? 1 - flops / median : 0.0}};
      const double f = fraction ? *fraction : 1.5;
      if (worst.is_null() || f < worst_fraction) {
        worst = e;
        worst_fraction = f;
      }
    }
    slowest[name] = worst;
  }
  out["node_total_per_class"] = totals;
  out["slowest"] = slowest;
  return out;
}

}  // namespace flopscope
