#include "harness/soak_report.h"

#include <cstdio>

#include "harness/units.h"

namespace flopscope {

void print_soak_table(std::ostream& os, const std::vector<Measurement>& ms) {
  bool header = false;
  char line[512];
  for (const auto& m : ms) {
    if (!m.soak) continue;
    const auto& s = *m.soak;
    if (!header) {
      os << "\nSustained (soak): burst = first window, steady = median after settling, drop = "
            "first window to the median of the closing ones\n";
      std::snprintf(line, sizeof line, "%-12s %-8s %-5s %-18s %14s %14s %7s %8s %7s  %s\n",
                    "device", "kernel", "prec", "size", "burst", "steady", "drop", "windows",
                    "checks", "cause");
      os << line;
      header = true;
    }
    const bool bytes = s.unit == "B/s";
    const std::string unit = s.unit;
    const double burst = bytes ? s.burst_bytes_per_second : s.burst_flops;
    const double steady = bytes ? s.steady_bytes_per_second : s.steady_flops;
    const std::string drop = format_percent(s.drop);
    char checks[16];
    std::snprintf(checks, sizeof checks, "%d/%d", s.verifications - s.verification_failures,
                  s.verifications);
    std::snprintf(
        line, sizeof line, "%-12s %-8s %-5s %-18s %14s %14s %7s %8zu %7s  %s\n", m.device.c_str(),
        std::string(to_string(m.kernel)).c_str(), std::string(to_string(m.precision)).c_str(),
        m.size.label().c_str(), s.series.empty() ? "-" : format_rate(burst, unit).c_str(),
        s.series.empty() ? "-" : format_rate(steady, unit).c_str(), drop.c_str(), s.series.size(),
        checks, s.attribution.is_object() ? s.attribution.value("cause", "?").c_str() : "-");
    os << line;
    if (s.attribution.is_object() && s.attribution.value("cause", "none") != "none")
      os << "    why: " << s.attribution.value("evidence", "") << "\n";
    std::string missing;
    const auto why = s.sensors.is_object()
                         ? s.sensors.value("missing_why", nlohmann::json::object())
                         : nlohmann::json::object();
    for (const auto& [ch, reason] : why.items()) missing += (missing.empty() ? "" : ", ") + ch;
    if (!missing.empty()) os << "    sensors missing: " << missing << "\n";
  }
}

void print_concurrent_summary(std::ostream& os, const nlohmann::json& summary) {
  if (!summary.is_object()) return;
  os << "\nConcurrent: every device at once\n";
  for (const auto& g : summary.value("groups", nlohmann::json::array())) {
    os << "  " << g.value("kernel", "") << " " << g.value("precision", "");
    if (g.contains("variant")) os << " " << g.value("variant", "");
    os << ":";
    const auto per = g.value("per_device", nlohmann::json::object());
    for (const auto& [id, e] : per.items()) {
      // Stream copy does no arithmetic: its bandwidth instead.
      const bool flop = e["flops"].is_number() && !e.value("bandwidth_only", false);
      const auto bw = e.value("bytes_per_second", nlohmann::json());
      os << "  " << id << " "
         << (flop             ? format_rate(e["flops"].get<double>(), "FLOP/s")
             : bw.is_number() ? format_rate(bw.get<double>(), "B/s")
                              : e.value("status", "?"));
    }
    os << "\n";
  }
  const auto totals = summary.value("node_total_per_class", nlohmann::json::object());
  for (const auto& [cls, total] : totals.items()) {
    os << "  node total " << cls << ": "
       << (total.is_number() ? format_rate(total.get<double>(), "FLOP/s") : "-");
    const auto slow =
        summary.value("slowest", nlohmann::json::object()).value(cls, nlohmann::json());
    if (slow.is_object()) {
      os << "; slowest " << slow.value("device", "?");
      if (slow["fraction_of_peak"].is_number()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " at %.1f%% of its %s peak",
                      100 * slow["fraction_of_peak"].get<double>(), slow.value("peak", "").c_str());
        os << buf;
      }
    }
    os << "\n";
  }
}

}  // namespace flopscope
