// Human formatting and parsing of rates, sizes, durations and clocks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flopscope {

// 1.234e11, "FLOP/s" -> "123.4 GFLOP/s"
std::string format_rate(double value, std::string_view unit);
// "2.4GHz", "2400MHz", "2.4" (GHz) -> Hz
std::optional<double> parse_clock_hz(std::string_view s);
// "30s", "10m", "1h", "90" (seconds) -> seconds
std::optional<double> parse_duration_s(std::string_view s);

}  // namespace flopscope
