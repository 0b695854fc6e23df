// --concurrent: the CPU and every GPU soak at the same time, a thread per
// device, so the node total is what the node delivers with everything busy
// (shared power, memory bandwidth and PCIe), not a sum of solo runs.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "harness/device.h"
#include "harness/measurement.h"
#include "harness/plan.h"
#include "harness/sustained_engine.h"

namespace flopscope {

// Called on a device's own thread before it sets up: pins a GPU's host
// thread to a core of its NUMA node (the CPU kernels pin their own threads).
using HostPlacementFn = std::function<void(const PlannedRun&)>;

// Items of the same kernel, precision and size ordinal run together, one
// thread per device, their windows started at one moment; groups run one
// after the other. Returns the measurements in plan order. `groups`, when
// given, receives one entry per group: what ran together and when.
std::vector<Measurement> run_concurrent(const std::vector<PlannedRun>& plan, const SoakSettings& s,
                                        const HostPlacementFn& place,
                                        const SoakProgressFn& progress,
                                        nlohmann::json* groups = nullptr);

// The "concurrent" section of the result: the groups, the node total per
// class, and per class the slowest device (lowest fraction of its own peak)
// and how far each device is below the median of identical devices.
nlohmann::json concurrent_summary(const std::vector<Measurement>& ms,
                                  const std::vector<Device>& devices, const nlohmann::json& groups);

}  // namespace flopscope
