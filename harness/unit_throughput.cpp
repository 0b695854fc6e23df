#include "harness/unit_throughput.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>

#include "harness/interrupt.h"
#include "harness/units.h"

namespace flopscope {

std::optional<double> fp64_vector_peak_at(const Device& d, double clock_hz) {
  auto it = d.peaks.find(Precision::fp64);
  if (it == d.peaks.end() || !it->second.vector) return std::nullopt;
  const UnitPeak& u = *it->second.vector;
  const double peak = u.units * u.ops_per_cycle_per_unit * clock_hz;
  if (!(peak > 0)) return std::nullopt;
  return peak;
}

std::optional<std::string> unit_check_unavailable(const Device& d, int core_kinds) {
  if (!fp64_vector_peak_at(d, 1e9)) return "no FP64 vector peak for " + d.id;
  if (core_kinds > 1)
    return std::to_string(core_kinds) + " kinds of core, set against one kind's peak per core";
  return std::nullopt;
}

std::unique_ptr<UnitChains> UnitChains::make(Backend& b, const Device& d, double seconds,
                                             int core_kinds, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::unique_ptr<UnitChains> {
    *why = reason;
    return nullptr;
  };
  if (auto unavailable = unit_check_unavailable(d, core_kinds)) return fail(*unavailable);
  if (interrupted()) return fail("interrupted");
  try {
    KernelRequest request;
    request.kernel = KernelKind::peak;
    request.precision = Precision::fp64;
    const auto sizes = b.default_sizes(d, KernelKind::peak, Precision::fp64, true);
    if (sizes.empty()) return fail("no size for the FP64 peak kernel");
    request.size = sizes.front();
    std::string unsupported;
    std::unique_ptr<KernelRun> run = b.make_run(d, request, &unsupported);
    if (!run) return fail(unsupported.empty() ? "no FP64 peak kernel" : unsupported);
    return from_run(std::move(run), seconds, why);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

std::unique_ptr<UnitChains> UnitChains::from_run(std::unique_ptr<KernelRun> run, double seconds,
                                                 std::string* why) {
  auto fail = [&](const std::string& reason) -> std::unique_ptr<UnitChains> {
    *why = reason;
    return nullptr;
  };
  if (!run) return fail("no FP64 peak kernel");
  if (run->implementation().find("scalar") != std::string::npos)
    return fail("the FMA chains run scalar here (" + run->implementation() +
                "), the peak counts the vector units");
  try {
    const double first = run->run(1);  // threads started, pages touched
    if (!(first > 0)) return fail("the peak kernel reported no time");
    const int64_t iterations = std::max<int64_t>(1, static_cast<int64_t>(seconds / first));
    return std::unique_ptr<UnitChains>(new UnitChains(std::move(run), iterations));
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

std::optional<UnitChains::Reading> UnitChains::read(std::string* why) {
  try {
    const double s = run_->run(iterations_);
    const Verification v = run_->verify();
    if (!v.valid()) {
      *why =
          "the peak kernel's check failed" + (v.detail.empty() ? std::string() : ": " + v.detail);
      return std::nullopt;
    }
    if (!(s > 0)) {
      *why = "the peak kernel reported no time";
      return std::nullopt;
    }
    return Reading{run_->flop_per_iteration() * static_cast<double>(iterations_) / s, s};
  } catch (const std::exception& e) {
    *why = e.what();
    return std::nullopt;
  }
}

UnitThroughput check_unit_throughput(Backend& b, const Device& d, double seconds, int core_kinds) {
  UnitThroughput out;
  auto not_checked = [&](const std::string& why) {
    out.record = "not checked: " + why;
    return out;
  };
  std::string why;
  const auto chains = UnitChains::make(b, d, seconds, core_kinds, &why);
  if (!chains) return not_checked(why);
  try {
    const auto clock_hz = b.measure_clock_hz(d);
    if (!clock_hz || !(*clock_hz > 0)) return not_checked("the clock could not be measured");
    const auto r = chains->read(&why);
    if (!r) return not_checked(why);
    const double peak = *fp64_vector_peak_at(d, *clock_hz);
    const double fraction = r->flops / peak;
    out.record = {{"precision", "fp64"},         {"implementation", chains->implementation()},
                  {"flops", r->flops},           {"clock_hz", *clock_hz},
                  {"peak_at_clock_flops", peak}, {"fraction", fraction},
                  {"seconds", r->seconds},       {"threshold", kSharedUnitsFraction}};
    if (fraction < kSharedUnitsFraction)
      out.warning = d.id + ": FMA throughput on all cores at once was " +
                    format_percent(fraction, 0) + " of the peak at the measured " +
                    format_ghz(*clock_hz) + ": " + kSharedUnitsCause +
                    "; compute-bound CPU figures will be about that much low";
    return out;
  } catch (const std::exception& e) {
    return not_checked(e.what());
  }
}

}  // namespace flopscope
