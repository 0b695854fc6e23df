// Human formatting and parsing of rates, sizes, durations and clocks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flopscope {

// 1.234e11, "FLOP/s" -> "123.4 GFLOP/s"
std::string format_rate(double value, std::string_view unit);
// 0.1234 -> "12.3%" (decimals 1), "12%" (decimals 0)
std::string format_percent(double fraction, int decimals = 1);
// The same, rounded down: 0.74996 -> "74.9%", so a figure flagged for being
// below a line never reads as on it.
std::string format_percent_down(double fraction, int decimals = 1);
// 3.4312e9 -> "3.43 GHz": a clock where a table or message gives it to 10 MHz
std::string format_ghz(double hz);
// "2.4GHz", "2400MHz", "2.4" (GHz) -> Hz
std::optional<double> parse_clock_hz(std::string_view s);
// "30s", "10m", "1h", "90" (seconds) -> seconds
std::optional<double> parse_duration_s(std::string_view s);

}  // namespace flopscope
