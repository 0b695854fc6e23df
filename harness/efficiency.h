// Efficiency against the three denominators of DESIGN.md: the peak at the
// spec clock, the peak at the clock measured around the figure, and the
// device's own measured peak kernel. Above 101% is flagged: the table or the
// clock is wrong.
#pragma once

#include <string>
#include <vector>

#include "harness/device.h"
#include "harness/measurement.h"

namespace flopscope {

inline constexpr double kSuspectEfficiency = 1.01;

// The units a measurement is judged against: the ones its kernel says it
// runs on (tensor-core GEMM: matrix; FMA chains: vector); when the kernel
// does not say, FMA chains against the vector units and everything else
// against the best unit of the device.
PeakUnit judged_unit(const Measurement& m);

// The flag of a figure above 101% of a peak ("spec" or "measured-clock"),
// and the test a reader of a result file (certify) recognises it by.
std::string above_peak_flag(const char* peak, double efficiency);
bool is_above_peak_flag(const std::string& flag, const char* peak);

// Fills efficiency and flags of every measurement that has a figure.
void apply_efficiency(std::vector<Measurement>& ms, const std::vector<Device>& devices);

}  // namespace flopscope
