#include "harness/reference.h"
#include "harness/job_limits.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "harness/errors.h"
#include "harness/json_file.h"

namespace flopscope {

std::string ReferenceMinimum::what() const {
  if (cls) return "class " + std::string(to_string(*cls));
  return std::string(to_string(*kernel)) + " " + std::string(to_string(*precision));
}

namespace {

// Walks the document with the pointer of each value, so every complaint can
// name the field and its line.
class Checker {
 public:
  Checker(const std::string& path, const std::string& text)
      : path_(path), lines_(json_value_lines(text)) {}

  [[noreturn]] void fail(const std::string& ptr, const std::string& why) const {
    throw UsageError(path_ + ": line " + std::to_string(line_of(lines_, ptr)) + ": " +
                     field_name(ptr) + ": " + why);
  }
  void only_keys(const nlohmann::json& j, const std::string& ptr,
                 const std::set<std::string>& allowed) const {
    if (!j.is_object()) fail(ptr, "must be an object");
    for (const auto& [k, v] : j.items())
      if (!allowed.count(k)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(ptr + "/" + k, "unknown field (known here: " + list + ")");
      }
  }
  std::string str(const nlohmann::json& j, const std::string& ptr, bool required) const {
    if (!j.is_null() && !j.is_string()) fail(ptr, "must be a string");
    if (j.is_null()) {
      if (required) fail(ptr, "is required");
      return {};
    }
    return j.get<std::string>();
  }
  std::optional<double> number(const nlohmann::json& j, const std::string& ptr, double lo,
                               double hi, bool lo_open, const std::string& what) const {
    if (j.is_null()) return std::nullopt;
    if (!j.is_number()) fail(ptr, "must be a number (" + what + ")");
    const double v = j.get<double>();
    if ((lo_open ? v <= lo : v < lo) || v > hi) fail(ptr, "out of range: " + what);
    return v;
  }

