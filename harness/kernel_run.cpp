#include "harness/kernel_run.h"

#include <strings.h>

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

std::unique_ptr<KernelRun> only_if_named(std::unique_ptr<KernelRun> run,
                                         const KernelRequest& request, std::string* unsupported) {
  const std::string& want = request.implementation;
  if (!run || want.empty()) return run;
  const std::string have = run->implementation();
  if (have.size() >= want.size() && strncasecmp(have.c_str(), want.c_str(), want.size()) == 0)
    return run;
  if (unsupported)
    *unsupported = "no implementation '" + want + "' for " +
                   std::string(to_string(request.kernel)) + " here; available: " + have;
  return nullptr;
}

}  // namespace flopscope
