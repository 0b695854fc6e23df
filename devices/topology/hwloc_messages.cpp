#include "devices/topology/hwloc_messages.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string_view>

namespace flopscope::topo {

namespace {
// Whether this process runs one thread only (/proc/self/task holds one entry
// per thread). Where /proc cannot be read, it is taken as one.
bool single_threaded() {
  std::error_code ec;
  int threads = 0;
  for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end;
       it.increment(ec))
    ++threads;
  return ec || threads <= 1;
}
}  // namespace

std::string capture_stderr(const std::function<void()>& fn) {
  // fd 2 is the whole process's: with other threads running (MPI's progress
  // threads when HWLOC_XMLFILE makes a rank load a recording) their messages
  // would vanish into the capture, so then fn runs with stderr as it is.
  if (!single_threaded()) {
    fn();
    return "";
  }
  std::unique_ptr<FILE, int (*)(FILE*)> sink(std::tmpfile(), &std::fclose);
  std::fflush(stderr);
  // Close-on-exec: a process started while fn runs must not inherit it.
  const int saved = sink ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0) : -1;
  if (saved < 0 || dup2(fileno(sink.get()), STDERR_FILENO) < 0) {
    if (saved >= 0) close(saved);
    fn();
    return "";
  }
  // Restored however fn leaves, exceptions included.
  struct Restore {
    int fd;
    ~Restore() {
      std::fflush(stderr);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
  };
  {
    Restore restore{saved};
    fn();
  }
  std::string text;
  std::rewind(sink.get());
  std::array<char, 4096> buf;
  for (size_t got; (got = std::fread(buf.data(), 1, buf.size(), sink.get())) > 0;)
    text.append(buf.data(), got);
  return text;
}

std::string hwloc_reason(const std::string& said) {
  // The lines of hwloc's banner that say nothing about this file.
  constexpr std::array<std::string_view, 5> kBoilerplate = {
      "The error occured in hwloc", "The error occurred in hwloc", "the input XML was generated",
      "Please check", "HWLOC_DEBUG_CHECK"};
  std::istringstream in(said);
  std::string line, reason;
  while (std::getline(in, line)) {
    std::string_view l = line;
    while (!l.empty() && (l.front() == '*' || l.front() == ' ')) l.remove_prefix(1);
    while (!l.empty() && (l.back() == '*' || l.back() == ' ' || l.back() == '\r'))
      l.remove_suffix(1);
    if (l.substr(0, 7) == "hwloc: ") l.remove_prefix(7);
    if (l.empty()) continue;
    bool boilerplate = false;
    for (auto b : kBoilerplate) boilerplate |= l.find(b) != std::string_view::npos;
    if (boilerplate) continue;
    if (!reason.empty()) reason += ' ';
    reason += l;
  }
  return reason;
}

}  // namespace flopscope::topo
