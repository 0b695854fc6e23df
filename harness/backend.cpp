#include "harness/backend.h"

#include <map>

#include "harness/plugin_loader.h"

namespace flopscope {

namespace {
std::map<std::string, BackendFactory>& registry() {
  static std::map<std::string, BackendFactory> r;
  return r;
}
}  // namespace

void register_backend(std::string kind, BackendFactory factory) {
  registry()[std::move(kind)] = std::move(factory);
}

std::vector<std::unique_ptr<Backend>> create_backends() {
  load_backend_plugins();
  std::vector<std::unique_ptr<Backend>> out;
  // cpu first, then GPUs in a fixed order, so tables read the same everywhere.
  for (const char* kind : {"cpu", "cuda", "hip"}) {
    auto it = registry().find(kind);
    if (it != registry().end()) out.push_back(it->second());
  }
  return out;
}

}  // namespace flopscope
