// Measures the core clock under load: a chain of dependent integer adds
// retires one add per cycle on every core flopscope knows, so adds / seconds
// is the clock. A VM rarely exposes cpufreq, and the TSC is not the core clock.
#pragma once

#include <vector>

namespace flopscope::cpu {

struct ClockReading {
  std::vector<double> per_thread_hz;  // one per pinned thread
  double mean_hz = 0;
  double min_hz = 0;
  double max_hz = 0;
};

// Runs the probe on every given PU at once (one OpenMP thread pinned to each),
// about `seconds` long. Empty pus: one thread, unpinned.
ClockReading measure_clock(const std::vector<int>& pus, double seconds = 0.05);

// Adds per second of the dependent-add loop on the calling thread.
double dependent_add_rate_hz(double seconds);

}  // namespace flopscope::cpu
