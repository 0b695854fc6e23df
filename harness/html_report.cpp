#include "harness/html_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

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
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v.get<double>());
  return buf;
}

std::string size_text(const json& size) {
  std::string s;
  if (size.is_object())
    for (const auto& [k, v] : size.items()) {
      if (!s.empty()) s += ',';
      s += k;
      s += '=';
      s += v.is_string() ? v.get<std::string>() : v.dump();
    }
  return s;
}

std::string rate_axis(double v, const std::string& unit) {
  return format_rate(v, unit);
}

std::string plain_axis(double v, const std::string& unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g %s", v, unit.c_str());
  return buf;
}

// A measurement whose figure may be shown: it ran, and its check passed.
bool shown(const json& m) {
  return str(m, "status") == "ok" && field(m, "verified") == true;
}

// The figure the terminal table leads with: FLOP/s, or bandwidth for a
// kernel without arithmetic (stream copy).
std::string figure(const json& m) {
  const json& flops = field(m, "median_flops");
  if (flops.is_number() && flops.get<double>() > 0)
    return format_rate(flops.get<double>(), str(m, "unit").empty() ? "FLOP/s" : str(m, "unit"));
  const json& bw = field(m, "median_bytes_per_second");
  if (bw.is_number()) return format_rate(bw.get<double>(), "B/s");
  return "-";
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
svg .tick{fill:#555}svg .label{fill:#222}svg .roof-label{fill:#b00020}svg .legend,svg .point-label{fill:#222}
code{font-size:12px}
</style>
)";

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
    row(os, {"<th>" + html_escape(k) + "</th>", "<code>" + html_escape(v) + "</code>"});
  os << "</table>\n";
  const json& notes = field(r, "notes");
  if (notes.is_array() && !notes.empty()) {
    os << "<h2>Notes</h2>\n<ul>\n";
    for (const auto& n : notes)
      os << "<li>" << html_escape(n.is_string() ? n.get<std::string>() : n.dump()) << "</li>\n";
    os << "</ul>\n";
  }
}

// A device's best peak for a precision (vector or matrix), if known.
std::optional<double> peak_of(const json& devices, const std::string& id,
                              const std::string& precision) {
  if (!devices.is_array()) return std::nullopt;
  for (const auto& d : devices)
    if (str(d, "id") == id) {
      const json& f = field(field(field(d, "peaks"), precision.c_str()), "flops");
      if (f.is_number()) return f.get<double>();
    }
  return std::nullopt;
}

