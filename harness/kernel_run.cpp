#include "harness/kernel_run.h"

#include <nlohmann/json.hpp>

namespace flopscope {

std::string ProblemSize::label() const {
  std::string s = variant;
  for (const auto& [k, v] : dims) {
    if (!s.empty()) s += ",";
    s += k + "=" + std::to_string(v);
  }
  return s;
}

nlohmann::json ProblemSize::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (!variant.empty()) j["variant"] = variant;
  for (const auto& [k, v] : dims) j[k] = v;
  return j;
}

int64_t ProblemSize::get(const std::string& name, int64_t fallback) const {
  for (const auto& [k, v] : dims)
    if (k == name) return v;
  return fallback;
}

nlohmann::json KernelRun::details() const {
  return nullptr;
}

}  // namespace flopscope
