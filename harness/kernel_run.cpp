#include "harness/kernel_run.h"

#include <algorithm>
#include <cctype>

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

std::string size_label(const nlohmann::json& size) {
  std::string s;
  if (!size.is_object()) return s;
  if (size.contains("variant") && size["variant"].is_string())
    s = size["variant"].get<std::string>();
  for (const auto& [k, v] : size.items()) {
    if (k == "variant") continue;
    if (!s.empty()) s += ',';
    s += k;
    s += '=';
    s += v.dump();
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

namespace {

// Case, and the separators '-', '_' and ' ', aside.
char folded(char c) {
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c == '-' || c == '_' ? ' ' : c;
}

// Whether a and b agree over their first n characters, folded.
bool agree(std::string_view a, std::string_view b, size_t n) {
  if (a.size() < n || b.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (folded(a[i]) != folded(b[i])) return false;
  return true;
}

std::string refusal(const KernelRequest& r, const std::string& available) {
  return "no implementation '" + r.implementation + "' for " + std::string(to_string(r.kernel)) +
         " here; available: " + available;
}

}  // namespace

std::unique_ptr<KernelRun> only_if_named(std::unique_ptr<KernelRun> run,
                                         const KernelRequest& request, std::string* unsupported) {
  const std::string& want = request.implementation;
  if (!run || want.empty()) return run;
  const std::string have = run->implementation();
  if (agree(have, want, want.size())) return run;
  if (unsupported) *unsupported = refusal(request, have);
  return nullptr;
}

bool may_be_named(const KernelRequest& request, std::string_view start, std::string* unsupported) {
  const std::string& want = request.implementation;
  if (want.empty() || agree(want, start, std::min(want.size(), start.size()))) return true;
  if (unsupported) *unsupported = refusal(request, std::string(start) + " ...");
  return false;
}

}  // namespace flopscope
