#include "harness/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "harness/errors.h"

namespace flopscope {

namespace fs = std::filesystem;

namespace {

std::string folder_of(const std::string& path) {
  auto parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// The file a write to `path` lands in: a symbolic link's target (so the
// link survives, dangling or not), else the path itself.
std::string write_target(const std::string& path) {
  std::error_code ec;
  fs::path p = path;
  // A chain of links, followed a bounded number of steps (a loop ends it).
  for (int hop = 0; hop < 16 && fs::is_symlink(fs::symlink_status(p, ec)); ++hop) {
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) break;
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  return p.string();
}

// Where a path lands, absolute, for comparing two of them; empty when it
// cannot be told.
fs::path landing(const std::string& path) {
  std::error_code ec;
  const fs::path abs = fs::absolute(write_target(path), ec);
  if (ec) return {};
  const fs::path canon = fs::weakly_canonical(abs, ec);
  return ec ? fs::path() : canon;
}

// Creates and removes a file next to `path`: the only test of "can a file be
// made here" that also holds for root and for pseudo-filesystems.
bool can_create_in(const std::string& dir, int* err) {
  std::string probe = dir + "/.flopscope-probe-XXXXXX";
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) {
    *err = errno;
    return false;
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

// Writes all of `content` to `fd`, flushes it to disk and closes `fd`;
// errno of the first failure, or 0.
int write_all_and_close(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return err;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return err;
  }
  return ::close(fd) == 0 ? 0 : errno;
}

}  // namespace

void write_file_atomically(const std::string& requested, const std::string& content) {
  const std::string path = write_target(requested);
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw UsageError("cannot write " + requested + ": " + std::strerror(errno));
  if (const int err = write_all_and_close(fd, content); err != 0) {
    ::unlink(tmp.c_str());
    throw UsageError("cannot write " + requested + ": " + std::strerror(err));
  }
  // Renaming over a device node or a FIFO would replace it with this file.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    ::unlink(tmp.c_str());
    throw UsageError("cannot write " + requested + ": not a regular file");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw UsageError("cannot write " + requested + ": " + std::strerror(err));
  }
}

void check_writable(const std::string& requested, const std::string& what) {
  if (requested.empty()) throw UsageError(what + ": empty path");
  const std::string path = write_target(requested);
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (fs::is_directory(status)) throw UsageError(what + ": " + requested + " is a folder");
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw UsageError(what + ": " + requested + " is not a regular file (a device, FIFO or socket)");
  const std::string dir = folder_of(path);
  if (!fs::is_directory(dir)) throw UsageError(what + ": folder " + dir + " does not exist");
  int err = 0;
  if (!can_create_in(dir, &err))
    throw UsageError(what + ": cannot write in " + dir + ": " + std::strerror(err));
  if (fs::exists(status) && ::access(path.c_str(), W_OK) != 0)
    throw UsageError(what + ": cannot overwrite " + requested + ": " + std::strerror(errno));
}

void require_distinct_files(const std::vector<std::pair<std::string, std::string>>& paths) {
  auto same = [](const std::string& a, const std::string& b) {
    std::error_code ec;
    if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec) && !ec;
    const fs::path la = landing(a), lb = landing(b);
    return !la.empty() && la == lb;
  };
  for (size_t i = 0; i < paths.size(); ++i)
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const auto& [wa, a] = paths[i];
      const auto& [wb, b] = paths[j];
      if (!a.empty() && !b.empty() && same(a, b))
        throw UsageError(wa + " and " + wb + " name the same file (" + a +
                         "): one would overwrite the other");
    }
}

std::string write_new_file(const std::string& prefix, const std::string& content) {
  std::string path = prefix + "-XXXXXX";
  // mkstemp creates with O_EXCL: never through a link, never over a file.
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return "";
  if (write_all_and_close(fd, content) != 0) {
    ::unlink(path.c_str());
    return "";
  }
  ::chmod(path.c_str(), 0644);
  return path;
}

}  // namespace flopscope
