// Terminal tables of sustained runs: per soak the burst and steady figures,
// the drop and its cause, the checks, and which sensors were missing; for
// --concurrent, the node total per class and the slowest device.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "harness/measurement.h"

namespace flopscope {

void print_soak_table(std::ostream& os, const std::vector<Measurement>& ms);
void print_concurrent_summary(std::ostream& os, const nlohmann::json& summary);

}  // namespace flopscope
