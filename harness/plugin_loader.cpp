#include "harness/plugin_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "harness/backend.h"

namespace flopscope {

namespace {

// Stands in for a plugin that exists but cannot load (its vendor libraries
// are missing): it has no devices and says why.
class UnavailableBackend final : public Backend {
 public:
  UnavailableBackend(std::string kind, std::string why)
      : kind_(std::move(kind)), why_(std::move(why)) {}
  std::string kind() const override { return kind_; }
  std::vector<Device> devices() override { return {}; }
  std::string unavailable_reason() const override { return why_; }
  std::vector<ProblemSize> default_sizes(const Device&, KernelKind, Precision, bool) override {
    return {};
  }
  ProblemSize size_from_user(const Device&, KernelKind, Precision,
                             const std::vector<int64_t>&) override {
    return {};
  }
  std::unique_ptr<KernelRun> make_run(const Device&, const KernelRequest&,
                                      std::string* unsupported) override {
    if (unsupported) *unsupported = why_;
    return nullptr;
  }

 private:
  std::string kind_, why_;
};

// dlerror() text is long ("/path/libflopscope_cuda.so: libcublas.so.13:
// cannot open shared object file: No such file or directory"): keep the
// library that is missing.
std::string short_reason(const std::string& err) {
  const std::string tail = ": cannot open shared object file";
  auto pos = err.find(tail);
  if (pos != std::string::npos) {
    auto start = err.rfind(": ", pos - 1);
    std::string lib = err.substr(start == std::string::npos ? 0 : start + 2,
                                 pos - (start == std::string::npos ? 0 : start + 2));
    return "unavailable: " + lib + " not found";
  }
  return "unavailable: " + err;
}

}  // namespace

std::string plugin_folder() {
  if (const char* dir = std::getenv("FLOPSCOPE_PLUGIN_DIR"); dir && *dir) return dir;
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = '\0';
  return std::filesystem::path(buf).parent_path().string();
}

void load_backend_plugins() {
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string dir = plugin_folder();
    const char* chosen = std::getenv("FLOPSCOPE_PLUGIN_DIR");
    for (const std::string kind : {"cuda", "hip"}) {
      const std::string path = dir + "/libflopscope_" + kind + ".so";
      if (!std::filesystem::exists(path)) {
        // Beside the binary: not part of this build. In a folder the user
        // named: a mistyped folder must not make the GPUs vanish silently.
        if (chosen && *chosen) {
          const std::string why = "unavailable: no " +
                                  std::filesystem::path(path).filename().string() +
                                  " in FLOPSCOPE_PLUGIN_DIR=" + dir;
          register_backend(kind,
                           [kind, why] { return std::make_unique<UnavailableBackend>(kind, why); });
        }
        continue;
      }
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        const char* e = dlerror();
        std::string why = short_reason(e ? e : "dlopen failed");
        register_backend(kind,
                         [kind, why] { return std::make_unique<UnavailableBackend>(kind, why); });
        continue;
      }
      using Create = Backend* (*)();
      auto create = reinterpret_cast<Create>(dlsym(handle, kPluginEntryPoint));
      if (!create) {
        std::string why = "unavailable: " + path + " has no " + kPluginEntryPoint;
        register_backend(kind,
                         [kind, why] { return std::make_unique<UnavailableBackend>(kind, why); });
        continue;
      }
      // The handle stays open for the life of the process: the backend's
      // code lives in it.
      register_backend(kind, [create] { return std::unique_ptr<Backend>(create()); });
    }
  });
}

}  // namespace flopscope
