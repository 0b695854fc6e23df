// The short probe that picks a GEMM library configuration: every candidate
// runs the same small GEMM in a worker process of its own, is verified, and
// the fastest verified one wins.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/idle_threads.h"
#include "kernels/gemm/cpu/gemm_libraries.h"
#include "kernels/gemm/cpu/worker_process.h"

namespace flopscope::gemm::cpu {

// Sizes and threads of a worker; the candidate says which library runs.
struct WorkerShape {
  Precision precision = Precision::fp64;
  int64_t m = 0, n = 0, k = 0;
  uint64_t seed = 0;
  std::vector<int> pus;  // one thread per PU
};

// A worker that accepted its setup, or the reason it could not.
struct StartedWorker {
  std::unique_ptr<WorkerProcess> process;  // null when it could not run
  std::string implementation;              // "blis-0.9.0 arch=zen3 (openmp)"
  std::string applied_config;              // "zen3"
  std::string reason;                      // why not, when process is null
};

// The variables a worker for `c` on `pus` gets (every other managed variable
// is cleared): the thread environment and, except for BLIS, whose worker
// sets its configuration after loading it, the configuration variable.
EnvList worker_environment(const GemmCandidate& c, const std::vector<int>& pus);

StartedWorker start_worker(const GemmCandidate& c, const WorkerShape& shape);

// A worker's gap reading (library_worker.h, "gap"): the FP64 FMA chains for
// about `chains_s` and the brief clock probe, each 0 where it read nothing,
// and why not. A library's threads are waited for `max_wait_s` at most.
// Throws WorkerError when the worker is gone; a reply it cannot read reads
// nothing, with the reason.
struct WorkerGap {
  double clock_hz = 0;
  double chains_flops = 0;
  std::string why;
};
WorkerGap request_gap(WorkerProcess& p, double chains_s,
                      double max_wait_s = flopscope::cpu::kLibraryThreadsWaitS);

struct ProbeOutcome {
  GemmCandidate candidate;
  std::string implementation;
  double flops = 0;  // best of the timed calls; 0 when it did not run
  int runs = 1;      // probe runs behind `flops` (best of them)
  bool verified = false;
  std::string note;  // why it did not run or did not verify
  // At the measured size (confirm_contenders): best timed call, verified;
  // 0 when not confirmed there.
  double confirmed_flops = 0;
  // The FP64 FMA chains read in the worker right after the timed calls of
  // its first run, in FLOP per cycle of the clock probed with them (0 when
  // either did not read); how many of its runs, confirmations included, read
  // the units shared (rerun_beside_shared_units); and when it last ran.
  double chains_flop_per_cycle = 0;
  int runs_beside_shared_units = 0;
  std::chrono::steady_clock::time_point ran_at{};
};

struct ProbeReport {
  std::vector<ProbeOutcome> outcomes;
  int best = -1;  // fastest verified; -1 when none verified
  // The highest chains reading (FLOP per cycle, all the worker's cores
  // together) of any run of the probe, its confirmations included, capped at
  // units_peak: the units free. units_peak: the chains' FP64 peak per cycle
  // on those cores where the table knows it, else 0.
  double free_units = 0;
  double units_peak = 0;
};

// A run whose chains read below this fraction of the probe's highest read
// the FMA units shared: on a shared machine, another tenant's use of them
// (its chains got about half). Readings per cycle leave a clock that moved
// out; a free run read as shared costs a run again, 2 s or more later.
inline constexpr double kSharedUnitsBelow = 0.9;

// How often a candidate whose run read the units shared is run again.
inline constexpr int kSharedUnitsTries = 2;

// Each candidate: one untimed call, then timed calls until `min_seconds`
// (at least two), then the check. A library's own choice is probed first;
// its explicit twin (the same configuration forced) is then skipped.
// `units_peak`: ProbeReport::units_peak.
ProbeReport probe_candidates(const std::vector<GemmCandidate>& candidates, const WorkerShape& shape,
                             double min_seconds, double units_peak = 0);

// On a shared machine another tenant can take the FMA units for seconds: on
// the 2-core Zen 4 guest a quick run's FP64 probe saw 11 of 13 candidates
// at 30-70% of the rate they reach alone (the first two at theirs), so the
// order was the order of that spell, and the configuration chosen was one
// probed before it. Every verified candidate whose run read the units shared
// (ProbeOutcome::chains_flop_per_cycle below kSharedUnitsBelow of the
// probe's highest reading) is run again, `tries` times at most, until a run
// reads them free: in turns, each candidate's runs 2 s apart at least, so
// that its tries do not all fall in one spell. Each keeps its best figure.
// best is recomputed.
void rerun_beside_shared_units(ProbeReport& report, const WorkerShape& shape, double min_seconds,
                               int tries = kSharedUnitsTries);

// On a shared machine configurations within a few percent swap places from
// run to run. The verified outcomes within `margin` of the best (the three
// fastest of them at most) are probed `rounds` more times, in turns (so a burst of outside load
// does not fall on one of them only); each keeps its best figure, since outside load only ever
// slows a run down. best is recomputed.
void reprobe_contenders(ProbeReport& report, const WorkerShape& shape, double min_seconds,
                        double margin, int rounds);

// The probe runs below the measured size, where libraries can rank
// differently: on a 2-core Zen 3, BLIS and OpenBLAS tied at 2048 (149
// GFLOP/s) while BLIS ran 8% slower at 4096. The fastest verified
// configuration of each library (a library's configurations rise and fall
// together; the libraries do not) within `margin` of the best, four at
// most, is timed once more at the measured `shape`, and the best there
// wins; the others keep their order behind. With `alone`, a clear winner is
// timed there by itself: nothing is left to choose, but its figure then has
// the rate the same configuration reached at that size moments before,
// which the burst engine checks the figure against
// (KernelRun::rate_moments_before), at the cost of one more worker and three
// calls (more where that run reads the units shared). Nothing happens without a contender, or with
// one and not `alone`. A confirmation that reads the units shared is run again as in
// rerun_beside_shared_units (after the others, in turns), and the best
// verified one counts.
void confirm_contenders(ProbeReport& report, const WorkerShape& shape, double min_seconds,
                        double margin, bool alone = true);

// Verified outcomes first; among them those confirmed at the measured size,
// fastest there first; then the rest by their probe rate. The order the run
// tries candidates in.
bool probe_order(const ProbeOutcome& a, const ProbeOutcome& b);

}  // namespace flopscope::gemm::cpu
