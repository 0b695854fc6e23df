// The headline per computing-power class (DESIGN.md "What it answers"): per
// device and in total, from verified figures only.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "harness/measurement.h"

namespace flopscope {

// classes: {basic|intelligent|supercomputing: {flops, unit, per_device,
// kernel, precision, beside: {device: {fft, stencil, ...}}}}
nlohmann::json summarize_classes(const std::vector<Measurement>& ms,
                                 const std::vector<std::string>& device_ids);

}  // namespace flopscope