void classes(std::ostringstream& os, const json& r) {
  const json& cls = field(r, "classes");
  if (!cls.is_object() || cls.empty()) return;
  os << "<h2>Computing power by class (verified figures only)</h2>\n<table>\n";
  row(os, {"class", "sustained", "from", "per device", "of the devices' peak"}, "th");
  for (const auto& [name, c] : cls.items()) {
    const bool has = field(c, "flops").is_number();
    const std::string precision = str(c, "precision");
    std::string per, of_peak = "<span class=\"muted\">peak unknown</span>";
    double peaks = 0;
    bool all_known = has;
    if (field(c, "per_device").is_object())
      for (const auto& [dev, f] : c["per_device"].items()) {
        per += html_escape(dev) + " " +
               (f.is_number() ? html_escape(format_rate(f.get<double>(), str(c, "unit"))) : "-") +
               "<br>";
        const auto p = peak_of(field(r, "devices"), dev, precision);
        all_known = all_known && p.has_value();
        peaks += p.value_or(0);
      }
    if (all_known && peaks > 0) {
      const double fraction = c["flops"].get<double>() / peaks;
      of_peak = percent(fraction) + bar(fraction);
    }
    row(os, {"<b>" + html_escape(name) + "</b>",
             has ? html_escape(format_rate(c["flops"].get<double>(), str(c, "unit")))
                 : "<span class=\"muted\">no figure</span>",
             html_escape(has ? str(c, "kernel") + " " + precision : str(c, "note")), per, of_peak});
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
  os << "<h2>Measurements</h2>\n<p class=\"muted\">A figure is shown only where its check passed. "
        "%clock: against the peak at the clock measured around the figure; %spec: at the spec "
        "clock; %peakk: against the device's measured peak kernel.</p>\n<table>\n";
  row(os,
      {"device", "kernel", "precision", "size", "implementation", "median", "cv", "%clock", "%spec",
       "%peakk", "status"},
      "th");
  for (const auto& m : ms) {
    const json& e = field(m, "efficiency");
    const bool ok = shown(m);
    std::string status = ok ? "verified"
                            : "<span class=\"fail\">" + html_escape(str(m, "status")) + "</span> " +
                                  html_escape(str(m, "message"));
    if (field(m, "flags").is_array())
      for (const auto& f : m["flags"])
        status += "<br><span class=\"fail\">" +
                  html_escape(f.is_string() ? f.get<std::string>() : f.dump()) + "</span>";
    const json& clock = field(e, "clock");
    row(os, {html_escape(str(m, "device")), html_escape(str(m, "kernel")),
             html_escape(str(m, "precision")), html_escape(size_text(field(m, "size"))),
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
    if (str(m, "mode") != "soak" || !field(m, "series").is_array()) continue;
    if (!any) os << "<h2>Soaks</h2>\n";
    any = true;
    const std::string title = str(m, "device") + " " + str(m, "kernel") + " " +
                              str(m, "precision") + " " + size_text(field(m, "size"));
    os << "<h3>" << html_escape(title) << "</h3>\n<p>";
    if (field(m, "drop").is_number()) os << "drop " << percent(m["drop"]) << "; ";
    const json& a = field(m, "attribution");
    if (a.is_object())
      os << "cause: <b>" << html_escape(str(a, "cause")) << "</b> ("
         << html_escape(str(a, "evidence")) << ")";
    if (!shown(m))
      os << " <span class=\"fail\">not verified: " << html_escape(str(m, "status")) << "</span>";
    os << "</p>\n";
    const std::string unit = str(m, "series_unit").empty() ? "FLOP/s" : str(m, "series_unit");
    os << svg_line_chart({{title, points_of(m["series"])}}, "seconds since the start", rate_axis,
                         unit);
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

void rooflines(std::ostringstream& os, const json& r, const json& ms) {
  const json& ds = field(r, "devices");
  if (!ds.is_array()) return;
  bool any = false;
  for (const auto& d : ds) {
    const std::string id = str(d, "id");
    std::vector<RooflinePoint> points;
    std::map<std::string, double> roofs;  // precision -> peak
    double copy = 0, own_copy = 0;
    for (const auto& m : ms) {
      if (str(m, "device") != id || !shown(m)) continue;
      if (str(m, "kernel") == "stream" && str(field(m, "size"), "variant") == "copy" &&
          field(m, "median_bytes_per_second").is_number())
        copy = std::max(copy, m["median_bytes_per_second"].get<double>());
      const json& rl = field(m, "roofline");
      if (field(rl, "bandwidth_bytes_per_second").is_number())
        own_copy = std::max(own_copy, rl["bandwidth_bytes_per_second"].get<double>());
      const json& ai = field(m, "arithmetic_intensity");
      const json& f = field(m, "median_flops");
      if (!ai.is_number() || !f.is_number() || !(ai.get<double>() > 0) || !(f.get<double>() > 0))
        continue;
      const std::string variant = str(field(m, "size"), "variant");
      points.push_back(
          {str(m, "kernel") + " " + str(m, "precision") + (variant.empty() ? "" : " " + variant),
           ai.get<double>(), f.get<double>(), size_text(field(m, "size"))});
      if (auto p = peak_of(ds, id, str(m, "precision"))) roofs[str(m, "precision")] = *p;
    }
    if (points.empty()) continue;
    if (!any) os << "<h2>Rooflines</h2>\n";
    any = true;
    const double bw = copy > 0 ? copy : own_copy;
    std::vector<Roof> rs;
    for (const auto& [p, f] : roofs) rs.push_back({p + " peak " + format_rate(f, "FLOP/s"), f});
    os << "<h3>" << html_escape(id) << "</h3>\n<p class=\"muted\">Memory roof: "
       << (bw > 0 ? html_escape(format_rate(bw, "B/s")) +
                        (copy > 0 ? " (stream copy)" : " (the stencil's own copy)")
                  : std::string("no copy bandwidth measured"))
       << "; compute roofs: the device's peak per precision.</p>\n"
       << svg_roofline(rs, bw, bw > 0 ? "copy " + format_rate(bw, "B/s") : "", points);
  }
}

}  // namespace

std::string render_html_report(const json& r, const std::string& source) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>flopscope "
        "report: "
     << html_escape(str(field(r, "host"), "hostname")) << " " << html_escape(str(r, "started_at"))
     << "</title>\n"
     << kStyle << "</head>\n<body>\n";
  header(os, r, source);
  classes(os, r);
  const json& ms = field(r, "measurements").is_array() ? r["measurements"] : json::array();
  measurements(os, ms);
  soaks(os, ms);
  rooflines(os, r, ms);
  devices(os, r);
  os << "</body>\n</html>\n";
  return os.str();
}

}  // namespace flopscope
