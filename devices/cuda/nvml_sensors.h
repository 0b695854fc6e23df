// NVML as the soak's sensor source for an NVIDIA GPU: SM clock, temperature,
// power and power limit, throttle reasons, and the uncorrected-ECC counter.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/sensors.h"

namespace flopscope::cuda {

// NVML's clocks-event reason bits as the soak's throttle classes
// (kThrottleThermal, kThrottlePowerCap, kThrottleOther); bits that are not a
// slowdown (idle, application clocks, sync boost, display) give nothing.
std::vector<std::string> nvml_throttle_classes(uint64_t reasons);

std::unique_ptr<SensorSource> make_nvml_sensors(const std::string& pci_bus_id);

}  // namespace flopscope::cuda