 private:
  std::string path_;
  std::map<std::string, int> lines_;
};

nlohmann::json at(const nlohmann::json& j, const char* key) {
  return j.contains(key) ? j[key] : nlohmann::json();
}

ReferenceMinimum parse_minimum(const Checker& c, const nlohmann::json& j, const std::string& ptr,
                               bool node) {
  ReferenceMinimum m;
  if (node)
    c.only_keys(j, ptr, {"class", "flops", "note"});
  else
    c.only_keys(j, ptr,
                {"kernel", "precision", "class", "flops", "bytes_per_second", "fraction_of_peak",
                 "peak", "note"});
  if (j.contains("kernel")) {
    auto k = parse_kernel(c.str(j["kernel"], ptr + "/kernel", true));
    if (!k) c.fail(ptr + "/kernel", "unknown kernel (gemm, fft, stencil, peak, stream)");
    m.kernel = k;
  }
  if (j.contains("precision")) {
    auto p = parse_precision(c.str(j["precision"], ptr + "/precision", true));
    if (!p)
      c.fail(ptr + "/precision", "unknown precision (fp64, fp32, tf32, fp16, bf16, fp8, int8)");
    m.precision = p;
  }
  if (j.contains("class")) {
    const std::string name = c.str(j["class"], ptr + "/class", true);
    for (PerfClass pc : kAllClasses)
      if (to_string(pc) == name) m.cls = pc;
    if (!m.cls) c.fail(ptr + "/class", "unknown class (basic, intelligent, supercomputing)");
  }
  if (m.cls && (m.kernel || m.precision))
    c.fail(ptr + "/class", "give either a class or a kernel and precision, not both");
  if (!m.cls && !(m.kernel && m.precision))
    c.fail(ptr + (m.kernel ? "/precision" : "/kernel"),
           "is required (a minimum names a kernel and a precision, or a class)");
  m.flops = c.number(at(j, "flops"), ptr + "/flops", 0, 1e30, true, "FLOP/s above 0");
  m.fraction = c.number(at(j, "fraction_of_peak"), ptr + "/fraction_of_peak", 0, 1.01, true,
                        "a fraction of the peak, above 0 and at most 1.01");
  // Stream's minimum is a bandwidth, and only its minimum is: copy's FLOP/s
  // are 0 on every machine (bandwidth_only), and triad, at 2 FLOP per 24 or
  // 12 bytes, is a bandwidth test as well. The best of either counts.
  m.bytes_per_second =
      c.number(at(j, "bytes_per_second"), ptr + "/bytes_per_second", 0, 1e30, true, "B/s above 0");
  const bool stream = m.kernel == KernelKind::stream;
  if (m.bytes_per_second && !stream)
    c.fail(ptr + "/bytes_per_second", "only applies to kernel stream (use flops)");
  if (stream && (m.flops || m.fraction))
    c.fail(ptr + (m.flops ? "/flops" : "/fraction_of_peak"),
           "stream is a bandwidth test: give its minimum as bytes_per_second");
  if (stream && !m.bytes_per_second)
    c.fail(ptr + "/bytes_per_second", "is required for kernel stream (the minimum in B/s)");
  if (m.flops && m.fraction)
    c.fail(ptr + "/fraction_of_peak", "give either flops or fraction_of_peak, not both");
  if (!m.flops && !m.fraction && !stream)
    c.fail(ptr + "/flops", node ? "is required (the minimum node total in FLOP/s)"
                                : "is required (or fraction_of_peak)");
  if (j.contains("peak")) {
    const std::string p = c.str(j["peak"], ptr + "/peak", true);
    if (p != "spec" && p != "clock")
      c.fail(ptr + "/peak", "must be \"spec\" (datasheet clock) or \"clock\" (measured clock)");
    if (!m.fraction) c.fail(ptr + "/peak", "only applies to fraction_of_peak");
    m.spec_peak = p == "spec";
  }
  m.note = c.str(at(j, "note"), ptr + "/note", false);
  return m;
}

}  // namespace

Reference parse_reference(const std::string& path, const std::string& text) {
  const nlohmann::json doc = parse_json_text(path, text);
  Checker c(path, text);
  Reference r;
  r.path = path;
  c.only_keys(doc, "",
              {"$schema", "$comment", "schema_version", "kind", "name", "description", "basis",
               "peer_tolerance", "max_drop", "require_soak", "devices", "nodes"});
  const std::string version = c.str(at(doc, "schema_version"), "/schema_version", true);
  if (version.rfind("1.", 0) != 0)
    c.fail("/schema_version", "version " + version + " is not one this flopscope reads (1.x)");
  if (c.str(at(doc, "kind"), "/kind", true) != "flopscope-reference")
    c.fail("/kind", "must be \"flopscope-reference\"");
  r.name = c.str(at(doc, "name"), "/name", true);
  r.description = c.str(at(doc, "description"), "/description", false);
  r.basis = c.str(at(doc, "basis"), "/basis", false);
  if (auto t = c.number(at(doc, "peer_tolerance"), "/peer_tolerance", 0, 1, false,
                        "a fraction from 0 to 1"))
    r.peer_tolerance = *t;
  r.max_drop = c.number(at(doc, "max_drop"), "/max_drop", 0, 1, false, "a fraction from 0 to 1");
  if (doc.contains("require_soak")) {
    if (!doc["require_soak"].is_boolean()) c.fail("/require_soak", "must be true or false");
    r.require_soak = doc["require_soak"].get<bool>();
  }
  const auto devices = at(doc, "devices");
  if (!devices.is_array() || devices.empty())
    c.fail("/devices", "is required: a list of device rules, at least one");
  for (size_t i = 0; i < devices.size(); ++i) {
    const std::string ptr = "/devices/" + std::to_string(i);
    const auto& d = devices[i];
    c.only_keys(
        d, ptr,
        {"label", "note", "match", "count_per_node", "peer_tolerance", "max_drop", "minimums"});
    ReferenceDeviceRule rule;
    const auto match = at(d, "match");
    if (match.is_null()) c.fail(ptr + "/match", "is required (kind, name or name_contains)");
    c.only_keys(match, ptr + "/match", {"kind", "name", "name_contains"});
    if (match.empty()) c.fail(ptr + "/match", "must name a kind, name or name_contains");
    rule.kind = c.str(at(match, "kind"), ptr + "/match/kind", false);
    if (!rule.kind.empty() && rule.kind != "cpu" && rule.kind != "cuda" && rule.kind != "hip")
      c.fail(ptr + "/match/kind", "must be cpu, cuda or hip");
    rule.name = c.str(at(match, "name"), ptr + "/match/name", false);
    rule.name_contains = c.str(at(match, "name_contains"), ptr + "/match/name_contains", false);
    rule.label = c.str(at(d, "label"), ptr + "/label", false);
    if (rule.label.empty())
      rule.label = !rule.name.empty()            ? rule.name
                   : !rule.name_contains.empty() ? "*" + rule.name_contains + "*"
                                                 : rule.kind;
    if (d.contains("count_per_node")) {
      // Read as int64 first: get<int>() wraps 4294967297 to 1.
      if (!d["count_per_node"].is_number_integer() || d["count_per_node"].get<int64_t>() < 1 ||
          d["count_per_node"].get<int64_t>() > kMaxJobSize)
        c.fail(ptr + "/count_per_node",
               "must be a whole number, 1 to " + std::to_string(kMaxJobSize));
      rule.count_per_node = d["count_per_node"].get<int>();
    }
    rule.peer_tolerance = c.number(at(d, "peer_tolerance"), ptr + "/peer_tolerance", 0, 1, false,
                                   "a fraction from 0 to 1");
    rule.max_drop =
        c.number(at(d, "max_drop"), ptr + "/max_drop", 0, 1, false, "a fraction from 0 to 1");
    const auto mins = at(d, "minimums");
    if (!mins.is_array() || mins.empty())
      c.fail(ptr + "/minimums", "is required: a list of minimums, at least one");
    for (size_t k = 0; k < mins.size(); ++k)
      rule.minimums.push_back(
          parse_minimum(c, mins[k], ptr + "/minimums/" + std::to_string(k), false));
    r.devices.push_back(rule);
  }
  if (doc.contains("nodes")) {
    const auto& n = doc["nodes"];
    c.only_keys(n, "/nodes", {"note", "minimums"});
    const auto mins = at(n, "minimums");
    if (!mins.is_null() && !mins.is_array()) c.fail("/nodes/minimums", "must be a list");
    for (size_t k = 0; mins.is_array() && k < mins.size(); ++k) {
      auto m = parse_minimum(c, mins[k], "/nodes/minimums/" + std::to_string(k), true);
      if (!m.cls)
        c.fail("/nodes/minimums/" + std::to_string(k) + "/class", "is required for a node total");
      r.node_minimums.push_back({*m.cls, *m.flops});
    }
  }
  return r;
}

Reference load_reference(const std::string& path) {
  return parse_reference(path, read_text_file(path));
}

}  // namespace flopscope
