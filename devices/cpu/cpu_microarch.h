// The CPU microarchitecture table and the theoretical peak derived from it: cores x clock x
// operations per cycle per core, where the per-cycle figure comes from the FMA pipes of the
// microarchitecture, narrowed by SKU exceptions and by the ISA the CPU actually exposes.
// Pure functions: no hwloc, no I/O. Unknown hardware gets "unknown" with the reason, never a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "devices/cpu/cpu_isa.h"
#include "harness/peak.h"
#include "harness/precision.h"

namespace flopscope::cpu {

struct Microarch {
  std::string name;    // "Zen 3", "Skylake-SP", "Neoverse V2"
  std::string vendor;  // "AuthenticAMD", "GenuineIntel", "ARM"

  // Vector FMA units per core. An operation wider than the datapath is split into halves, so
  // the throughput in bits per cycle is:
  //   op width > datapath:  fma_pipes x fma_width_bits     (Zen 4 running AVX-512)
  //   op width = datapath:  fma_pipes x op width
  //   op width < datapath:  fma_pipes_narrow x op width    (Xeon Silver: 1 x 512 but 2 x 256;
  //                                                         Neoverse V1: 2 x 256 SVE, 4 x 128 NEON)
  // FP64 FLOP/cycle = bits / 64 x 2, FP32 = bits / 32 x 2 (a multiply-add counts 2).
  int fma_pipes = 0;
  int fma_width_bits = 0;
  int fma_pipes_narrow = 0;

  // Narrow-precision vector instructions, as a multiple of the FP32 FMA rate at the same width
  // on the same pipes; 0 = the table has no figure (the peak is then unknown, with the reason).
  double fp16_vs_fp32 = 0;  // native FP16 FMA (AVX512_FP16, FEAT_FP16): twice the lanes -> 2
  double bf16_vs_fp32 = 0;  // vdpbf16ps: 2 products + 2 adds per FP32 lane = 4 FLOP -> 2
  double int8_vs_fp32 = 0;  // vpdpbusd / SDOT: 4 multiply-adds per 32-bit lane = 8 OP -> 4

  // Matrix units per core (Intel AMX TMUL); 0 = none.
  double amx_bf16_per_cycle = 0;  // FLOP/cycle/core
  double amx_fp16_per_cycle = 0;  // FLOP/cycle/core (AMX-FP16, Granite Rapids)
  double amx_int8_per_cycle = 0;  // OP/cycle/core

  CpuIsa isa;                 // what the microarchitecture implements (see implied_isa)
  std::string notes;          // spec notes: clock licences, datapath remarks
  std::string sku_exception;  // set by apply_sku_exceptions: which exception applied, if any
};

// Looks the CPU up by vendor+family+model (x86) or implementer/part (Arm); from the model-name
// string when those are missing. nullopt with *reason_if_unknown set (when non-null) for
// hardware the table does not know. SKU exceptions are already applied to the result.
std::optional<Microarch> identify_microarch(const CpuIdent& id, std::string* reason_if_unknown);

// SKU exceptions decided from the model name: one 512-bit FMA unit on Xeon Bronze/Silver and
// Gold 5xxx of Skylake-SP/Cascade Lake (except Gold 5122/5222); a 256-bit datapath on Zen 5
// mobile parts ("Ryzen AI", but not "Ryzen AI Max"). Idempotent; names the exception in
// sku_exception.
Microarch apply_sku_exceptions(Microarch m, std::string_view model_name);

// The ISA a microarchitecture implements, for recordings that carry no live cpuid.
CpuIsa implied_isa(const Microarch& m);

// Operations per cycle per core of one precision on one kind of unit, how they were derived, or
// why there are none.
struct PerCycle {
  double ops = 0;      // FLOP (OP for int8) per cycle per core; 0 = none
  std::string how;     // "2 x 256-bit FMA pipes, 256-bit ops (AVX2/FMA)"
  std::string reason;  // set when ops == 0
};
// `isa` is the live ISA (or implied_isa for recordings); the rate is capped by it: only what
// both the CPU exposes and the table knows counts.
PerCycle vector_per_cycle(const Microarch& m, const CpuIsa& isa, Precision p);
PerCycle matrix_per_cycle(const Microarch& m, const CpuIsa& isa, Precision p);

// Peaks for every precision. `model_name` drives the SKU exceptions; clock_hz <= 0 means no
// clock is known (the table then gives per-GHz figures and says so).
PeakTable cpu_peaks(const Microarch& m, const CpuIsa& isa, int cores, double clock_hz,
                    ClockSource clock_source, std::string model_name);

// Every precision unknown, with `reason` (e.g. "peak unknown: CPU family 0x1b model 0x02 is not
// in the microarchitecture table").
PeakTable unknown_cpu_peaks(const std::string& reason);

// Spec clocks: the base from an Intel-style "@ 2.30GHz" in the model name, and base/boost of
// common server SKUs from a small table. `source` names where the figures came from.
struct SpecClock {
  double base_hz = 0;   // 0 when unknown
  double boost_hz = 0;  // 0 when unknown
  std::string source;
};
std::optional<SpecClock> spec_clock(const CpuIdent& id);
// "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz" -> 2.3e9.
std::optional<double> parse_name_clock_hz(std::string_view model_name);

}  // namespace flopscope::cpu
