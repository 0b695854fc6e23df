// One measured (device, kernel, precision, size): what goes into the result
// file's measurements[] (DESIGN.md "Result contract").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/kernel_run.h"
#include "harness/precision.h"

namespace flopscope {

enum class MeasurementStatus {
  ok,            // measured and verified
  not_verified,  // measured, but the check failed or did not run: never a valid figure
  unsupported,   // the device has no implementation of this kernel/precision
  failed,        // a device or library error stopped it
  interrupted,   // stopped by SIGINT/SIGTERM before it finished
  skipped        // left out by --benchmark_filter
};
std::string_view to_string(MeasurementStatus s);

struct Efficiency {
  std::optional<double> spec;           // against the peak at the spec clock
  std::optional<double> clock;          // against the peak at the clock measured now
  std::optional<double> measured_peak;  // against the device's own peak-kernel figure
};

struct Measurement {
  std::string device;
  KernelKind kernel = KernelKind::peak;
  Precision precision = Precision::fp64;
  ProblemSize size;
  std::string implementation;
  MeasurementStatus status = MeasurementStatus::failed;
  std::string message;  // why unsupported/failed, or the verification detail
  double flop_per_iteration = 0;
  double bytes_per_iteration = 0;
  std::vector<double> repetition_flops;  // one rate per repetition
  double median_flops = 0, best_flops = 0, cv = 0;
  double seconds_per_iteration = 0;  // median
  Verification verification;
  std::optional<double> clock_hz;  // measured around the figure (mean of before/after)
  std::optional<double> clock_before_hz, clock_after_hz;
  Efficiency efficiency;
  std::vector<std::string> flags;  // e.g. "above 101% of peak: table or clock wrong"

  bool valid() const { return status == MeasurementStatus::ok; }
  nlohmann::json to_json() const;
};

}  // namespace flopscope
