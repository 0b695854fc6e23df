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
  std::optional<double> measured_peak;  // against the device's own peak kernel's best repetition
  std::string unit;  // the execution units all three are of: "vector" or "matrix" (empty: unknown)
  // {spec, clock, measured_peak} (null where unknown), and unit when known.
  nlohmann::json to_json() const;
};

// A bandwidth-bound kernel against the memory roofline: the bandwidth the
// device reached in the same run (a copy of the kernel's own arrays between
// its repetitions, or else the run's stream copy) times the kernel's
// arithmetic intensity (harness/roofline.h).
struct Roofline {
  std::string bandwidth_source;  // which measurement gave the bandwidth
  double bandwidth_bytes_per_second = 0;
  double bound_flops = 0;  // bandwidth x flop_per_iteration / bytes_per_iteration
  double fraction = 0;     // median_flops / bound_flops
  // With the kernel's own copy as the bound: the run's stream copy beside it
  // and the fraction it would give (measured at another time).
  std::optional<double> stream_copy_bytes_per_second, stream_copy_fraction;
  nlohmann::json to_json() const;
};

// KernelRun::time_interleaved_copy's rates over a burst: one copy of the
// kernel's own arrays before each of its repetitions.
struct InterleavedCopy {
  double median_bytes_per_second = 0;
  int samples = 0;
};

// What a soak (the sustained engine) adds to a measurement: the FLOP/s time
// series, burst and steady figures, the drop, and the telemetry beside it.
struct SoakRecord {
  double duration_s = 0;  // as asked for
  double window_s = 0;    // one point per window
  // [seconds since start, rate] in `unit`: FLOP/s (OP/s for INT8), or B/s
  // for a kernel without arithmetic (stream copy), whose FLOP/s would be 0
  // and whose drop would then hide any slowdown.
  std::vector<std::pair<double, double>> series;
  std::string unit = "FLOP/s";
  double burst_flops = 0;   // the first window
  double steady_flops = 0;  // median of windows after settling
  int settle_windows = 0;   // windows left out of steady
  double burst_bytes_per_second = 0, steady_bytes_per_second = 0;  // bandwidth kernels
  double drop = 0;  // (first window - closing rate) / first window, of the series' rate
  int verifications = 0, verification_failures = 0;  // checks during the soak
  nlohmann::json sensors;         // per channel: summary and series, or "missing"
  nlohmann::json attribution;     // {cause, evidence}
  nlohmann::json error_counters;  // before/after, or missing
};

// A kernel that moves bytes and does no arithmetic (stream copy): its FLOP/s
// are 0 on every machine, so it is soaked, compared and summarized by its
// bandwidth. One rule for the soak engine, compare and the concurrent summary.
inline bool bandwidth_only(double flop_per_iteration, double bytes_per_iteration) {
  return flop_per_iteration <= 0 && bytes_per_iteration > 0;
}

// The same rule, and the figures a measurement stands for, read from a
// result file (Measurement::to_json) by certify, compare and the report:
// a soak's steady state, else the median; 0 where the file has none.
// sustained_figure is in B/s where bandwidth_only, else in its unit's rate;
// sustained_bandwidth in B/s for any kernel that records one (stream's
// copy and triad alike).
bool bandwidth_only(const nlohmann::json& m);
double sustained_figure(const nlohmann::json& m);
double sustained_bandwidth(const nlohmann::json& m);

// Whether a measurement read from a result file may be shown and counted:
// it ran ("status": "ok") and its check passed ("verified": true). A file
// flopscope wrote never has one without the other, but one edited by hand
// or cut short may: the report, compare, certify and the class fractions
// all ask here.
bool valid_figure(const nlohmann::json& m);
// Its status as those readers print it: "ok" where valid_figure, else the
// recorded status ("not_verified" for an "ok" without a passed check).
std::string figure_status(const nlohmann::json& m);

struct Measurement {
  std::string device;
  KernelKind kernel = KernelKind::peak;
  Precision precision = Precision::fp64;
  ProblemSize size;
  std::string implementation;
  // The execution units the kernel runs on (KernelRun::peak_unit): its
  // efficiency is set against the peak of those units.
  PeakUnit peak_unit = PeakUnit::best;
  MeasurementStatus status = MeasurementStatus::failed;
  std::string message;  // why unsupported/failed, or the verification detail
  double flop_per_iteration = 0;
  double bytes_per_iteration = 0;
  std::vector<double> repetition_flops;  // one rate per repetition
  double median_flops = 0, best_flops = 0, cv = 0;
  double seconds_per_iteration = 0;  // median
  // Compulsory bytes per second: the rate of bandwidth kernels (stream copy
  // has no FLOP at all), and the bandwidth every other kernel reached.
  double median_bytes_per_second = 0, best_bytes_per_second = 0;
  std::optional<InterleavedCopy> interleaved_copy;  // a stencil's own copies
  std::optional<Roofline> roofline;  // stencils, from their own copy or the run's stream copy
  std::string roofline_note;         // a stencil without a roofline: why not
  std::optional<MemoryFootprint> footprint;  // KernelRun::footprint()
  Verification verification;
  // The clock the figure is set against: on a CPU, the median of the probes
  // before each repetition of a burst and after the last (burst_engine.h);
  // a GPU burst's, the median of its sensor's samples while it ran; a
  // soak's, the mean of the samples of its windows.
  std::optional<double> clock_hz;
  std::optional<double> clock_before_hz, clock_after_hz;
  // A CPU burst's brief probes, one right before each repetition, in order
  // (a repetition whose probe read no clock has none here).
  std::vector<double> clock_probes_hz;
  Efficiency efficiency;
  std::vector<std::string> flags;  // e.g. "above 101% of peak: table or clock wrong"
  std::optional<SoakRecord> soak;  // set by the sustained engine only
  // Made by the sustained engine: "soak" in the result even when the kernel
  // never started (unsupported, failed, interrupted) and `soak` is unset.
  bool from_soak = false;
  nlohmann::json details;  // KernelRun::details(): null when none
  // A CPU burst figure's FMA-unit check right after it (burst_engine.h;
  // unit_throughput.h's record): null when none ran.
  nlohmann::json unit_throughput_after;
  // The same chains in the gap before each repetition of a CPU burst whose
  // cores are idle between repetitions, right before that gap's clock probe:
  // per repetition {fraction, clock_hz} (of the peak at that probe's clock;
  // the second reading where the first was low) or null where the probe
  // found no clock; or "not checked: why". Null when none ran.
  nlohmann::json unit_throughput_between;

  bool valid() const { return status == MeasurementStatus::ok; }
  // "soak" or "burst", as the result file and the CSV say it.
  const char* mode() const { return soak || from_soak ? "soak" : "burst"; }
  bool bandwidth_only() const {
    return flopscope::bandwidth_only(flop_per_iteration, bytes_per_iteration);
  }
  nlohmann::json to_json() const;
};

}  // namespace flopscope
