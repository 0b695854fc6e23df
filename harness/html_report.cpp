#include "harness/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "harness/class_summary.h"
#include "harness/kernel_run.h"
#include "harness/measurement.h"
#include "harness/svg_plot.h"
#include "harness/units.h"

namespace flopscope {

namespace {

using nlohmann::json;

const json kNull;

const json& field(const json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

std::string str(const json& j, const char* key) {
  const json& v = field(j, key);
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
}

std::string percent(const json& v) {
  return v.is_number() ? format_percent(v.get<double>()) : "-";
}

std::string rate_axis(double v, const std::string& unit) {
  return format_rate(v, unit);
}

std::string plain_axis(double v, const std::string& unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g %s", v, unit.c_str());
  return buf;
}

// The figure a measurement stands for (sustained_figure): FLOP/s, or
// bandwidth for a kernel without arithmetic (stream copy).
std::string figure(const json& m) {
  const double f = sustained_figure(m);
  if (f <= 0) return "-";
  return bandwidth_only(m) ? format_rate(f, "B/s")
                           : format_rate(f, str(m, "unit").empty() ? "FLOP/s" : str(m, "unit"));
}

std::string bar(double fraction) {
  const double w = std::clamp(fraction, 0.0, 1.0) * 100;
  char buf[96];
  std::snprintf(buf, sizeof buf, "<span class=\"bar\"><span style=\"width:%.1f%%\"></span></span>",
                w);
  return buf;
}

void row(std::ostringstream& os, const std::vector<std::string>& cells, const char* tag = "td") {
  os << "<tr>";
  for (const auto& c : cells) os << "<" << tag << ">" << c << "</" << tag << ">";
  os << "</tr>\n";
}

const char* kStyle = R"(<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}.muted{color:#777}
.warn{background:#fff4e0;border:1px solid #e0a040;padding:8px}.fail{color:#b00020;font-weight:600}
.bar{display:inline-block;width:120px;height:10px;background:#eee;margin-left:6px;vertical-align:middle}
.bar span{display:block;height:10px;background:#1f6fb2}
svg.chart{display:block;margin:8px 0;font:11px system-ui,sans-serif}
svg .grid{stroke:#e5e5e5}svg .axis{stroke:#555}svg .roof{stroke:#b00020;stroke-width:1.5}
svg .measured{stroke-dasharray:6 4}
svg .tick{fill:#555}svg .label{fill:#222}svg .roof-label{fill:#b00020}svg .legend,svg .point-label{fill:#222}
code{font-size:12px}
</style>
)";

// The result's devices by id and its measurements by device, built once:
// a rack file holds thousands of devices.
struct Index {
  std::map<std::string, const json*> devices;
  std::map<std::string, std::vector<const json*>> measurements;
};

Index index_of(const json& r) {
  Index ix;
  if (field(r, "devices").is_array())
    for (const auto& d : r["devices"]) ix.devices.emplace(str(d, "id"), &d);
  if (field(r, "measurements").is_array())
    for (const auto& m : r["measurements"]) ix.measurements[str(m, "device")].push_back(&m);
  return ix;
}

void header(std::ostringstream& os, const json& r, const std::string& source) {
  os << "<h1>flopscope report</h1>\n";
  if (field(r, "complete") == false)
    os << "<p class=\"warn\">Incomplete run (interrupted): only what was measured before the "
          "stop is here.</p>\n";
  const json& host = field(r, "host");
  const json& tool = field(r, "tool");
  std::string command;
  if (field(r, "command_line").is_array())
    for (const auto& a : r["command_line"]) {
      if (!command.empty()) command += ' ';
      command += a.is_string() ? a.get<std::string>() : a.dump();
    }
  os << "<table>\n";
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"result file", source},
           {"host",
            str(host, "hostname") + " (" + str(host, "os") + ", " + str(host, "kernel") + ")"},
           {"tool", "flopscope " + str(tool, "version") + " (" + str(tool, "git_commit") + "), " +
                        str(host, "compiler")},
           {"command", command},
           {"started, finished", str(r, "started_at") + ", " + str(r, "finished_at")},
           {"seed", str(r, "seed")}})
    os << "<tr><th>" << html_escape(k) << "</th><td><code>" << html_escape(v)
       << "</code></td></tr>\n";
  os << "</table>\n";
  const json& notes = field(r, "notes");
  if (notes.is_array() && !notes.empty()) {
    os << "<h2>Notes</h2>\n<ul>\n";
    for (const auto& n : notes)
      os << "<li>" << html_escape(n.is_string() ? n.get<std::string>() : n.dump()) << "</li>\n";
    os << "</ul>\n";
  }
}

// The class against the peaks its figures were judged by (class_of_peak in
// class_summary.h): at the measured clock where every figure has one, else
// at the spec clock.
std::string of_peak(const json& r, const json& c) {
  if (!field(c, "flops").is_number()) return "-";
  const json of = of_peak_in(c, field(r, "measurements"));
  if (const auto f = headline_fraction(of))
    return format_percent(f->fraction) + bar(f->fraction) + " " + f->at;
  return "<span class=\"muted\">peak unknown</span>";
}

void classes(std::ostringstream& os, const json& r) {
  const json& cls = field(r, "classes");
  if (!cls.is_object() || cls.empty()) return;
  os << "<h2>Computing power by class (verified figures only)</h2>\n<table>\n";
  row(os, {"class", "sustained", "from", "per device", "of peak"}, "th");
  for (const auto& [name, c] : cls.items()) {
    const bool has = field(c, "flops").is_number();
    std::string per;
    if (field(c, "per_device").is_object())
      for (const auto& [dev, f] : c["per_device"].items())
        per += html_escape(dev) + " " +
               (f.is_number() ? html_escape(format_rate(f.get<double>(), str(c, "unit"))) : "-") +
               "<br>";
    row(os, {"<b>" + html_escape(name) + "</b>",
             has ? html_escape(format_rate(c["flops"].get<double>(), str(c, "unit")))
                 : "<span class=\"muted\">no figure</span>",
             html_escape(has ? str(c, "kernel") + " " + str(c, "precision") : str(c, "note")), per,
             of_peak(r, c)});
  }
  os << "</table>\n";
}

void devices(std::ostringstream& os, const json& r) {
  const json& ds = field(r, "devices");
  if (!ds.is_array() || ds.empty()) return;
  os << "<h2>Devices and peaks</h2>\n";
  for (const auto& d : ds) {
    os << "<h3>" << html_escape(str(d, "id")) << ": " << html_escape(str(d, "name")) << "</h3>\n";
    const json& peaks = field(d, "peaks");
    if (!peaks.is_object()) continue;
    os << "<table>\n";
    row(os, {"precision", "peak", "derivation"}, "th");
    for (const auto& [p, v] : peaks.items())
      row(os, {html_escape(p),
               field(v, "flops").is_number()
                   ? html_escape(format_rate(v["flops"].get<double>(), str(v, "unit")))
                   : "<span class=\"muted\">unknown</span>",
               "<span class=\"muted\">" + html_escape(str(v, "derivation")) + "</span>"});
    os << "</table>\n";
  }
}

void measurements(std::ostringstream& os, const json& ms) {
  os << "<h2>Measurements</h2>\n<p class=\"muted\">A figure (the median of the repetitions, a "
        "soak's steady state) is shown only where its check passed. %clock: against the peak at "
        "the clock measured around the figure; %spec: at the spec "
        "clock; %peakk: against the device's measured peak kernel.</p>\n<table>\n";
  row(os,
      {"device", "kernel", "precision", "size", "implementation", "figure", "cv", "%clock", "%spec",
       "%peakk", "status"},
      "th");
  for (const auto& m : ms) {
    const json& e = field(m, "efficiency");
    const bool ok = valid_figure(m);
    std::string status = ok ? "verified"
                            : "<span class=\"fail\">" + html_escape(figure_status(m)) + "</span> " +
                                  html_escape(str(m, "message"));
    if (field(m, "flags").is_array())
      for (const auto& f : m["flags"])
        status += "<br><span class=\"fail\">" +
                  html_escape(f.is_string() ? f.get<std::string>() : f.dump()) + "</span>";
    const json& clock = field(e, "clock");
    row(os, {html_escape(str(m, "device")), html_escape(str(m, "kernel")),
             html_escape(str(m, "precision")), html_escape(size_label(field(m, "size"))),
             "<span class=\"muted\">" + html_escape(str(m, "implementation")) + "</span>",
             ok ? html_escape(figure(m)) : "-", ok ? percent(field(m, "cv")) : "-",
             ok ? percent(clock) + (clock.is_number() ? bar(clock.get<double>()) : "") : "-",
             ok ? percent(field(e, "spec")) : "-", ok ? percent(field(e, "measured_peak")) : "-",
             status});
  }
  os << "</table>\n";
}

std::vector<std::pair<double, double>> points_of(const json& series) {
  std::vector<std::pair<double, double>> out;
  if (series.is_array())
    for (const auto& p : series)
      if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number())
        out.emplace_back(p[0].get<double>(), p[1].get<double>());
  return out;
}

void soaks(std::ostringstream& os, const json& ms) {
  bool any = false;
  for (const auto& m : ms) {
    if (str(m, "mode") != "soak") continue;
    if (!any) os << "<h2>Soaks</h2>\n";
    any = true;
    const std::string title = str(m, "device") + " " + str(m, "kernel") + " " +
                              str(m, "precision") + " " + size_label(field(m, "size"));
    os << "<h3>" << html_escape(title) << "</h3>\n";
    if (!valid_figure(m)) {  // its rates are not evidence of anything
      os << "<p><span class=\"fail\">not verified: " << html_escape(figure_status(m)) << "</span> "
         << html_escape(str(m, "message")) << " (its series is not shown)</p>\n";
      continue;
    }
    os << "<p>";
    if (field(m, "drop").is_number()) os << "drop " << percent(m["drop"]) << "; ";
    const json& a = field(m, "attribution");
    if (a.is_object())
      os << "cause: <b>" << html_escape(str(a, "cause")) << "</b> ("
         << html_escape(str(a, "evidence")) << ")";
    os << "</p>\n";
    const std::string unit = str(m, "series_unit").empty() ? "FLOP/s" : str(m, "series_unit");
    os << svg_line_chart({{title, points_of(field(m, "series"))}}, "seconds since the start",
                         rate_axis, unit);
    const json& sensors = field(m, "sensors");
    for (const char* ch : {"clock_hz", "temperature_c", "power_w"}) {
      const json& c = field(sensors, ch);
      if (!c.is_object() || !field(c, "series").is_array()) continue;
      const std::string u = str(c, "unit");
      os << "<p class=\"muted\">" << ch << "</p>\n"
         << svg_line_chart({{ch, points_of(c["series"])}}, "seconds since the start",
                           u == "Hz" ? rate_axis : plain_axis, u, 720, 160);
    }
  }
}

std::string int_list(const json& a) {
  std::string s;
  if (a.is_array())
    for (const auto& v : a) {
      if (!s.empty()) s += ", ";
      s += v.dump();
    }
  return s.empty() ? "none" : s;
}

// A rack result (gathered by rank 0, or joined by flopscope merge): who
// took part, the totals per class, the outliers and each node's figures.
void rack(std::ostringstream& os, const json& r) {
  const json& rk = field(r, "rack");
  if (!rk.is_object()) return;
  os << "<h2>Rack</h2>\n<p>" << html_escape(str(rk, "nodes")) << " nodes, "
     << html_escape(str(rk, "ranks"))
     << " ranks; missing ranks: " << html_escape(int_list(field(rk, "missing_ranks")))
     << "; ranks that died mid-run: " << html_escape(int_list(field(rk, "died_ranks"))) << "</p>\n";
  const json& totals = field(rk, "totals");
  if (totals.is_object()) {
    os << "<table>\n";
    row(os, {"class", "rack total"}, "th");
    for (const auto& [c, v] : totals.items())
      row(os, {html_escape(c),
               v.is_number() ? html_escape(format_rate(v.get<double>(), "FLOP/s")) : "-"});
    os << "</table>\n";
  }
  const json& outliers = field(rk, "outliers");
  if (outliers.is_array() && !outliers.empty()) {
    os << "<h3>Outliers (below their peers' median by more than "
       << percent(field(rk, "peer_tolerance")) << ")</h3>\n<table>\n";
    row(os, {"device or node", "class", "figure", "peers' median", "below", "peers"}, "th");
    for (const auto& o : outliers) {
      const std::string who = str(o, "device").empty() ? str(o, "node") : str(o, "device");
      const json& f = field(o, "flops");
      const json& med = field(o, "peer_median_flops");
      row(os, {"<b>" + html_escape(who) + "</b>", html_escape(str(o, "class")),
               f.is_number() ? html_escape(format_rate(f.get<double>(), "FLOP/s")) : "-",
               med.is_number() ? html_escape(format_rate(med.get<double>(), "FLOP/s")) : "-",
               "<span class=\"fail\">" + percent(field(o, "below_peer_median")) + "</span>",
               html_escape(str(o, "peers"))});
    }
    os << "</table>\n";
  }
  const json& nodes = field(r, "nodes");
  if (nodes.is_array() && !nodes.empty()) {
    os << "<h3>Nodes</h3>\n<table>\n";
    row(os, {"node", "hostname", "ranks", "devices", "per class"}, "th");
    for (const auto& n : nodes) {
      std::string per;
      if (field(n, "classes").is_object())
        for (const auto& [c, v] : n["classes"].items())
          per += html_escape(c) + " " +
                 (v.is_number() ? html_escape(format_rate(v.get<double>(), "FLOP/s")) : "-") +
                 "<br>";
      std::string node = html_escape(str(n, "node"));
      if (field(n, "complete") == false) node += " <span class=\"fail\">incomplete</span>";
      row(os,
          {node, html_escape(str(n, "hostname")), html_escape(int_list(field(n, "ranks"))),
           html_escape(std::to_string(field(n, "devices").is_array() ? n["devices"].size() : 0)),
           per});
    }
    os << "</table>\n";
  }
}

// A copy that measured memory, not a cache: its arrays at least twice the
// cache they could sit in (roofline.cpp's rule), or no footprint recorded.
bool copy_from_memory(const json& m) {
  const json& f = field(m, "footprint");
  if (!f.is_object()) return true;
  const json& ws = field(f, "working_set_bytes");
  const json& cache = field(f, "cache_bytes");
  return !cache.is_number() || !(cache.get<double>() > 0) ||
         (ws.is_number() && ws.get<double>() >= 2 * cache.get<double>());
}

// Rooflines for this many devices at most: a rack file's thousands would
// make a page nobody opens.
constexpr size_t kMaxRooflines = 64;

void rooflines(std::ostringstream& os, const Index& ix) {
  size_t drawn = 0, left_out = 0;
  for (const auto& [id, d] : ix.devices) {
    auto mit = ix.measurements.find(id);
    if (mit == ix.measurements.end()) continue;
    std::vector<RooflinePoint> points;
    std::map<std::string, double> roofs;     // precision -> theoretical peak
    std::map<std::string, double> measured;  // precision -> the peak kernel's figure
    double copy = 0, own_copy = 0;
    std::string own_copy_source;
    for (const json* mp : mit->second) {
      const json& m = *mp;
      if (!valid_figure(m)) continue;
      if (str(m, "kernel") == "stream" && str(field(m, "size"), "variant") == "copy" &&
          field(m, "median_bytes_per_second").is_number() && copy_from_memory(m))
        copy = std::max(copy, m["median_bytes_per_second"].get<double>());
      if (str(m, "kernel") == "peak" && field(m, "median_flops").is_number()) {
        double& best = measured[str(m, "precision")];
        best = std::max(best, m["median_flops"].get<double>());
      }
      // A kernel's roofline object has passed roofline.cpp's memory checks.
      const json& rl = field(m, "roofline");
      if (field(rl, "bandwidth_bytes_per_second").is_number() &&
          rl["bandwidth_bytes_per_second"].get<double>() > own_copy) {
        own_copy = rl["bandwidth_bytes_per_second"].get<double>();
        own_copy_source = str(rl, "bandwidth_source");
      }
      const json& ai = field(m, "arithmetic_intensity");
      const json& f = field(m, "median_flops");
      if (!ai.is_number() || !f.is_number() || !(ai.get<double>() > 0) || !(f.get<double>() > 0))
        continue;
      const std::string variant = str(field(m, "size"), "variant");
      const bool in_cache = !str(m, "roofline_note").empty();
      points.push_back({str(m, "kernel") + " " + str(m, "precision") +
                            (variant.empty() ? "" : " " + variant) +
                            (in_cache ? " (in cache)" : ""),
                        ai.get<double>(), f.get<double>(), size_label(field(m, "size"))});
      const json& peak = field(field(field(*d, "peaks"), str(m, "precision").c_str()), "flops");
      if (peak.is_number()) roofs[str(m, "precision")] = peak.get<double>();
    }
    if (points.empty()) continue;
    if (drawn == kMaxRooflines) {
      ++left_out;
      continue;
    }
    if (drawn++ == 0) os << "<h2>Rooflines</h2>\n";
    // The kernels' own copies first, as their roofline fractions use them.
    const double bw = own_copy > 0 ? own_copy : copy;
    const std::string bw_source = own_copy > 0 ? own_copy_source
                                  : copy > 0   ? "the run's stream copy"
                                               : "";
    // Equal peaks (FP16 and BF16 on most GPUs) share one roof and label.
    std::map<double, std::string> by_value, measured_by_value;
    for (const auto& [p, f] : roofs) {
      std::string& l = by_value[f];
      l += (l.empty() ? "" : ", ") + p;
      if (measured.count(p) && measured[p] > 0) {
        std::string& ml = measured_by_value[measured[p]];
        ml += (ml.empty() ? "" : ", ") + p;
      }
    }
    std::vector<Roof> rs;
    for (const auto& [f, l] : by_value) rs.push_back({l + " peak " + format_rate(f, "FLOP/s"), f});
    for (const auto& [f, l] : measured_by_value)
      rs.push_back({l + " measured peak " + format_rate(f, "FLOP/s"), f, true});
    os << "<h3>" << html_escape(id) << "</h3>\n<p class=\"muted\">Memory roof: "
       << (bw > 0 ? html_escape(format_rate(bw, "B/s") + " (" + bw_source + ")")
                  : std::string("no copy bandwidth from memory measured"))
       << "; compute roofs: the device's peak per precision, and dashed, what its peak kernel "
          "measured in this run.</p>\n"
       << svg_roofline(rs, bw, bw > 0 ? "copy " + format_rate(bw, "B/s") : "", points);
  }
  if (left_out > 0)
    os << "<p class=\"muted\">Rooflines of " << left_out << " more device"
       << (left_out == 1 ? "" : "s") << " left out (the first " << kMaxRooflines
       << " are drawn).</p>\n";
}

}  // namespace

std::string render_html_report(const json& r, const std::string& source) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>flopscope "
        "report: "
     << html_escape(str(field(r, "host"), "hostname")) << " " << html_escape(str(r, "started_at"))
     << "</title>\n"
     << kStyle << "</head>\n<body>\n";
  const Index ix = index_of(r);
  header(os, r, source);
  classes(os, r);
  rack(os, r);
  static const json kEmpty = json::array();
  const json& ms = field(r, "measurements").is_array() ? r["measurements"] : kEmpty;
  measurements(os, ms);
  soaks(os, ms);
  rooflines(os, ix);
  devices(os, r);
  os << "</body>\n</html>\n";
  return os.str();
}

}  // namespace flopscope
