#include "kernels/fft/cpu/fftw_wisdom.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "harness/atomic_file.h"

namespace flopscope::fft::cpu {

std::string wisdom_path(const std::string& precision) {
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    base = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    base = std::string(h) + "/.cache";
  else
    return {};
  return base + "/flopscope/fftw-wisdom-" + precision;
}

bool save_wisdom(const std::string& path, const std::string& wisdom) {
  if (path.empty()) return false;
  // mkdir -p of the folder.
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  try {
    write_file_atomically(path, wisdom);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace flopscope::fft::cpu
