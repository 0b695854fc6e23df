#include "harness/merge.h"
#include "harness/job_limits.h"

#include <algorithm>
#include <map>
#include <set>

#include "harness/class_summary.h"
#include "harness/errors.h"
#include "harness/json_file.h"
#include "harness/measurement.h"
#include "harness/result_document.h"
#include "harness/statistics.h"

namespace flopscope {

namespace {

const char* kClasses[] = {"basic", "intelligent", "supercomputing"};

// Const lookups that give null for what a document lacks. A reference, so
// range-for over its items() never iterates a destroyed temporary.
const nlohmann::json& get(const nlohmann::json& j, const std::string& key) {
  static const nlohmann::json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

struct Rank {
  const PartialResult* part;
  int rank, size, node_index;
  std::string hostname, node;
};

// Devices below the median of their identical peers by more than `tol`.
void device_outliers(const std::map<std::string, double>& per_device,
                     const std::map<std::string, std::string>& name_of, const std::string& cls,
                     double tol, nlohmann::json& out) {
  std::map<std::string, std::vector<double>> groups;
  for (const auto& [id, f] : per_device) groups[name_of.at(id)].push_back(f);
  for (const auto& [id, f] : per_device) {
    const auto& g = groups[name_of.at(id)];
    if (g.size() < 2) continue;
    const double median = summarize(g).median;
    if (median > 0 && f < median * (1 - tol))
      out.push_back({{"device", id},
                     {"name", name_of.at(id)},
                     {"class", cls},
                     {"flops", f},
                     {"peer_median_flops", median},
                     {"below_peer_median", 1 - f / median},
                     {"peers", g.size()}});
  }
}

}  // namespace

std::string partial_path(const std::string& output, int rank) {
  // The rank goes before the extension: run.json -> run.rank3.json.
  const size_t slash = output.rfind('/');
  const size_t dot = output.rfind('.');
  const bool has_ext =
      dot != std::string::npos && dot > 0 && (slash == std::string::npos || dot > slash + 1);
  const std::string base = has_ext ? output.substr(0, dot) : output;
  const std::string ext = has_ext ? output.substr(dot) : std::string(".json");
  return base + ".rank" + std::to_string(rank) + ext;
}

MergeOutcome merge_partials(const std::vector<PartialResult>& parts, double tol,
                            const std::string& gathered_by) {
  if (parts.empty()) throw UsageError("merge: no partial result files given");
  std::vector<Rank> ranks;
  int size = -1;
  std::set<int> seen;
  for (const auto& p : parts) {
    require_result_schema(p.doc, p.path, p.text);
    const auto r = get(p.doc, "rank");
    if (!r.is_object() || !get(r, "rank").is_number_integer() ||
        !get(r, "size").is_number_integer())
      throw UsageError(p.path + ": not a rank's partial result (no \"rank\" section)");
    // The job size bounds the work below (one entry per missing rank): a
    // file claiming billions of ranks is malformed, not a rack.
    const int64_t claimed = get(r, "size").get<int64_t>();
    if (claimed < 1 || claimed > kMaxJobSize)
      throw UsageError(p.path + ": \"rank\": size " + std::to_string(claimed) + " outside 1.." +
                       std::to_string(kMaxJobSize));
    if (!get(p.doc, "complete").is_boolean())
      throw UsageError(p.path + ": no \"complete\" flag: not a rank's partial result");
    const int64_t rank_no = get(r, "rank").get<int64_t>();
    if (rank_no < 0 || rank_no >= claimed)
      throw UsageError(p.path + ": rank " + std::to_string(rank_no) + " outside 0.." +
                       std::to_string(claimed - 1));
    const auto& host = get(p.doc, "host");
    const auto& hostname =
        get(r, "hostname").is_string() ? get(r, "hostname") : get(host, "hostname");
    Rank k{&p,
           static_cast<int>(rank_no),
           static_cast<int>(claimed),
           get(r, "node_index").is_number_integer()
               ? static_cast<int>(
                     std::clamp<int64_t>(get(r, "node_index").get<int64_t>(), -1, kMaxJobSize))
               : -1,
           hostname.is_string() ? hostname.get<std::string>() : "?",
           ""};
    if (size >= 0 && k.size != size)
      throw UsageError(p.path + ": rank " + std::to_string(k.rank) + " says the job had " +
                       std::to_string(k.size) + " ranks, another file says " +
                       std::to_string(size));
    size = k.size;
    if (k.rank < 0 || k.rank >= k.size)
      throw UsageError(p.path + ": rank " + std::to_string(k.rank) + " outside 0.." +
                       std::to_string(k.size - 1));
    if (!seen.insert(k.rank).second)
      throw UsageError(p.path + ": rank " + std::to_string(k.rank) + " given twice");
    consume_document(p.path, [&] {
      for (const auto& d : p.doc.value("devices", nlohmann::json::array()))
        if (d.value("id", "").find('/') != std::string::npos)
          throw UsageError(
              p.path + ": device " + d.value("id", "") +
              " is already qualified by node: merge takes rank files, not rack results");
    });
    ranks.push_back(k);
  }
  std::sort(ranks.begin(), ranks.end(),
            [](const Rank& a, const Rank& b) { return a.rank < b.rank; });
  // Node names: the index the ranks agreed on over MPI, else by host name.
  std::vector<std::string> hosts;
  for (const auto& k : ranks)
    if (std::find(hosts.begin(), hosts.end(), k.hostname) == hosts.end())
      hosts.push_back(k.hostname);
  std::sort(hosts.begin(), hosts.end());
  for (auto& k : ranks) {
    const int idx =
        k.node_index >= 0
            ? k.node_index
            : static_cast<int>(std::find(hosts.begin(), hosts.end(), k.hostname) - hosts.begin());
    k.node = "node" + std::to_string(idx);
  }

  MergeOutcome out;
  for (int r = 0; r < size; ++r)
    if (!seen.count(r)) out.missing_ranks.push_back(r);

  const auto& first = ranks.front().part->doc;
  nlohmann::json doc;
  doc["schema_version"] = kSchemaVersion;
  doc["tool"] = get(first, "tool");
  doc["command_line"] = get(first, "command_line");
  std::string started, finished;
  consume_document(ranks.front().part->path, [&] {
    started = first.value("started_at", "");
    finished = first.value("finished_at", "");
  });
  bool complete = out.missing_ranks.empty();
  bool any_incomplete = false, failed = false, unverified = false;
  nlohmann::json devices = nlohmann::json::array(), measurements = nlohmann::json::array(),
                 notes = nlohmann::json::array(), rank_sections = nlohmann::json::array();
  std::map<std::string, nlohmann::json> nodes;
  std::map<std::string, std::string> name_of;
  std::map<std::string, std::map<std::string, double>> per_class;  // class -> id -> flops
  std::map<std::string, std::set<std::string>> class_kernels, class_precisions;
  std::map<std::string, nlohmann::json> beside;
  std::map<std::string, nlohmann::json> efficiency_of;  // class -> {id: the headline's efficiency}
  // Every field of a rank's file is read in this loop: one of the wrong
  // type names its file (consume_document).
  for (const auto& k : ranks)
    consume_document(k.part->path, [&] {
      const auto& d = k.part->doc;
      started = std::min(started, d.value("started_at", started));
      finished = std::max(finished, d.value("finished_at", finished));
      const bool c = d.value("complete", false);
      complete &= c;
      any_incomplete |= !c;
      // A rank's file says "running" until the rank finished or was
      // interrupted: one still "running" here is a rank that died mid-run
      // (SIGKILL, out of memory, a node lost), its last checkpoint kept.
      if (get(get(d, "rank"), "status") == "running") out.died_ranks.push_back(k.rank);
      const std::string prefix = k.node + "/";
      auto& node = nodes[k.node];
      if (node.is_null())
        node = {{"node", k.node},
                {"hostname", k.hostname},
                {"ranks", nlohmann::json::array()},
                {"devices", nlohmann::json::array()},
                {"complete", true},
                {"host", get(d, "host")},
                {"topology", get(d, "topology")}};
      node["ranks"].push_back(k.rank);
      node["complete"] = node["complete"].get<bool>() && c;
      for (auto dev : d.value("devices", nlohmann::json::array())) {
        const std::string id = prefix + dev.value("id", "");
        name_of[id] = dev.value("name", "");
        dev["id"] = id;
        dev["details"]["rank"] = k.rank;
        node["devices"].push_back(id);
        devices.push_back(dev);
      }
      // Each measurement's fields were checked against the result schema
      // with the file (require_result_schema), though merge only copies
      // them: a damaged rank file is named here, not left for a reader of
      // the rack result.
      for (auto m : d.value("measurements", nlohmann::json::array())) {
        m["device"] = prefix + m.value("device", "");
        // value() throws on a status of the wrong type: bad input, named.
        failed |= m.value("status", "") == "failed";
        unverified |= figure_status(m) == "not_verified";
        measurements.push_back(m);
      }
      for (const auto& n : d.value("notes", nlohmann::json::array()))
        notes.push_back("rank " + std::to_string(k.rank) + ": " + n.get<std::string>());
      for (const char* cls : kClasses) {
        const auto c_doc = get(get(d, "classes"), cls);
        const auto& eff = get(c_doc, "per_device_efficiency");
        for (const auto& [id, v] : get(c_doc, "per_device").items()) {
          per_class[cls][prefix + id] = v.get<double>();
          if (eff.is_object() && eff.contains(id)) efficiency_of[cls][prefix + id] = eff[id];
          if (get(c_doc, "kernel").is_string()) class_kernels[cls].insert(c_doc["kernel"]);
          if (get(c_doc, "precision").is_string()) class_precisions[cls].insert(c_doc["precision"]);
        }
        for (const auto& [id, v] : get(c_doc, "beside").items()) beside[cls][prefix + id] = v;
      }
      rank_sections.push_back({{"rank", k.rank},
                               {"node", k.node},
                               {"hostname", k.hostname},
                               {"file", k.part->path},
                               {"complete", c},
                               {"rank_info", get(d, "rank")},
                               {"settings", get(d, "settings")},
                               {"preflight", get(d, "preflight")},
                               {"concurrent", get(d, "concurrent")}});
    });
  for (int r : out.missing_ranks)
    notes.push_back("rank " + std::to_string(r) + " is missing: its partial result was not found");
  for (int r : out.died_ranks)
    notes.push_back("rank " + std::to_string(r) +
                    " died mid-run: its last checkpoint is included, the rest was never measured");

  // Rack totals per class, per node, and the outliers.
  nlohmann::json classes, totals, outliers = nlohmann::json::array();
  for (const char* cls : kClasses) {
    nlohmann::json c;
    double total = 0;
    nlohmann::json per = nlohmann::json::object();
    for (const auto& [id, f] : per_class[cls]) {
      per[id] = f;
      total += f;
      auto& nc = nodes[id.substr(0, id.find('/'))]["classes"];
      if (!nc.is_object()) nc = nlohmann::json::object();
      nc[cls] = nc.value(cls, 0.0) + f;
    }
    auto join = [](const std::set<std::string>& s) {
      return s.empty()       ? nlohmann::json(nullptr)
             : s.size() == 1 ? nlohmann::json(*s.begin())
                             : nlohmann::json("mixed");
    };
    c["flops"] = per.empty() ? nlohmann::json(nullptr) : nlohmann::json(total);
    c["unit"] = "FLOP/s";
    c["per_device"] = per;
    if (efficiency_of[cls].is_null()) efficiency_of[cls] = nlohmann::json::object();
    c["per_device_efficiency"] = efficiency_of[cls];
    c["of_peak"] = class_of_peak(per, efficiency_of[cls]);
    c["kernel"] = join(class_kernels[cls]);
    c["precision"] = join(class_precisions[cls]);
    c["beside"] = beside[cls].is_null() ? nlohmann::json::object() : beside[cls];
    if (per.empty())
      c["note"] = missing_headline_note(parse_class(cls).value(), !c["beside"].empty());
    classes[cls] = c;
    totals[cls] = c["flops"];
    device_outliers(per_class[cls], name_of, cls, tol, outliers);
    // Nodes of the same make-up (the same device names) are peers.
    std::map<std::string, std::vector<std::pair<std::string, double>>> node_groups;
    for (auto& [name, node] : nodes) {
      if (!get(get(node, "classes"), cls).is_number()) continue;
      std::vector<std::string> makeup;
      for (const auto& id : node["devices"]) makeup.push_back(name_of[id.get<std::string>()]);
      std::sort(makeup.begin(), makeup.end());
      std::string key;
      for (const auto& m : makeup) key += m + ";";
      node_groups[key].push_back({name, node["classes"][cls].get<double>()});
    }
    for (const auto& [key, members] : node_groups) {
      if (members.size() < 2) continue;
      std::vector<double> v;
      for (const auto& [n, f] : members) v.push_back(f);
      const double median = summarize(v).median;
      for (const auto& [n, f] : members)
        if (median > 0 && f < median * (1 - tol))
          outliers.push_back({{"node", n},
                              {"class", cls},
                              {"flops", f},
                              {"peer_median_flops", median},
                              {"below_peer_median", 1 - f / median},
                              {"peers", members.size()}});
    }
  }

  doc["started_at"] = started;
  doc["finished_at"] = finished;
  doc["complete"] = complete;
  doc["seed"] = first.value("seed", 0);
  doc["environment"] = get(first, "environment");
  doc["host"] = get(first, "host");
  doc["topology"] = nullptr;  // per node, in nodes[]
  doc["settings"] = get(first, "settings");
  doc["notes"] = notes;
  doc["devices"] = devices;
  doc["measurements"] = measurements;
  doc["classes"] = classes;
  nlohmann::json node_list = nlohmann::json::array();
  for (auto& [name, node] : nodes) {
    if (!node.contains("classes")) node["classes"] = nlohmann::json::object();
    node_list.push_back(node);
  }
  doc["nodes"] = node_list;
  nlohmann::json present = nlohmann::json::array();
  for (const auto& k : ranks) present.push_back(k.rank);
  doc["rack"] = {{"ranks", size},
                 {"ranks_present", present},
                 {"missing_ranks", out.missing_ranks},
                 {"died_ranks", out.died_ranks},
                 {"nodes", nodes.size()},
                 {"totals", totals},
                 {"outliers", outliers},
                 {"peer_tolerance", tol},
                 {"gathered_by", gathered_by},
                 {"rank_sections", rank_sections}};
  out.doc = doc;

  out.summary = std::to_string(ranks.size()) + " of " + std::to_string(size) + " ranks on " +
                std::to_string(nodes.size()) + " node" + (nodes.size() == 1 ? "" : "s");
  auto list = [](const std::vector<int>& v) {
    std::string s;
    for (int r : v) s += (s.empty() ? "" : ", ") + std::to_string(r);
    return (v.size() == 1 ? " " : "s ") + s;
  };
  if (!out.missing_ranks.empty()) out.summary += "; missing rank" + list(out.missing_ranks);
  if (!out.died_ranks.empty()) out.summary += "; died mid-run: rank" + list(out.died_ranks);
  if (!out.missing_ranks.empty() || !out.died_ranks.empty()) {
    out.exit_code = kExitDevice;
  } else if (any_incomplete) {
    out.summary += "; a rank was interrupted: the result is incomplete";
    out.exit_code = kExitInterrupted;
  } else if (failed) {
    out.exit_code = kExitDevice;
  } else if (unverified) {
    out.exit_code = kExitCheckFailed;
  }
  if (!outliers.empty()) out.summary += "; " + std::to_string(outliers.size()) + " outlier(s)";
  return out;
}

}  // namespace flopscope
