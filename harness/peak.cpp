#include "harness/peak.h"

#include <cstdio>

#include "harness/units.h"

namespace flopscope {

std::string_view to_string(ClockSource s) {
  switch (s) {
    case ClockSource::spec_base:
      return "spec base";
    case ClockSource::spec_boost:
      return "spec boost";
    case ClockSource::measured_under_load:
      return "measured under load";
    case ClockSource::user_given:
      return "given with --clock";
    case ClockSource::none:
      return "no clock known";
  }
  return "?";
}

std::optional<double> UnitPeak::ops_per_second() const {
  if (clock_hz <= 0 || units <= 0 || ops_per_cycle_per_unit <= 0) return std::nullopt;
  return units * clock_hz * ops_per_cycle_per_unit;
}

std::string UnitPeak::derivation(std::string_view unit_name_one, std::string_view rate_unit) const {
  char buf[512];
  const std::string unit_name_many = std::string(unit_name_one) + (units == 1 ? "" : "s");
  const std::string_view unit_name = unit_name_one;
  std::string op = rate_unit == "OP/s" ? "OP" : "FLOP";
  if (auto r = ops_per_second()) {
    std::snprintf(buf, sizeof buf, "%g %s x %.3f GHz (%s) x %g %s/cycle/%s [%s] = %s", units,
                  unit_name_many.c_str(), clock_hz / 1e9,
                  std::string(to_string(clock_source)).c_str(), ops_per_cycle_per_unit, op.c_str(),
                  std::string(unit_name).c_str(), table_entry.c_str(),
                  format_rate(*r, rate_unit).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%g %s x %g %s/cycle/%s [%s] = %s per GHz (no clock known)",
                  units, unit_name_many.c_str(), ops_per_cycle_per_unit, op.c_str(),
                  std::string(unit_name).c_str(), table_entry.c_str(),
                  format_rate(ops_per_ghz(), rate_unit).c_str());
  }
  std::string out = buf;
  if (!note.empty()) out += "; " + note;
  return out;
}

std::optional<double> PrecisionPeak::best() const {
  std::optional<double> b;
  for (const auto* u : {&vector, &matrix}) {
    if (!*u) continue;
    if (auto r = (*u)->ops_per_second(); r && (!b || *r > *b)) b = r;
  }
  return b;
}

}  // namespace flopscope
