// The progress line on stderr during long runs: phase, device, kernel,
// elapsed and remaining time. Quiet when stderr is not a terminal or with
// --quiet. Safe to call from several threads (concurrent runs).
#pragma once

#include <mutex>
#include <string>

namespace flopscope {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  // Redraws the line, at most a few times a second unless `force`.
  void show(const std::string& text, bool force = false);
  // Erases the line, so the next output starts clean.
  void clear();

 private:
  bool enabled_;
  std::mutex lock_;
  double last_s_ = -1;
};

// True when stderr is a terminal and output was not silenced.
bool progress_wanted(bool quiet);

// 42 -> "42s", 750 -> "12m30s", 3725 -> "1h02m".
std::string format_duration(double seconds);

}  // namespace flopscope
