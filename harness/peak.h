// A theoretical peak and the derivation a reader can check by hand:
// units x clock x operations per cycle per unit.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "harness/precision.h"

namespace flopscope {

// Where a clock figure came from. The derivation always names it.
enum class ClockSource { spec_base, spec_boost, measured_under_load, user_given, none };
std::string_view to_string(ClockSource s);

// One execution unit family (vector FMA pipes, or matrix units such as
// tensor cores, MFMA, AMX) at one precision.
struct UnitPeak {
  double units = 0;                   // cores, SMs or CUs
  double ops_per_cycle_per_unit = 0;  // FLOP (OP for int8) per cycle per unit
  double clock_hz = 0;                // 0 when no clock is known
  ClockSource clock_source = ClockSource::none;
  std::string table_entry;  // which table row / probe gave the per-cycle figure
  std::string note;         // caveats (AVX-512 down-clocking, SKU exception...)

  // units x clock x ops/cycle; nullopt when the clock is unknown.
  std::optional<double> ops_per_second() const;
  // Peak per GHz, for recordings without a clock.
  double ops_per_ghz() const { return units * ops_per_cycle_per_unit * 1e9; }
  // "2 cores x 3.140 GHz (measured under load) x 16 FLOP/cycle/core [zen3: ...] = 100.5 GFLOP/s"
  std::string derivation(std::string_view unit_name, std::string_view rate_unit) const;
};

// The peak of one precision on one device. vector and matrix are kept
// apart because the FMA-chain kernel is judged against the vector units
// and GEMM against the best unit the device has.
struct PrecisionPeak {
  std::optional<UnitPeak> vector;
  std::optional<UnitPeak> matrix;
  std::string unknown_reason;  // set when neither is known, or no clock

  // The best known rate: max(vector, matrix). nullopt when unknown.
  std::optional<double> best() const;
};

using PeakTable = std::map<Precision, PrecisionPeak>;

}  // namespace flopscope
