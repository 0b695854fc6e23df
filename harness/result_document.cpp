#include "harness/result_document.h"

#include "harness/class_summary.h"
#include "harness/environment.h"

namespace flopscope {

nlohmann::json build_result_document(const RunRecord& r) {
  nlohmann::json j;
  j["schema_version"] = kSchemaVersion;
  j["tool"] = tool_info();
  j["command_line"] = r.command_line;
  j["started_at"] = r.started_at;
  j["finished_at"] = now_iso8601();
  j["complete"] = r.complete;
  j["seed"] = r.seed;
  j["environment"] = environment_info();
  j["host"] = host_info();
  j["topology"] = r.topology;
  j["settings"] = r.settings;
  j["notes"] = r.notes;
  nlohmann::json devs = nlohmann::json::array();
  std::vector<std::string> ids;
  for (const auto& d : r.devices) {
    devs.push_back(device_to_json(d));
    ids.push_back(d.id);
  }
  j["devices"] = devs;
  nlohmann::json ms = nlohmann::json::array();
  for (const auto& m : r.measurements) ms.push_back(m.to_json());
  j["measurements"] = ms;
  j["classes"] = summarize_classes(r.measurements, ids);
  for (const auto& [name, section] : r.sections.items()) j[name] = section;
  return j;
}

}  // namespace flopscope
