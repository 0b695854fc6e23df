#include "harness/certify.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "harness/class_summary.h"
#include "harness/efficiency.h"
#include "harness/measurement.h"
#include "harness/statistics.h"
#include "harness/text_table.h"
#include "harness/units.h"

namespace flopscope {

int CertifyReport::failures() const {
  return static_cast<int>(
      std::count_if(checks.begin(), checks.end(), [](const auto& c) { return !c.passed; }));
}

namespace {

// Const lookups that give null for what a document lacks (a const
// operator[] on a missing key is undefined behaviour in nlohmann::json).
const nlohmann::json& get(const nlohmann::json& j, const std::string& key) {
  static const nlohmann::json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

std::string node_of(const std::string& id) {
  auto slash = id.find('/');
  return slash == std::string::npos ? std::string() : id.substr(0, slash);
}

std::string identity_of(const nlohmann::json& d) {
  std::string out;
  const auto& idn = d.value("identity", nlohmann::json::object());
  for (const char* k : {"pci_bus_id", "uuid", "serial"}) {
    const std::string v = idn.value(k, "");
    if (!v.empty()) out += (out.empty() ? "" : " ") + v;
  }
  return out.empty() ? d.value("name", "") : out;
}

bool matches(const ReferenceDeviceRule& r, const nlohmann::json& d) {
  const std::string name = d.value("name", ""), kind = d.value("kind", "");
  if (!r.kind.empty() && r.kind != kind) return false;
  if (!r.name.empty() && r.name != name) return false;
  if (!r.name_contains.empty() && name.find(r.name_contains) == std::string::npos) return false;
  return true;
}

std::string rate(double v, Precision p) {
  return format_rate(v, rate_unit(p));
}

// A minimum's figure, and the figure as the table shows it: a bandwidth
// minimum (kernel stream, copy and triad alike) reads and shows B/s; every
// other minimum the sustained FLOP/s (OP/s for int8).
double figure_for(const ReferenceMinimum& mn, const nlohmann::json& m) {
  return mn.bytes_per_second ? sustained_bandwidth(m) : sustained_figure(m);
}

std::string format_minimum(const ReferenceMinimum& mn, double v) {
  if (mn.bytes_per_second) return format_rate(v, "B/s");
  return rate(v, mn.precision ? *mn.precision : headline_precisions(*mn.cls)[0]);
}

bool is_soak(const nlohmann::json& m) {
  return m.value("mode", "burst") == "soak";
}

// The peak a fraction applies to; nullopt with `why` when none is known.
std::optional<double> peak_of(const nlohmann::json& d, const std::vector<Precision>& ps, bool spec,
                              bool vector_unit, std::string* why) {
  const char* table = spec ? "spec_peaks" : "peaks";
  std::optional<double> best;
  for (Precision p : ps) {
    const auto& t = d.value(table, nlohmann::json::object());
    const std::string key(to_string(p));
    if (!t.contains(key)) continue;
    const auto& e = t[key];
    nlohmann::json f = e.value("flops", nlohmann::json());
    if (vector_unit && e.contains("vector")) f = e["vector"].value("flops", nlohmann::json());
    if (f.is_number() && (!best || f.get<double>() > *best)) best = f.get<double>();
  }
  if (!best)
    *why = spec ? "no spec peak known for this device (no datasheet clock); state the minimum in "
                  "flops or against \"peak\": \"clock\""
                : "no peak known for this device at this precision";
  return best;
}

struct Ctx {
  const nlohmann::json& run;
  const Reference& ref;
  CertifyReport& report;
  std::map<std::string, const nlohmann::json*> devices;
  std::map<std::string, std::string> hostnames;  // rack runs: "node3" -> its hostname
};

void add(Ctx& c, const std::string& dev, const std::string& idn, const std::string& check,
         const std::string& figure, const std::string& required, bool ok, const std::string& why) {
  // A device "node3/cuda:5", or the node row "node3".
  const std::string node = node_of(dev).empty() ? dev : node_of(dev);
  const auto host = c.hostnames.find(node);
  c.report.checks.push_back({dev, idn, host == c.hostnames.end() ? std::string() : host->second,
                             check, figure, required, ok, ok ? std::string() : why});
}

// The measurement a minimum is judged on: the best verified one of the
// kernel and precision, or for a class the best verified GEMM at the class's
// headline precisions. The run's class summary lets the FMA-chain figure
// stand in while a device has no GEMM; a certificate does not, since the
// chains say what the units can do, not what a workload sustains. With
// require_soak only soak steady states count; with of_peak ("spec" or
// "measured-clock") a figure flagged above 101% of that peak does not (the
// peak table or the clock is wrong, so a fraction of that peak proves
// nothing); other flags (error counters) have their own check. `why` says
// what is missing.
struct Evidence {
  const nlohmann::json* best = nullptr;
  std::string why;
};

Evidence find_evidence(const nlohmann::json& run, const std::string& id, const ReferenceMinimum& mn,
                       bool require_soak, const char* of_peak) {
  const std::string kernel(to_string(mn.cls ? KernelKind::gemm : *mn.kernel));
  const std::vector<Precision> ps =
      mn.cls ? headline_precisions(*mn.cls) : std::vector<Precision>{*mn.precision};
  Evidence e;
  const nlohmann::json* other = nullptr;  // the most telling measurement that did not count
  std::string other_why;
  for (const auto& m : get(run, "measurements")) {
    if (m.value("device", "") != id || m.value("kernel", "") != kernel ||
        std::none_of(ps.begin(), ps.end(),
                     [&](Precision p) { return m.value("precision", "") == to_string(p); }))
      continue;
    std::string why;
    if (!valid_figure(m))
      why = "not valid: " + figure_status(m) + ": " + m.value("message", "");
    else if (require_soak && !is_soak(m))
      why = "only a burst figure; the reference requires a soak (run --duration)";
    else if (of_peak)
      for (const auto& f : get(m, "flags"))
        if (f.is_string() && is_above_peak_flag(f.get<std::string>(), of_peak))
          why = "the figure is flagged (" + f.get<std::string>() +
                "): a fraction of that peak proves nothing";
    if (why.empty()) {
      if (!e.best || figure_for(mn, m) > figure_for(mn, *e.best)) e.best = &m;
    } else if (!other || m.value("status", "") != "unsupported") {
      other = &m;
      other_why = why;
    }
  }
  if (e.best) return e;
  if (other)
    e.why = other_why;
  else if (mn.cls)
    e.why = "no verified GEMM at " + std::string(to_string(ps[0])) +
            (ps.size() > 1 ? " or " + std::string(to_string(ps[1])) : "") +
            " (a class is certified on GEMM, never on the FMA chains)";
  else
    e.why = "not measured";
  return e;
}

// What a failure says about a figure the run itself doubted: its flags (the
// host took the cores, the clock fell) and a burst's wide spread, as the
// table marks them. The device may be sound and the run not; a rerun on a
// quiet machine tells which, before anyone pulls a card. A flag above a peak
// says the peak is wrong, not the run: find_evidence has dealt with those.
// Empty when the run doubted nothing.
std::string doubts_note(const nlohmann::json& m) {
  std::vector<std::string> doubts;
  for (const auto& f : get(m, "flags"))
    if (f.is_string() && !is_above_peak_flag(f.get<std::string>(), "spec") &&
        !is_above_peak_flag(f.get<std::string>(), "measured-clock"))
      doubts.push_back(f.get<std::string>());
  const auto& cv = get(m, "cv");
  if (!is_soak(m) && cv.is_number() && cv.get<double>() > kNoisyCv)
    doubts.push_back("noisy: cv " + format_percent(cv.get<double>()) + " over its repetitions");
  if (doubts.empty()) return {};
  std::string note = "; the run doubted this figure: ";
  for (size_t i = 0; i < doubts.size(); ++i) note.append(i ? " | " : "").append(doubts[i]);
  return note + "; rerun on a quiet machine before blaming the device";
}

// A device's figure for one minimum and the measurement it came from.
struct Judged {
  double figure;
  const nlohmann::json* source;
};

// One minimum on one device: the figure, against what the reference asks.
// Returns the figure (for the peer check) when the device has one.
std::optional<Judged> check_minimum(Ctx& c, const ReferenceDeviceRule& rule,
                                    const ReferenceMinimum& mn, const nlohmann::json& d) {
  const std::string id = d.value("id", ""), idn = identity_of(d);
  // A fraction of a peak: which one ("spec" or "measured-clock", as the
  // efficiency flags name them); null for an absolute minimum.
  const char* of_peak = mn.flops || mn.bytes_per_second ? nullptr
                        : mn.spec_peak                  ? "spec"
                                                        : "measured-clock";
  const Evidence e = find_evidence(c.run, id, mn, c.ref.require_soak, of_peak);
  std::optional<double> figure;
  std::string label = mn.what();
  const nlohmann::json* source = e.best;
  if (source) {
    figure = figure_for(mn, *source);
    if (mn.cls) label += ": " + source->value("kernel", "") + " " + source->value("precision", "");
    const auto& variant = get(get(*source, "size"), "variant");
    if (mn.bytes_per_second && variant.is_string()) label += " " + variant.get<std::string>();
    label += is_soak(*source) ? " sustained (soak steady state)" : " (burst median)";
  }
  const std::string& missing_why = e.why;
  // What is required.
  std::optional<double> required;
  std::string required_text, peak_why;
  if (mn.bytes_per_second) {
    required = *mn.bytes_per_second;
    required_text = ">= " + format_minimum(mn, *required);
  } else if (mn.flops) {
    required = *mn.flops;
    required_text = ">= " + format_minimum(mn, *mn.flops);
  } else {
    const bool vector_unit = mn.kernel && *mn.kernel == KernelKind::peak;
    const auto ps =
        mn.precision ? std::vector<Precision>{*mn.precision} : headline_precisions(*mn.cls);
    if (auto pk = peak_of(d, ps, mn.spec_peak, vector_unit, &peak_why)) {
      required = *mn.fraction * *pk;
      required_text = ">= " + format_minimum(mn, *required) + " (" + format_percent(*mn.fraction) +
                      " of " + (mn.spec_peak ? "spec" : "measured-clock") + " peak)";
    } else {
      required_text = format_percent(*mn.fraction) + " of " +
                      (mn.spec_peak ? "spec" : "measured-clock") + " peak";
    }
  }
  if (!figure) {
    add(c, id, idn, label, "-", required_text, false, missing_why);
    return std::nullopt;
  }
  if (!required) {
    add(c, id, idn, label, format_minimum(mn, *figure), required_text, false, peak_why);
    return Judged{*figure, source};
  }
  const bool ok = *figure >= *required;
  add(c, id, idn, label, format_minimum(mn, *figure), required_text, ok,
      "below the minimum by " + format_percent(1 - *figure / *required) + " (" + rule.label + ")" +
          doubts_note(*source));
  // A soak that lost too much speed fails even above its minimum.
  const auto max_drop = rule.max_drop ? rule.max_drop : c.ref.max_drop;
  if (source && max_drop && is_soak(*source)) {
    const double drop = source->value("drop", 0.0);
    const auto& at = source->value("attribution", nlohmann::json::object());
    add(c, id, idn, std::string(mn.what()) + " drop", format_percent(drop),
        "<= " + format_percent(*max_drop), drop <= *max_drop,
        "lost " + format_percent(drop) + " from the first window to the closing ones; cause: " +
            at.value("cause", "?") + " (" + at.value("evidence", "") + ")");
  }
  return Judged{*figure, source};
}

}  // namespace

CertifyReport certify(const nlohmann::json& run, const Reference& ref) {
  CertifyReport report;
  Ctx c{run, ref, report, {}, {}};
  const auto& devices = get(run, "devices");
  if (devices.is_array())
    for (const auto& d : devices) c.devices[d.value("id", "")] = &d;
  if (const auto& nodes = get(run, "nodes"); nodes.is_array())
    for (const auto& n : nodes)
      if (n.is_object() && get(n, "node").is_string() && get(n, "hostname").is_string())
        c.hostnames[n["node"].get<std::string>()] = n["hostname"].get<std::string>();

  const bool complete = run.value("complete", false);
  add(c, "run", "", "complete", complete ? "true" : "false", "true", complete,
      "the run was interrupted or a rank is missing: not everything was measured");
  const auto& missing_ranks = get(get(run, "rack"), "missing_ranks");
  if (missing_ranks.is_array() && !missing_ranks.empty())
    add(c, "run", "", "ranks", missing_ranks.dump(), "[]", false,
        "ranks missing from the rack result: " + missing_ranks.dump());
  const auto& died = get(get(run, "rack"), "died_ranks");
  if (died.is_array() && !died.empty())
    add(c, "run", "", "ranks finished", died.dump(), "[]", false,
        "ranks that died mid-run: " + died.dump());

  for (const auto& rule : ref.devices) {
    std::vector<const nlohmann::json*> matched;
    for (const auto& [id, d] : c.devices)
      if (matches(rule, *d)) matched.push_back(d);
    if (matched.empty()) {
      add(c, rule.label, "", "present", "0 devices", "at least 1", false,
          "no device in the run matches this rule");
      continue;
    }
    if (rule.count_per_node) {
      std::map<std::string, int> per_node;
      for (const auto& [id, d] : c.devices) per_node[node_of(id)] += 0;
      for (const auto* d : matched) ++per_node[node_of(d->value("id", ""))];
      for (const auto& [node, n] : per_node)
        add(c, node.empty() ? "node" : node, "", "count of " + rule.label, std::to_string(n),
            std::to_string(*rule.count_per_node), n >= *rule.count_per_node,
            "found " + std::to_string(n) + " of " + std::to_string(*rule.count_per_node) + " " +
                rule.label);
    }
    // Every measurement of a covered device must have verified.
    for (const auto* d : matched)
      for (const auto& m : get(run, "measurements")) {
        if (m.value("device", "") != d->value("id", "")) continue;
        const std::string st = figure_status(m);
        if (st == "not_verified" || st == "failed")
          add(c, d->value("id", ""), identity_of(*d),
              m.value("kernel", "") + " " + m.value("precision", "") + " verified", st, "ok", false,
              m.value("message", ""));
        const auto& ec = m.value("error_counters", nlohmann::json::object());
        if (ec.is_object() && !ec.value("increased", nlohmann::json::array()).empty())
          add(c, d->value("id", ""), identity_of(*d),
              m.value("kernel", "") + " " + m.value("precision", "") + " error counters",
              ec["increased"].dump(), "no increase", false,
              "error counters rose during the soak: " + ec["increased"].dump());
      }
    const double tol = rule.peer_tolerance ? *rule.peer_tolerance : ref.peer_tolerance;
    for (const auto& mn : rule.minimums) {
      // Identical devices (same name) are one peer group.
      std::map<std::string, std::vector<std::pair<const nlohmann::json*, Judged>>> groups;
      for (const auto* d : matched)
        if (auto j = check_minimum(c, rule, mn, *d))
          groups[d->value("name", "")].push_back({d, *j});
      if (tol <= 0) continue;
      for (const auto& [name, members] : groups) {
        if (members.size() < 2) continue;
        std::vector<double> v;
        for (const auto& [d, j] : members) v.push_back(j.figure);
        const double median = summarize(v).median;
        for (const auto& [d, j] : members) {
          const double below = median > 0 ? 1 - j.figure / median : 0;
          add(c, d->value("id", ""), identity_of(*d), "peers " + mn.what(),
              format_minimum(mn, j.figure),
              ">= " + format_minimum(mn, median * (1 - tol)) + " (median - " + format_percent(tol) +
                  ")",
              below <= tol,
              format_percent(below) + " below the median of " + std::to_string(members.size()) +
                  " " + name + " (" + format_minimum(mn, median) + ")" + doubts_note(*j.source));
        }
      }
    }
  }

  // Per-node class totals.
  for (const auto& nm : ref.node_minimums) {
    const std::string cls(to_string(nm.cls));
    std::map<std::string, double> totals;
    std::map<std::string, std::string> lacking;  // node -> devices without a figure, and why
    ReferenceMinimum as_class;
    as_class.cls = nm.cls;
    for (const auto& [id, d] : c.devices) {
      const Evidence e = find_evidence(run, id, as_class, ref.require_soak, /*of_peak=*/nullptr);
      totals[node_of(id)] += e.best ? sustained_figure(*e.best) : 0;
      if (!e.best)
        lacking[node_of(id)] += (lacking[node_of(id)].empty() ? "" : "; ") + id + ": " + e.why;
    }
    for (const auto& [node, total] : totals) {
      const std::string& gaps = lacking[node];
      add(c, node.empty() ? "node" : node, "", "node total " + cls, format_rate(total, "FLOP/s"),
          ">= " + format_rate(nm.flops, "FLOP/s"), total >= nm.flops,
          "node total below the minimum by " + format_percent(1 - total / nm.flops) +
              (gaps.empty() ? std::string() : " (counted without " + gaps + ")"));
    }
  }
  return report;
}

void print_certify_report(std::ostream& os, const CertifyReport& r, const std::string& run_name,
                          const Reference& ref) {
  os << "certify " << run_name << " against " << ref.path << " (" << ref.name << ")\n";
  if (!ref.basis.empty()) os << "reference basis: " << ref.basis << "\n";
  // Columns as wide as their widest cell, nothing cut: a CPU model or a
  // class check ("class supercomputing: gemm fp64 (burst median)") runs
  // longer than any fixed width. The figure is right-aligned.
  std::vector<std::vector<std::string>> rows = {
      {"device", "identity", "check", "figure", "required", "result"}};
  for (const auto& c : r.checks)
    rows.push_back(
        {c.device, c.identity, c.check, c.figure, c.required, c.passed ? "pass" : "FAIL"});
  std::vector<TextColumn> columns(6);
  columns[3].right_aligned = true;
  columns[4].gap = 2;
  const std::vector<std::string> lines = format_columns(rows, columns);
  for (size_t n = 0; n < lines.size(); ++n) {
    os << lines[n] << "\n";
    if (n == 0) continue;
    const auto& c = r.checks[n - 1];
    if (!c.passed && !c.why.empty())
      os << "    " << (c.host.empty() ? "" : "on " + c.host + ": ") << c.why << "\n";
  }
  const int f = r.failures();
  if (f == 0) {
    os << "certify: PASS: " << r.checks.size() << " checks\n";
    return;
  }
  os << "certify: FAIL: " << f << " of " << r.checks.size() << " checks failed:";
  std::string sep = " ";
  for (const auto& c : r.checks)
    if (!c.passed) {
      os << sep << c.device << (c.host.empty() ? "" : " (" + c.host + ")") << " " << c.check;
      sep = "; ";
    }
  os << "\n";
}

}  // namespace flopscope
