#include "harness/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace flopscope {

std::string format_rate(double value, std::string_view unit) {
  static const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int i = 0;
  double v = value;
  while (std::fabs(v) >= 1000.0 && i < 6) {
    v /= 1000.0;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g %s%s", v, prefixes[i], std::string(unit).c_str());
  return buf;
}

std::string format_percent(double fraction, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, 100 * fraction);
  return buf;
}

std::string format_percent_down(double fraction, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return format_percent(std::floor(100 * scale * fraction) / (100 * scale), decimals);
}

std::string format_ghz(double hz) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f GHz", hz * 1e-9);
  return buf;
}

namespace {
// Splits "2.4GHz" into 2.4 and "ghz" (lower-cased). False on junk.
bool split_number(std::string_view s, double& number, std::string& suffix) {
  std::string str(s);
  if (str.empty()) return false;
  char* end = nullptr;
  number = std::strtod(str.c_str(), &end);
  if (end == str.c_str() || !std::isfinite(number)) return false;
  suffix.clear();
  for (const char* p = end; *p; ++p)
    if (!std::isspace(static_cast<unsigned char>(*p)))
      suffix += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
  return true;
}
}  // namespace

std::optional<double> parse_clock_hz(std::string_view s) {
  double n;
  std::string suf;
  if (!split_number(s, n, suf) || n <= 0) return std::nullopt;
  double hz = 0;
  if (suf.empty() || suf == "ghz")
    hz = n * 1e9;
  else if (suf == "mhz")
    hz = n * 1e6;
  else if (suf == "hz")
    hz = n;
  else
    return std::nullopt;
  // No processor clock lies outside 1 MHz .. 100 GHz: beyond that the value
  // is a typo, and the peaks it multiplies would print as inf or 1e-288.
  if (!(hz >= 1e6 && hz <= 1e11)) return std::nullopt;
  return hz;
}

std::optional<double> parse_duration_s(std::string_view s) {
  double n;
  std::string suf;
  if (!split_number(s, n, suf) || n <= 0) return std::nullopt;
  if (suf.empty() || suf == "s") return n;
  if (suf == "ms") return n / 1e3;
  if (suf == "m" || suf == "min") return n * 60;
  if (suf == "h") return n * 3600;
  return std::nullopt;
}

}  // namespace flopscope
