#pragma once

#include <string>
#include <vector>

#include "harness/plan.h"

namespace flopscope::cli {

// `flopscope run`: validate everything, discover devices, measure, write.
int run_command(const RunOptions& o, const std::vector<std::string>& argv);

}  // namespace flopscope::cli
