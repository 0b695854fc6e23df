// Sustained runs (soaks): each planned (device, kernel, precision, size) runs
// back to back for a given duration, and the engine records a FLOP/s point
// per window of about a second, the burst (first window) and steady-state
// (median after settling) figures, the drop from the first window to the
// closing ones, re-verification every few windows, and the device's
// telemetry beside it.
// Google Benchmark's iteration prediction suits neither soaks nor concurrent
// runs, so this engine is flopscope's own.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "harness/measurement.h"
#include "harness/plan.h"
#include "harness/sensors.h"

namespace flopscope {

struct SoakSettings {
  double duration_s = 60;              // per planned item
  double window_s = 1.0;               // one series point per window
  double settle_fraction = 0.2;        // leading windows left out of the steady figure
  int verify_every_windows = 10;       // plus one check at the end, always
  double batch_target_s = 0.1;         // one run() call: short, so Ctrl-C stops within ~0.1 s
  double drop_threshold = 0.05;        // smaller drops are not attributed
  int clock_probe_every_windows = 10;  // when the sensors have no clock: the backend's probe
  // When to stop early; empty: on SIGINT/SIGTERM (harness/interrupt.h).
  std::function<bool()> stop_requested;
  // Concurrent runs: called after set-up and warm-up, right before the first
  // window, so every device's windows start together.
  std::function<void()> ready_to_start;
  // Concurrent runs: held while the backend builds the kernel run and the
  // sensor source (backends need not be thread-safe while setting up).
  std::mutex* setup_lock = nullptr;
  // Test seam: a factor (>= 1 slows down) applied to each batch's measured
  // time, as a function of the seconds since the soak began.
  std::function<double(double elapsed_s)> slowdown_for_test;
  // Test seam: corrupt the output before this (1-based) check; 0: never.
  int corrupt_before_check_for_test = 0;
};

struct SoakProgress {
  const PlannedRun* item = nullptr;
  double elapsed_s = 0;
  double duration_s = 0;
  double last_flops = 0;  // the last window's rate; 0 before the first
};
using SoakProgressFn = std::function<void(const SoakProgress&)>;

// One soak. `sensors` may be null (then every channel is "missing", except a
// clock the backend can probe). Never throws for a kernel's failure: that
// becomes a Measurement with status failed and a message.
Measurement run_soak(const PlannedRun& item, SensorSource* sensors, const SoakSettings& s,
                     const SoakProgressFn& progress = {});

// The sensor source a backend gives for a device; nullptr when it gives
// none or fails to make one (the channels are then reported missing).
std::unique_ptr<SensorSource> make_sensors(const PlannedRun& item);

// Soaks every planned item in turn, with the sensors its backend gives.
// After an interruption the rest are marked interrupted, not run.
std::vector<Measurement> run_soaks(const std::vector<PlannedRun>& plan, const SoakSettings& s,
                                   const SoakProgressFn& progress = {});

// A soak needs windows of several iterations. From `candidates` (one kernel,
// precision and variant), the size with the most work whose one iteration
// takes at most `max_iteration_s` here: probed smallest first, stopping
// before a size whose time, predicted from the FLOP ratio, is too long. The
// smallest when none fits. `why` says what was measured (empty when the
// kernel cannot be built here at all).
ProblemSize choose_soak_size(const PlannedRun& item, std::vector<ProblemSize> candidates,
                             double max_iteration_s, std::string* why);

// The steady figure's rule, shared with tests: the median of the windows
// after the first floor(settle_fraction * n) (all of them when n < 3).
double steady_of(const std::vector<double>& window_flops, double settle_fraction,
                 int* settle_windows = nullptr);

}  // namespace flopscope
