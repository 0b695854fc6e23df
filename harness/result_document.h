// The result file: one JSON document per run (results/schema/).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/device.h"
#include "harness/measurement.h"

namespace flopscope {

inline constexpr const char* kSchemaVersion = "1.2.0";

struct RunRecord {
  std::vector<std::string> command_line;
  std::string started_at;
  bool complete = true;
  uint64_t seed = 0;
  nlohmann::json topology;
  std::vector<Device> devices;
  std::vector<Measurement> measurements;
  nlohmann::json settings = nlohmann::json::object();
  nlohmann::json notes = nlohmann::json::array();  // pre-flight, unavailable backends
  // Further top-level sections, by name: preflight, concurrent, rank.
  nlohmann::json sections = nlohmann::json::object();
};

nlohmann::json build_result_document(const RunRecord& r);

}  // namespace flopscope
