// Pre-flight: do a CPU's cores have their FMA units to themselves? A short
// run of the FP64 peak kernel (FMA chains) on every core at once, set
// against the vector peak at the clock probed just before it.
//
// The clock probe is a latency chain: where another hardware thread uses a
// core's FMA units at the same time (an SMT sibling the topology does not
// show, or a host that runs two vCPUs on the two hardware threads of one
// core) it still reads the full clock, while the chains get about half the
// core's throughput. Time-slicing (another process, or a hypervisor giving
// the core away part of the time) can read the same way: the probe keeps
// the best of its short runs, which may fall between the slices, and the
// chains take the whole loss. Either way the run's compute-bound CPU
// figures will be about that much low, and a reader should know why before
// reading them; the load average and steal say which it more likely was.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/backend.h"

namespace flopscope {

// Below this fraction of the peak at the clock the check warns. Unshared
// cores give 0.95-1.0 (0.96-1.0 on 2 Zen 5 cores); two threads sharing a
// core get half of it each (0.51 measured when the development VM's two
// vCPUs shared one core for a few minutes). Between the two: the AVX-512
// frequency licences of Intel's Xeons, whose all-core AVX-512 clock is
// about 0.64-0.72 of the all-core clock the probe (integer adds) reads
// (Skylake-SP, Silver 4114 to Platinum 8180, by Intel's frequency tables as
// recalled, not measured here). The threshold sits below the lowest.
inline constexpr double kSharedUnitsFraction = 0.57;

// What a reading below kSharedUnitsFraction means, in the words of every
// message that reports one (the pre-flight's note, a burst figure's flag).
inline constexpr const char* kSharedUnitsCause =
    "the cores' FMA units were shared, with another hardware thread (an SMT sibling the topology "
    "does not show, or a host running two vCPUs on one core) or with other work time-sliced onto "
    "them";

struct UnitThroughput {
  nlohmann::json record;  // what was measured, or "not checked: why"
  std::optional<std::string> warning;
};

// The device's FP64 vector peak at `clock_hz` (units x clock x FLOP per
// cycle); nullopt when the device has no FP64 vector peak per cycle.
std::optional<double> fp64_vector_peak_at(const Device& d, double clock_hz);

// Why the FMA-unit check cannot run on `d` at all (no FP64 vector peak,
// several kinds of core: see check_unit_throughput); nullopt when it can.
std::optional<std::string> unit_check_unavailable(const Device& d, int core_kinds);

// The FP64 FMA chains on every core of a device, set up and warmed once so
// that they can be read again and again: in each gap of a burst series, or
// once for a check.
class UnitChains {
 public:
  // Chains for windows of about `seconds` on `d`; null, with the reason in
  // *why, where the check cannot run (see check_unit_throughput). Never
  // throws.
  static std::unique_ptr<UnitChains> make(Backend& b, const Device& d, double seconds,
                                          int core_kinds, std::string* why);
  // The same from an FP64 peak-kernel run made elsewhere (a GEMM worker
  // makes its own, on its OpenMP team): warmed once, refused when null or
  // scalar. Never throws.
  static std::unique_ptr<UnitChains> from_run(std::unique_ptr<KernelRun> run, double seconds,
                                              std::string* why);
  // One window: the chains' FLOP/s and its seconds; nullopt, with *why,
  // when the chains failed their check or reported no time. Never throws.
  struct Reading {
    double flops, seconds;
  };
  std::optional<Reading> read(std::string* why);
  std::string implementation() const { return run_->implementation(); }

 private:
  UnitChains(std::unique_ptr<KernelRun> run, int64_t iterations)
      : run_(std::move(run)), iterations_(iterations) {}
  std::unique_ptr<KernelRun> run_;
  int64_t iterations_;
};

// Runs the check on `d` for about `seconds` of chains (plus the clock probe
// and one warm-up iteration). Never throws: what stopped it goes into the
// record. Not checked: scalar chains (the peak counts vector units), and
// `core_kinds` above 1 (the live CPU device counts every core as the first
// one's kind, so a big.LITTLE node reads low without sharing anything).
UnitThroughput check_unit_throughput(Backend& b, const Device& d, double seconds,
                                     int core_kinds = 1);

}  // namespace flopscope
