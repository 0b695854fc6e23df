#include "devices/cpu/idle_threads.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace flopscope::cpu {

namespace {
// The state letter of /proc/self/task/TID/stat: after the command name's
// closing parenthesis (the name itself may hold spaces and parentheses).
char thread_state(const std::filesystem::path& stat) {
  std::ifstream in(stat);
  std::string line;
  if (!std::getline(in, line)) return '?';
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() ? '?' : line[close + 2];
}
}  // namespace

bool other_threads_asleep() {
  const std::string self = std::to_string(static_cast<long>(syscall(SYS_gettid)));
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().filename() == self) continue;
    if (thread_state(it->path() / "stat") == 'R') return false;
  }
  return true;
}

bool wait_for_other_threads_to_sleep(double max_s) {
  using clock = std::chrono::steady_clock;
  const auto give_up = clock::now() + std::chrono::duration<double>(max_s);
  // Twice in a row, a poll apart: a thread between two spins can read as
  // sleeping for an instant.
  for (int asleep = 0;;) {
    asleep = other_threads_asleep() ? asleep + 1 : 0;
    if (asleep == 2) return true;
    if (clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace flopscope::cpu
