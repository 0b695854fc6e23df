#include "harness/reports.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iterator>
#include <map>
#include <sstream>

#include "harness/class_summary.h"
#include "harness/statistics.h"
#include "harness/text_table.h"
#include "harness/units.h"

namespace flopscope {

namespace {

std::string pct(const std::optional<double>& v) {
  return v ? format_percent(*v) : "-";
}

std::string csv_field(std::string s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A burst figure whose repetitions disagree (a soak's windows have their
// own report: a falling rate is what a soak looks for).
bool is_noisy(const Measurement& m) {
  return m.valid() && !m.soak && m.cv > kNoisyCv;
}

std::string status_text(const Measurement& m) {
  if (!m.valid()) return std::string(to_string(m.status));
  std::string s = m.flags.empty() ? "verified" : "verified, SUSPECT";
  return is_noisy(m) ? s + ", noisy" : s;
}

}  // namespace

void print_measurement_table(std::ostream& os, const std::vector<Measurement>& ms) {
  // Columns as wide as their widest cell, so that long sizes line up too;
  // the implementation (a library's version and configuration can take 60
  // characters) comes last, where its length moves nothing.
  std::vector<std::vector<std::string>> rows = {{"device", "kernel", "prec", "size", "median",
                                                 "bandwidth", "cv", "%clock", "%spec", "%peakk",
                                                 "status", "implementation"}};
  std::vector<TextColumn> columns(rows[0].size());
  for (size_t c = 4; c <= 9; ++c) columns[c].right_aligned = true;  // median .. %peakk
  columns.back().gap = 2;
  for (const auto& m : ms) {
    std::string rate =
        m.median_flops > 0 ? format_rate(m.median_flops, rate_unit(m.precision)) : "-";
    // The compulsory bytes per second: the rate of a kernel without FLOP
    // (stream copy), and beside the FLOP/s of every kernel that moves memory.
    std::string bandwidth =
        m.median_bytes_per_second > 0 ? format_rate(m.median_bytes_per_second, "B/s") : "-";
    const bool has_rate = m.median_flops > 0 || m.median_bytes_per_second > 0;
    const std::string cv = format_percent(m.cv, 2);
    rows.push_back({m.device, std::string(to_string(m.kernel)), std::string(to_string(m.precision)),
                    m.size.label(), rate, bandwidth, has_rate ? cv : "-", pct(m.efficiency.clock),
                    pct(m.efficiency.spec), pct(m.efficiency.measured_peak), status_text(m),
                    m.implementation.empty() ? "-" : m.implementation});
  }
  const std::vector<std::string> lines = format_columns(rows, columns);
  for (size_t i = 0; i < lines.size(); ++i) {
    os << lines[i] << "\n";
    if (i == 0) continue;
    const Measurement& m = ms[i - 1];
    if (!m.valid() && !m.message.empty()) os << "         " << m.message << "\n";
    if (m.roofline) {
      const Roofline& r = *m.roofline;
      os << "         roofline: " << pct(r.fraction) << " of "
         << format_rate(r.bound_flops, rate_unit(m.precision)) << " (" << r.bandwidth_source
         << " at " << format_rate(r.bandwidth_bytes_per_second, "B/s");
      if (r.stream_copy_bytes_per_second)
        os << "; the run's stream copy: " << format_rate(*r.stream_copy_bytes_per_second, "B/s")
           << ", " << pct(r.stream_copy_fraction);
      os << ")\n";
    } else if (!m.roofline_note.empty()) {
      os << "         " << m.roofline_note << "\n";
    }
    for (const auto& f : m.flags) os << "         " << f << "\n";
    if (is_noisy(m)) {
      char line[256];
      std::snprintf(
          line, sizeof line,
          "         noisy: cv %.1f%% over %zu repetitions (above %.0f%%): another process "
          "or a moving clock; rerun on a quiet machine before comparing this figure\n",
          100 * m.cv, m.repetition_flops.size(), 100 * kNoisyCv);
      os << line;
    }
  }
  os << "bandwidth: compulsory bytes per second; %clock: against the peak at the clock measured "
        "around the figure; %spec: at the spec clock; %peakk: against the measured peak kernel's "
        "best repetition.\n";
}

void print_class_table(std::ostream& os, const nlohmann::json& classes) {
  os << "\nComputing power by class (verified figures only)\n";
  for (const auto& [name, c] : classes.items()) {
    std::string rate =
        c["flops"].is_null() ? std::string("-") : format_rate(c["flops"].get<double>(), "FLOP/s");
    std::string how = c["kernel"].is_null() ? std::string(c.value("note", ""))
                                            : c["kernel"].get<std::string>() + " " +
                                                  c["precision"].get<std::string>();
    // Against the peaks the figures were judged by (class_of_peak).
    if (!c["kernel"].is_null() && c.contains("of_peak"))
      if (const auto f = headline_fraction(c["of_peak"]))
        how += ", " + format_percent(f->fraction) + " of peak " + f->at;
    char line[256];
    std::snprintf(line, sizeof line, "  %-15s %16s  %s\n", name.c_str(), rate.c_str(), how.c_str());
    os << line;
    // The GEMMs of the class's other precisions (intelligent: TF32, FP8,
    // INT8 and whichever of FP16/BF16 is not the headline), summed over the
    // devices: without them a CPU with only INT8 shows "no figure" here.
    // Other sizes of the headline's own precision are left out.
    const std::string headline =
        c["precision"].is_string() ? c["precision"].get<std::string>() : "";
    std::map<std::string, std::pair<double, std::string>> gemms;
    static const nlohmann::json kNone = nlohmann::json::object();
    for (const auto& [device, side] : c.contains("beside") ? c["beside"].items() : kNone.items())
      for (const auto& [key, figure] : side.items())
        if (key.rfind("gemm/", 0) == 0 && key.substr(5) != headline &&
            figure["flops"].is_number()) {
          auto& g = gemms[key.substr(5)];
          g.first += figure["flops"].get<double>();
          g.second = figure.value("unit", "FLOP/s");
        }
    std::string beside;
    for (const auto& [precision, g] : gemms)
      beside += (beside.empty() ? "" : ", ") + precision + " " + format_rate(g.first, g.second);
    if (!beside.empty()) os << "  " << std::string(33, ' ') << "beside: gemm " << beside << "\n";
  }
}

std::string measurements_csv(const std::vector<Measurement>& ms) {
  std::ostringstream os;
  os << "device,kernel,precision,class,size,implementation,status,unit,median,best,cv,repetitions,"
        "flop_per_iteration,bytes_per_iteration,median_bytes_per_second,roofline_fraction,clock_hz,"
        "efficiency_spec,efficiency_clock,"
        "efficiency_measured_peak,verified,max_error,message,"
        // Soaks only (empty for burst runs), in series_unit: B/s for stream
        // copy, which does no arithmetic.
        "mode,series_unit,burst,steady,drop,attribution,"
        // Why a valid figure is not to be trusted as it stands (the table's
        // SUSPECT): each flag's line, joined by " | ".
        "flags\n";
  os << std::setprecision(10);
  auto opt = [](const std::optional<double>& v) {
    std::ostringstream s;
    s << std::setprecision(6);
    if (v) s << *v;
    return s.str();
  };
  for (const auto& m : ms) {
    os << csv_field(m.device) << ',' << to_string(m.kernel) << ',' << to_string(m.precision) << ','
       << to_string(class_of(m.precision)) << ',' << csv_field(m.size.label()) << ','
       << csv_field(m.implementation) << ',' << to_string(m.status) << ',' << rate_unit(m.precision)
       << ',' << m.median_flops << ',' << m.best_flops << ',' << m.cv << ','
       << m.repetition_flops.size() << ',' << m.flop_per_iteration << ',' << m.bytes_per_iteration
       << ',' << m.median_bytes_per_second << ','
       << opt(m.roofline ? std::optional<double>(m.roofline->fraction) : std::nullopt) << ','
       << opt(m.clock_hz) << ',' << opt(m.efficiency.spec) << ',' << opt(m.efficiency.clock) << ','
       << opt(m.efficiency.measured_peak) << ',' << (m.verification.valid() ? "true" : "false")
       << ',' << m.verification.max_error << ',' << csv_field(m.message) << ',';
    os << m.mode() << ',';
    if (m.soak) {
      const SoakRecord& k = *m.soak;
      const bool bytes = k.unit == "B/s";
      os << k.unit << ',' << (bytes ? k.burst_bytes_per_second : k.burst_flops) << ','
         << (bytes ? k.steady_bytes_per_second : k.steady_flops) << ',' << k.drop << ','
         << csv_field(k.attribution.is_object() ? k.attribution.value("cause", "") : "");
    } else {
      os << ",,,,";  // no soak figures (a soak that never started has none either)
    }
    std::string flags;
    for (const auto& f : m.flags) flags.append(flags.empty() ? "" : " | ").append(f);
    os << ',' << csv_field(flags) << '\n';
  }
  return os.str();
}

}  // namespace flopscope
