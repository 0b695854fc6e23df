// One (device, kernel, precision, size) instance: the unit that the burst
// engine times and that every backend implements.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>  // the device passes of hipcc must not parse json.hpp
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/precision.h"

namespace flopscope {

// A problem size: named dimensions in the order the kernel states them
// ({"n": 4096} for square GEMM, {"m","n","k"} for shapes, {"steps"} for peak),
// and, for kernels with several forms at one size, which form ("copy" or
// "triad" for stream, "7-point" or "25-point" for stencil; empty otherwise).
struct ProblemSize {
  std::vector<std::pair<std::string, int64_t>> dims;
  std::string variant{};
  std::string label() const;  // "n=4096", "m=512,n=256,k=128", "copy,elements=1024"
  nlohmann::json to_json() const;
  int64_t get(const std::string& name, int64_t fallback = 0) const;
};

// label() of a size read back from a result file (to_json's object).
std::string size_label(const nlohmann::json& size);

// What the harness asks a backend to build: one kernel at one precision and
// size, optionally a forced implementation (--implementation), and the seed
// of its pseudo-random inputs (recorded in the result file).
struct KernelRequest {
  KernelKind kernel = KernelKind::peak;
  Precision precision = Precision::fp64;
  ProblemSize size;
  std::string implementation;  // empty: the backend picks the fastest verified one
  uint64_t seed = 20261128;
  // Whether the run's KernelRun::rate_moments_before is wanted (bursts check
  // figures against it; soaks do not): the CPU GEMM times a clear winner at
  // the measured size only for it, seconds on a small machine.
  bool rate_before = true;
};

struct Verification {
  bool checked = false;  // false: nothing was checked, so never valid
  bool passed = false;
  double max_error = 0;  // largest relative error seen
  double tolerance = 0;
  std::string detail;  // what was checked, and where it failed
  bool valid() const { return checked && passed; }
};

// Where a bandwidth-bound kernel's data lives: the bytes one pass touches and
// the cache closest to memory that could hold them. The memory roofline
// (harness/roofline.h) judges only figures whose data comes from memory.
struct MemoryFootprint {
  double working_set_bytes = 0;
  double cache_bytes = 0;  // 0: unknown
  std::string cache;       // "L3", "L2"
};

// Which peak a kernel's efficiency is set against.
enum class PeakUnit { vector, matrix, best };

class KernelRun {
 public:
  virtual ~KernelRun() = default;
  // Library and version and configuration, or the own kernel's name.
  virtual std::string implementation() const = 0;
  virtual double flop_per_iteration() const = 0;   // by the kernel spec's formula
  virtual double bytes_per_iteration() const = 0;  // the spec's compulsory bytes
  virtual PeakUnit peak_unit() const { return PeakUnit::best; }
  // Stream and stencil: their data's footprint against the largest cache.
  virtual std::optional<MemoryFootprint> footprint() const { return std::nullopt; }
  // Runs `iterations` back-to-back iterations and returns their elapsed
  // seconds as the device measures them (wall time on the CPU, events on GPUs).
  virtual double run(int64_t iterations) = 0;
  // A bandwidth-bound kernel that draws its memory roofline from a copy of
  // its own arrays (the CPU and GPU stencils) times such a copy here and
  // returns its bytes per second. The burst engine calls it before each
  // repetition, so the bound comes from the same seconds as the figure, not
  // from a stream run a minute away on a machine whose bandwidth drifts.
  // The copy may overwrite anything the next run() rewrites; until that
  // run, verify() checks the copy. nullopt: the kernel has no such copy.
  virtual std::optional<double> time_interleaved_copy() { return std::nullopt; }
  // False when run() can return while this kernel's threads still spin on
  // the cores (a BLAS library in a worker process: OpenBLAS's pool spins
  // about 0.1 s after a call, Intel OpenMP's 0.2 s). A clock probe right
  // after would share the cores with them and read a low clock, so the
  // burst engine probes such a figure's clock only before it and after it,
  // unless the kernel probes its gaps itself (probes_gaps).
  virtual bool cores_idle_after_run() const { return true; }
  // What such a kernel reads in a gap between its calls with its own
  // threads (probe_gap): the clock, and the FP64 FMA chains' FLOP/s on every
  // core when they ran (or why they did not).
  struct GapProbe {
    std::optional<double> clock_hz;
    std::optional<double> chains_flops;
    std::string chains_why;
  };
  // True when a kernel whose threads outlive its run can still probe the
  // gaps in their process, competing with nothing (a CPU GEMM's worker: the
  // own GEMM's OpenMP team runs the chains and the clock probe itself; a
  // library's worker waits until the library's threads sleep).
  virtual bool probes_gaps() const { return false; }
  // The gap's FP64 FMA chains for about `chains_s` (none at 0), then the
  // brief clock probe, as Backend::probe_clock_briefly_hz takes it. Only
  // where probes_gaps(); never throws.
  virtual GapProbe probe_gap(double /*chains_s*/) { return {}; }
  // What this implementation did at the measured size moments before the
  // run, where something timed it there: its best FLOP/s over a few calls.
  // The CPU GEMM has it where it chose among configurations: it times the
  // chosen one at the measured size in every call (with the contenders
  // within 10%, or alone), or at 512 or less probes at that size (then only
  // in a call that probed: a cached probe may be minutes old); not with one
  // configuration, nor where that timing failed its check or the chosen
  // worker did not start. A figure far below it was taken while something
  // else had the device or its clock (the burst engine flags it). nullopt:
  // nothing timed it.
  virtual std::optional<double> rate_moments_before() const { return std::nullopt; }
  // Checks the output of the last run. Outside any timed region.
  virtual Verification verify() = 0;
  // What else a reader needs to reproduce the figure, recorded with the
  // measurement as "details" (the CPU GEMM: every configuration the probe
  // tried, with its rate); null when there is nothing. Host-side only.
  virtual nlohmann::json details() const;
  // Test seam: corrupts one output element so tests can show the check
  // catches it. Returns false when the kernel has no output buffer to corrupt.
  virtual bool corrupt_output_for_test(int64_t /*element*/) { return false; }
};

// The rule for a forced --implementation at a kernel that does not choose
// among implementations by name itself (one each: stream, stencil, the
// chains; or one library: cuBLAS, cuFFT, rocFFT): the name must begin its
// implementation(), with case and the separators '-', '_' and ' ' aside
// ("flopscope-stream" names "flopscope stream copy, CUDA", "cufft" names
// "cuFFT 12.0"). Otherwise nothing runs: nullptr, with *unsupported saying
// what there is. `run` may be null (then it is passed on with *unsupported
// as the factory left it).
std::unique_ptr<KernelRun> only_if_named(std::unique_ptr<KernelRun> run,
                                         const KernelRequest& request, std::string* unsupported);

// The same rule before a kernel is built, for one whose implementation()
// always begins with `start` ("cuBLAS", "flopscope stream"): false, with
// *unsupported set, when the forced name cannot begin it, so no memory is
// allocated and nothing timed for a name that will be refused.
bool may_be_named(const KernelRequest& request, std::string_view start, std::string* unsupported);

}  // namespace flopscope
