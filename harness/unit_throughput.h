// Pre-flight: do a CPU's cores have their FMA units to themselves? A short
// run of the FP64 peak kernel (FMA chains) on every core at once, set
// against the vector peak at the clock probed just before it.
//
// The clock probe is a latency chain timed in wall time. Time-slicing (the
// OS or a hypervisor giving the core to someone else part of the time)
// slows it as much as the chains, so that shows as a low clock, in the load
// average and in steal, not here. What shows here is another hardware
// thread using the core's FMA units at the same time: an SMT sibling the
// topology does not show, or a host that runs two vCPUs on the two hardware
// threads of one core. The latency chain still reads the full clock there,
// while the chains get about half the core's throughput. Every CPU figure
// of the run is then about that much low, and a reader should know why.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/backend.h"

namespace flopscope {

// Below this fraction of the peak at the clock the check warns. Unshared
// cores give 0.95-1.0 (0.96-1.0 on 2 Zen 5 cores); two threads on one core
// give at most 0.5 each (0.51 when the development VM's two vCPUs shared
// one core for a few minutes). An AVX-512 frequency licence (Skylake-SP: an all-core
// AVX-512 clock about 0.7 of the one the probe reads) stays above it.
inline constexpr double kSharedUnitsFraction = 0.6;

struct UnitThroughput {
  nlohmann::json record;  // what was measured, or "not checked: why"
  std::optional<std::string> warning;
};

// The device's FP64 vector peak at `clock_hz` (units x clock x FLOP per
// cycle); nullopt when the device has no FP64 vector peak per cycle.
std::optional<double> fp64_vector_peak_at(const Device& d, double clock_hz);

// Runs the check on `d` for about `seconds`. Never throws: what stopped it
// goes into the record.
UnitThroughput check_unit_throughput(Backend& b, const Device& d, double seconds);

}  // namespace flopscope
