// AMD GPU telemetry beside a soak, from ROCm SMI (rocm_smi_library.h): the
// current SYS clock, junction temperature (edge where there is no junction
// sensor), power and power cap. Throttle status is not read: it lives only in
// gpu_metrics, whose layout changes with each firmware format revision. When
// ROCm SMI is missing or does not know the GPU, every channel is reported
// missing with the reason.
#pragma once

#include <memory>
#include <string>

#include "harness/sensors.h"

namespace flopscope::hip {

std::unique_ptr<SensorSource> make_rocm_smi_sensors(const std::string& pci_bus_id);

}  // namespace flopscope::hip
