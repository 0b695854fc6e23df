#include "harness/environment.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include "flopscope_build_info.h"  // generated at configure time
#include "flopscope_git_commit.h"  // generated at build time

#ifndef FLOPSCOPE_VERSION
#define FLOPSCOPE_VERSION "0.0.0"
#endif

extern char** environ;

namespace flopscope {

nlohmann::json tool_info() {
  return {{"name", "flopscope"},
          {"version", FLOPSCOPE_VERSION},
          {"git_commit", FLOPSCOPE_GIT_COMMIT},
          {"build",
           {{"type", FLOPSCOPE_BUILD_TYPE},
            {"compiler", FLOPSCOPE_BUILD_COMPILER},
            {"cxx_flags", FLOPSCOPE_BUILD_CXX_FLAGS}}}};
}

namespace {
std::string os_pretty_name() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  return "unknown";
}

// A transparent huge page setting, the bracketed word of a sysfs file such
// as "always [madvise] never"; "" where the file is missing.
std::string thp_setting(const char* file) {
  std::ifstream in(std::string("/sys/kernel/mm/transparent_hugepage/") + file);
  std::string line;
  if (!std::getline(in, line)) return "";
  const auto open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return line.substr(open + 1, close - open - 1);
}

// The huge page size the kernel uses for THP (2 MiB with 4 KiB base pages,
// 512 MiB on an aarch64 kernel with 64 KiB pages); 0 where not known.
unsigned long long thp_bytes() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
  unsigned long long v = 0;
  return in >> v ? v : 0;
}
}  // namespace

nlohmann::json host_info() {
  nlohmann::json j;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  j["hostname"] = host;
  struct utsname u {};
  if (uname(&u) == 0) {
    j["kernel"] = std::string(u.sysname) + " " + u.release;
    j["machine"] = u.machine;
  }
  j["os"] = os_pretty_name();
#if defined(__clang__)
  j["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  j["compiler"] = std::string("gcc ") + __VERSION__;
#endif
  j["hardware_threads"] = std::thread::hardware_concurrency();
  // The CPU GEMMs advise huge pages for their matrices (devices/cpu/huge_pages.h):
  // "never" ignores the advice, the defrag mode says whether a fault waits
  // to assemble one, and the size says whether the 2 MiB alignment matches.
  if (const std::string thp = thp_setting("enabled"); !thp.empty())
    j["transparent_huge_pages"] = thp;
  if (const std::string defrag = thp_setting("defrag"); !defrag.empty())
    j["transparent_huge_pages_defrag"] = defrag;
  if (const unsigned long long bytes = thp_bytes(); bytes > 0) j["huge_page_bytes"] = bytes;
  // command_line may hold relative paths.
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd)) j["working_directory"] = cwd;
  return j;
}

nlohmann::json environment_info() {
  static const char* prefixes[] = {"OMP_",
                                   "GOMP_",
                                   "KMP_",
                                   "OPENBLAS_",
                                   "BLIS_",
                                   "MKL_",
                                   "DNNL_",
                                   "ONEDNN_",
                                   "CUDA_",
                                   "NVIDIA_",
                                   "HIP_",
                                   "ROCR_",
                                   "HSA_",
                                   "GOTO_",
                                   "FFTW_",
                                   "HWLOC_",
                                   "FLOPSCOPE_",
                                   "SLURM_JOB_ID",
                                   "LD_LIBRARY_PATH",  // which BLAS, FFTW, CUDA is loaded
                                   "LD_PRELOAD",
                                   "OMPI_COMM_WORLD_SIZE"};
  nlohmann::json j = nlohmann::json::object();
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq);
    for (const char* p : prefixes)
      if (k.rfind(p, 0) == 0) {
        j[k] = kv.substr(eq + 1);
        break;
      }
  }
  return j;
}

std::string now_iso8601() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace flopscope
