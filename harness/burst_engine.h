// Burst runs through Google Benchmark: each planned (device, kernel,
// precision, size) is one registered benchmark with manual time, run on its
// own so that the clock can be probed right before and after it, and
// before each of its repetitions.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/measurement.h"
#include "harness/plan.h"

namespace flopscope {

struct BurstSettings {
  int repetitions = 5;
  double min_time_s = 0.5;                   // per repetition
  double warmup_time_s = 0.2;                // kept apart from measurement
  std::vector<std::string> benchmark_flags;  // validated pass-through
  // Test seam: corrupt one output element before verification.
  bool corrupt_for_test = false;
  // After each verified CPU figure (the FMA chains' own excepted), this many
  // seconds of the FP64 FMA chains on its cores (unit_throughput.h): a
  // figure taken while the host shared the cores' FMA units is flagged, as
  // the pre-flight check can only say of the start of a run. 0: no check.
  double unit_check_s = 0.05;
  // The same chains for this long in the gap before each repetition, right
  // before the clock probe there, wherever that clock is probed (the
  // kernel's cores idle between repetitions, or the kernel probing its own
  // gaps: KernelRun::probes_gaps): the check after a series cannot say
  // whether a spell of shared units covered it or began after it. 0: none
  // (nor without unit_check_s).
  double gap_unit_check_s = 0.02;
  int core_kinds = 1;  // hwloc's kinds of core: above 1 the check is skipped
};

using ProgressFn = std::function<void(size_t index, size_t total, const PlannedRun&)>;

// Runs every planned measurement in order; stops early when interrupted()
// (the rest are marked interrupted). Never throws for a kernel's failure:
// that becomes a Measurement with status failed and a message.
std::vector<Measurement> run_burst(const std::vector<PlannedRun>& plan, const BurstSettings& s,
                                   const ProgressFn& progress = {});

// The clock a burst figure is set against: the median of the brief probes
// taken right before each repetition (the last `repetitions` of `probes`:
// Google Benchmark's warm-up and trial runs come first) and of `after`, the
// probe after the last one. Without probes (a backend without a brief probe,
// a kernel whose threads outlive its run and that does not probe its own
// gaps: KernelRun::cores_idle_after_run, probes_gaps) the mean of `before`
// and `after`, or whichever of them there is.
std::optional<double> clock_of_repetitions(std::vector<double> probes, size_t repetitions,
                                           std::optional<double> before,
                                           std::optional<double> after);

// A burst figure whose best repetition is below this fraction of what the
// same implementation did at the same size moments before
// (KernelRun::rate_moments_before, itself a best of a few calls) is
// flagged: the cores or the clock were taken from it for the whole series,
// however steady its repetitions. On the shared development VMs the host at
// times gives two vCPUs half their FMA throughput at the full clock (as two
// threads of one core): a DGEMM then runs at half its probe's rate with a
// cv of 0.3-1.3%. Best against best, a quarter is far beyond the spread of
// a quiet machine (its own runs 0.86-1.0 of the probe).
inline constexpr double kDisturbedFraction = 0.75;

// The flag of a best repetition below kDisturbedFraction of `before` (both
// in `unit`, "FLOP/s" or "OP/s"), naming the clock measured around the
// series where there is one; nullopt when it is not below.
std::optional<std::string> below_rate_before_flag(double best, double before, std::string_view unit,
                                                  std::optional<double> clock_hz);

// Google Benchmark's own initialisation with the pass-through flags; call
// once before run_burst.
void initialize_benchmark_library(const std::string& argv0, const std::vector<std::string>& flags);

}  // namespace flopscope
