#include "harness/progress.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace flopscope {

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void ProgressLine::show(const std::string& text, bool force) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> g(lock_);
  const double t = now_s();
  if (!force && last_s_ >= 0 && t - last_s_ < 0.25) return;
  last_s_ = t;
  std::cerr << "\r" << text << "\033[K" << std::flush;
}

void ProgressLine::clear() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> g(lock_);
  std::cerr << "\r\033[K" << std::flush;
}

bool progress_wanted(bool quiet) {
  return !quiet && isatty(STDERR_FILENO) != 0;
}

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return buf;
}

}  // namespace flopscope
