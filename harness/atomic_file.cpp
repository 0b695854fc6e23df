#include "harness/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "harness/errors.h"

namespace flopscope {

namespace {
std::string folder_of(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}
}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw UsageError("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw UsageError("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw UsageError("cannot write " + path + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw UsageError("cannot write " + path + ": " + std::strerror(err));
  }
}

void check_writable(const std::string& path, const std::string& what) {
  if (path.empty()) throw UsageError(what + ": empty path");
  if (std::filesystem::is_directory(path)) throw UsageError(what + ": " + path + " is a folder");
  const std::string dir = folder_of(path);
  if (!std::filesystem::is_directory(dir))
    throw UsageError(what + ": folder " + dir + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0)
    throw UsageError(what + ": cannot write in " + dir + ": " + std::strerror(errno));
  if (std::filesystem::exists(path) && ::access(path.c_str(), W_OK) != 0)
    throw UsageError(what + ": cannot overwrite " + path + ": " + std::strerror(errno));
}

}  // namespace flopscope
