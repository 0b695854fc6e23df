// CPU telemetry from sysfs, beside a soak: cpufreq for the clock, a CPU
// hwmon driver (k10temp, coretemp, zenpower) for temperature, RAPL energy
// for package power and its limit, Intel's thermal_throttle counters for
// thermal throttling, and EDAC memory error counts. Whatever a machine lacks
// (a VM often has none of it) is reported missing with the path looked at;
// the soak engine then probes the clock itself.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/sensors.h"

namespace flopscope::cpu {

// `pus`: the OS indices of the cores the kernels run on; `sysfs`: the root
// of sysfs ("/sys"; tests pass a fake tree).
std::unique_ptr<SensorSource> make_cpu_sensors(std::vector<int> pus,
                                               const std::string& sysfs = "/sys");

}  // namespace flopscope::cpu
