#include "harness/sensors.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace flopscope {

namespace {

double monotonic_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::optional<double> SensorSample::*numeric_member(const std::string& channel) {
  if (channel == kClockChannel) return &SensorSample::clock_hz;
  if (channel == kTemperatureChannel) return &SensorSample::temperature_c;
  if (channel == kPowerChannel) return &SensorSample::power_w;
  if (channel == kPowerLimitChannel) return &SensorSample::power_limit_w;
  return nullptr;
}

const char* channel_unit(const std::string& channel) {
  if (channel == kClockChannel) return "Hz";
  if (channel == kTemperatureChannel) return "C";
  return "W";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// First and last readings of a channel, in the first and last fifth of the
// soak, averaged so one odd reading does not decide.
struct Ends {
  std::optional<double> first, last;
};
Ends channel_ends(const std::vector<SensorSample>& samples,
                  std::optional<double> SensorSample::*m) {
  std::vector<double> v;
  for (const auto& s : samples)
    if (s.*m) v.push_back(*(s.*m));
  if (v.empty()) return {};
  const size_t k = std::max<size_t>(1, v.size() / 5);
  double a = 0, b = 0;
  for (size_t i = 0; i < k; ++i) {
    a += v[i];
    b += v[v.size() - 1 - i];
  }
  return {a / k, b / k};
}

}  // namespace

SimulatedSensorSource::SimulatedSensorSource(Script script,
                                             std::map<std::string, std::string> missing,
                                             CounterScript counters)
    : script_(std::move(script)),
      missing_(std::move(missing)),
      counters_(std::move(counters)),
      start_s_(monotonic_s()) {}

SensorSample SimulatedSensorSource::sample() {
  SensorSample s = script_(monotonic_s() - start_s_);
  // A channel the simulation declares missing is never read, whatever the script returns.
  for (const auto& [ch, why] : missing_) {
    if (auto m = numeric_member(ch)) s.*m = std::nullopt;
    if (ch == kThrottleChannel) s.throttle = std::nullopt;
  }
  return s;
}

ErrorCounters SimulatedSensorSource::error_counters() {
  if (!counters_) return {};
  return counters_(counter_calls_++);
}

nlohmann::json Attribution::to_json() const {
  return {{"cause", cause}, {"evidence", evidence}};
}

Attribution attribute_drop(double drop, double threshold, const std::vector<SensorSample>& samples,
                           const std::map<std::string, std::string>& missing) {
  Attribution a;
  if (!(drop > threshold)) {
    a.cause = "none";
    a.evidence = drop <= 0 ? "no drop: the rate rose " + fmt("%.1f%%", -100 * drop) +
                                 " from the first window to the closing ones"
                           : "dropped " + fmt("%.1f%%", 100 * drop) + ", within the " +
                                 fmt("%.0f%%", 100 * threshold) + " threshold";
    return a;
  }
  // 1. The platform's own throttle reasons, counted after the first sample
  //    (the first window is the burst the drop is measured from).
  int thermal = 0, power = 0, other = 0, read = 0;
  std::string detail;
  for (size_t i = 1; i < samples.size(); ++i) {
    if (!samples[i].throttle) continue;
    ++read;
    for (const auto& r : *samples[i].throttle) {
      thermal += r == kThrottleThermal;
      power += r == kThrottlePowerCap;
      other += r != kThrottleThermal && r != kThrottlePowerCap;
    }
    if (!samples[i].throttle_detail.empty()) detail = samples[i].throttle_detail;
  }
  std::string context;
  if (auto c = channel_ends(samples, &SensorSample::clock_hz); c.first)
    context += "; clock " + fmt("%.3f", *c.first / 1e9) + " -> " + fmt("%.3f GHz", *c.last / 1e9);
  if (auto t = channel_ends(samples, &SensorSample::temperature_c); t.first)
    context += "; temperature " + fmt("%.0f", *t.first) + " -> " + fmt("%.0f C", *t.last);
  auto p = channel_ends(samples, &SensorSample::power_w);
  auto lim = channel_ends(samples, &SensorSample::power_limit_w);
  if (p.first)
    context += "; power " + fmt("%.0f", *p.first) + " -> " + fmt("%.0f W", *p.last) +
               (lim.last ? " (limit " + fmt("%.0f W)", *lim.last) : std::string());
  if (!detail.empty()) context += "; reported: " + detail;

  const std::string of = " of " + std::to_string(read) + " readings";
  if (thermal > 0 || power > 0) {
    a.cause = thermal >= power ? "thermal" : "power_cap";
    a.evidence = "throttle reason " + a.cause + " in " + std::to_string(std::max(thermal, power)) +
                 of + context;
    return a;
  }
  // 2. No reason given, but the power sat at its limit: the cap holds it down.
  if (p.last && lim.last && *lim.last > 0 && *p.last >= 0.97 * *lim.last) {
    a.cause = "power_cap";
    a.evidence = "power at " + fmt("%.0f%%", 100 * *p.last / *lim.last) + " of its limit" + context;
    return a;
  }
  a.cause = "other";
  // The device kept its clock: the slowdown came from outside (other work
  // on the machine, a shared VM), not from the device throttling.
  if (auto c = channel_ends(samples, &SensorSample::clock_hz);
      c.first && c.last && *c.last >= 0.99 * *c.first)
    context += "; the clock did not fall: outside load is likely";
  if (read > 0)
    a.evidence = "no throttle reason reported in " + std::to_string(read) + " readings" +
                 (other ? " (other reasons: " + std::to_string(other) + ")" : std::string()) +
                 context;
  else if (auto it = missing.find(kThrottleChannel); it != missing.end())
    a.evidence = "throttle reasons missing (" + it->second + ")" + context;
  else
    a.evidence = "no sensor reported a reason" + context;
  return a;
}

nlohmann::json sensors_to_json(const std::string& description,
                               const std::vector<SensorSample>& samples,
                               const std::map<std::string, std::string>& missing,
                               const std::map<std::string, std::string>& channel_sources) {
  nlohmann::json j;
  j["source"] = description;
  j["samples"] = samples.size();
  nlohmann::json why = nlohmann::json::object();
  for (const char* ch : kAllChannels) {
    const std::string name = ch;
    if (auto it = missing.find(name); it != missing.end()) {
      j[name] = "missing";
      why[name] = it->second;
      continue;
    }
    if (name == kThrottleChannel) {
      nlohmann::json series = nlohmann::json::array();
      std::map<std::string, int> counts;
      for (const auto& s : samples)
        if (s.throttle) {
          series.push_back({s.t, *s.throttle});
          for (const auto& r : *s.throttle) ++counts[r];
        }
      if (series.empty()) {
        j[name] = "missing";
        why[name] = "no reading during the soak";
      } else {
        j[name] = {{"counts", counts}, {"series", series}};
      }
      continue;
    }
    auto m = numeric_member(name);
    nlohmann::json series = nlohmann::json::array();
    double lo = 0, hi = 0, sum = 0;
    int n = 0;
    for (const auto& s : samples)
      if (s.*m) {
        const double v = *(s.*m);
        series.push_back({s.t, v});
        lo = n ? std::min(lo, v) : v;
        hi = n ? std::max(hi, v) : v;
        sum += v;
        ++n;
      }
    if (n == 0) {
      j[name] = "missing";
      why[name] = "no reading during the soak";
      continue;
    }
    nlohmann::json c = {{"unit", channel_unit(name)},
                        {"min", lo},
                        {"mean", sum / n},
                        {"max", hi},
                        {"first", series.front()[1]},
                        {"last", series.back()[1]},
                        {"series", series}};
    if (auto it = channel_sources.find(name); it != channel_sources.end()) c["source"] = it->second;
    j[name] = c;
  }
  j["missing_why"] = why;
  return j;
}

std::vector<std::string> increased_counters(const ErrorCounters& before,
                                            const ErrorCounters& after) {
  std::vector<std::string> out;
  for (const auto& [name, v] : after) {
    auto it = before.find(name);
    if (v && it != before.end() && it->second && *v > *it->second) out.push_back(name);
  }
  return out;
}

nlohmann::json error_counters_to_json(const ErrorCounters& before, const ErrorCounters& after,
                                      const std::string& why_missing) {
  if (before.empty() && after.empty()) return {{"status", "missing"}, {"why", why_missing}};
  auto side = [](const ErrorCounters& c) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : c) j[k] = v ? nlohmann::json(*v) : nlohmann::json("missing");
    return j;
  };
  return {{"status", "read"},
          {"before", side(before)},
          {"after", side(after)},
          {"increased", increased_counters(before, after)}};
}

}  // namespace flopscope
