#include "harness/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "harness/class_summary.h"
#include "harness/kernel_run.h"
#include "harness/measurement.h"
#include "harness/units.h"

namespace flopscope {

namespace {

struct Cell {
  double flops = 0;
  double cv = 0;
  std::string status;
  bool soak = false;
  bool flagged = false;  // valid, but flagged in its run (SUSPECT there)
};

using Key = std::tuple<std::string, std::string, std::string, std::string>;

// How a run was made, in the words compare prints: tool version and commit,
// burst or soak, quick or not. Runs that differ here differ in method.
std::string method_of(const nlohmann::json& d) {
  const auto& tool = d.value("tool", nlohmann::json::object());
  const auto& settings = d.value("settings", nlohmann::json::object());
  std::string out = "flopscope " + tool.value("version", std::string("?")) + " " +
                    tool.value("git_commit", std::string("?"));
  out += settings.contains("duration_s") ? ", soak" : ", burst";
  if (settings.value("quick", false)) out += ", --quick";
  return out;
}

}  // namespace

bool beyond_variation(double ratio, double cv_a, double cv_b) {
  const double noise = std::max(2 * std::sqrt(cv_a * cv_a + cv_b * cv_b), 0.01);
  return std::fabs(ratio - 1) > noise;
}

int print_comparison(std::ostream& os, const std::vector<CompareRun>& runs) {
  std::vector<Key> order;
  std::map<Key, std::vector<std::optional<Cell>>> rows;
  std::map<Key, std::string> units;
  for (size_t f = 0; f < runs.size(); ++f) {
    for (const auto& m : runs[f].doc.value("measurements", nlohmann::json::array())) {
      Key k{m.value("device", ""), m.value("kernel", ""), m.value("precision", ""),
            size_label(m.value("size", nlohmann::json()))};
      auto& row = rows[k];
      if (row.empty()) {
        row.resize(runs.size());
        order.push_back(k);
      }
      units[k] = bandwidth_only(m) ? "B/s" : m.value("unit", "FLOP/s");
      const auto flags = m.find("flags");
      Cell c{sustained_figure(m), m.value("cv", 0.0), figure_status(m),
             m.value("mode", "burst") == "soak",
             flags != m.end() && flags->is_array() && !flags->empty()};
      // Several entries for one key (repeated sizes): keep the best valid one.
      if (!row[f] || (c.status == "ok" && (row[f]->status != "ok" || c.flops > row[f]->flops)))
        row[f] = c;
    }
  }
  const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (size_t f = 0; f < runs.size(); ++f) {
    const auto& d = runs[f].doc;
    os << letters[f % 26] << " = " << runs[f].name << " ("
       << d.value("host", nlohmann::json::object()).value("hostname", "?") << ", "
       << d.value("started_at", "?") << ", " << method_of(d)
       << (d.value("complete", true) ? "" : ", INCOMPLETE") << ")\n";
    for (const auto& dev : d.value("devices", nlohmann::json::array()))
      os << "    " << dev.value("id", "") << ": " << dev.value("name", "") << "\n";
  }
  // Runs made another way are still compared, but the reader is told.
  for (size_t f = 1; f < runs.size(); ++f)
    if (method_of(runs[f].doc) != method_of(runs[0].doc))
      os << "note: " << letters[f % 26] << " and A were made differently ("
         << method_of(runs[f].doc) << " against " << method_of(runs[0].doc)
         << "): their ratios mix method with machine\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-14s %-8s %-5s %-22s", "device", "kernel", "prec", "size");
  os << line;
  for (size_t f = 0; f < runs.size(); ++f) {
    std::snprintf(line, sizeof line, " %16c", letters[f % 26]);
    os << line;
    if (f > 0) {
      std::snprintf(line, sizeof line, " %8s", (std::string(1, letters[f % 26]) + "/A").c_str());
      os << line;
    }
  }
  os << "\n";
  int flagged = 0;
  for (const auto& k : order) {
    const auto& row = rows[k];
    std::snprintf(line, sizeof line, "%-14s %-8s %-5s %-22s", std::get<0>(k).c_str(),
                  std::get<1>(k).c_str(), std::get<2>(k).c_str(), std::get<3>(k).c_str());
    os << line;
    const auto& a = row[0];
    for (size_t f = 0; f < runs.size(); ++f) {
      const auto& c = row[f];
      std::string text = !c                  ? "-"
                         : c->status != "ok" ? c->status
                         : c->flagged        ? format_rate(c->flops, units[k]) + " ?"
                                             : format_rate(c->flops, units[k]);
      std::snprintf(line, sizeof line, " %16s", text.c_str());
      os << line;
      if (f == 0) continue;
      std::string ratio = "-";
      if (a && c && a->status == "ok" && c->status == "ok" && a->flops > 0) {
        const double r = c->flops / a->flops;
        char buf[32];
        const bool flag = beyond_variation(r, a->cv, c->cv);
        flagged += flag;
        // A soak's steady state against a burst median is not like for like.
        std::snprintf(buf, sizeof buf, "%.3f%s%s", r, flag ? " !" : "  ",
                      a->soak != c->soak ? "*" : "");
        ratio = buf;
      }
      std::snprintf(line, sizeof line, " %8s", ratio.c_str());
      os << line;
    }
    os << "\n";
  }
  os << "\nComputing power by class\n";
  for (const char* cls : {"supercomputing", "basic", "intelligent"}) {
    std::snprintf(line, sizeof line, "  %-36s", cls);
    os << line;
    std::optional<double> first;
    std::string first_kernel;
    for (size_t f = 0; f < runs.size(); ++f) {
      const auto& c =
          runs[f].doc.value("classes", nlohmann::json::object()).value(cls, nlohmann::json());
      const auto flops = c.is_object() ? c.value("flops", nlohmann::json()) : nlohmann::json();
      const auto kernel_j = c.is_object() ? c.value("kernel", nlohmann::json()) : nlohmann::json();
      const std::string kernel = kernel_j.is_string() ? kernel_j.get<std::string>() : "";
      // GEMM is the headline; anything else (the FMA chains standing in
      // where no GEMM verified, or a mix) is named beside the figure.
      std::string text = flops.is_number() ? format_rate(flops.get<double>(), "FLOP/s") : "-";
      if (flops.is_number() && kernel != "gemm") text += " (" + kernel + ")";
      // Against the peaks the figures were judged by: hardware compared by
      // its efficiency as well as its figure. A spec-clock fraction is
      // marked: it is not like for like with a measured clock's.
      const auto ms = runs[f].doc.find("measurements");
      if (const auto frac = flops.is_number()
                                ? headline_fraction(of_peak_in(
                                      c, ms != runs[f].doc.end() ? *ms : nlohmann::json()))
                                : std::nullopt)
        text += " " + format_percent(frac->fraction, 0) + (frac->spec ? " spec" : "");
      std::snprintf(line, sizeof line, " %31s", text.c_str());
      os << line;
      if (f == 0) {
        if (flops.is_number()) first = flops.get<double>();
        first_kernel = kernel;
        continue;
      }
      char buf[32] = "-";
      if (first && *first > 0 && flops.is_number())
        std::snprintf(buf, sizeof buf, "%.3f%s", flops.get<double>() / *first,
                      kernel != first_kernel ? "*" : "");
      std::snprintf(line, sizeof line, " %8s", buf);
      os << line;
    }
    os << "\n";
  }
  os << "Figures: steady state for soaks, median for burst runs; a class's percentage is of the "
        "peaks its figures were judged by, at the measured clock ('spec': at the spec clock). '!': "
        "the ratio differs from 1 by more than twice the runs' combined CV (at least 1%). '*': not "
        "like for like (a soak against a burst, or class figures from different kernels). '?': "
        "the figure is flagged in its run (SUSPECT in its table, which says why).\n";
  return flagged;
}

}  // namespace flopscope
