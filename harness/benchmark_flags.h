// Google Benchmark flags passed through after "--". They are validated here
// first because Google Benchmark reports some errors by calling exit()
// itself, which would bypass flopscope's exit codes and its result file.
#pragma once

#include <string>
#include <vector>

namespace flopscope {

// Throws UsageError naming the first bad flag.
void validate_benchmark_flags(const std::vector<std::string>& flags);
// True when the user set --benchmark_<name> (then flopscope's own default
// for it is not applied).
bool has_benchmark_flag(const std::vector<std::string>& flags, const std::string& name);

}  // namespace flopscope
