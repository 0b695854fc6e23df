#include "kernels/gemm/cpu/gemm_cpu.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>

#include "devices/cpu/cpu_microarch.h"
#include "harness/errors.h"
#include "kernels/gemm/cpu/own/own_gemm_engine.h"

namespace flopscope::gemm::cpu {

namespace {

// The probe runs each configuration at half the measured size (at least
// 512, at most 2048): large enough that the libraries run the blocked
// kernels they will use at the measured size, small enough (about 0.2 s a
// call in FP64 on two cores at 2048) to try every configuration in seconds.
int64_t probe_dimension(int64_t d) {
  return std::min(d, std::clamp<int64_t>(d / 2, 512, 2048));
}
constexpr double kProbeSeconds = 0.2;
// Configurations within this fraction of the fastest are probed again, this
// many more times each, before one is chosen (gemm_probe.h).
constexpr double kProbeMargin = 0.05;
constexpr int kProbeExtraRounds = 2;
// Then each library's best within kConfirmMargin is timed at the measured
// size: one untimed call and two timed ones (gemm_probe.h,
// confirm_contenders). On 2 cores at 4096 that is about 3 s a library in
// FP32 and 6 s in FP64; on a server, a fraction of a second.
constexpr double kConfirmSeconds = 0;
constexpr double kConfirmMargin = 0.10;

// The probe as the result file records it: its size, every candidate with
// its rate, whether it verified, and why not; and, when the close ones were
// confirmed at the measured size, their rates there.
nlohmann::json probe_to_json(const ProbeReport& r, const WorkerShape& s,
                             const WorkerShape* confirmed_at) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& o : r.outcomes) {
    nlohmann::json c = {
        {"implementation", o.implementation.empty() ? o.candidate.id() : o.implementation},
        {"flops", o.flops},
        {"runs", o.runs},
        {"verified", o.verified}};
    if (!o.note.empty()) c["note"] = o.note;
    if (o.confirmed_flops > 0) c["confirmed_flops"] = o.confirmed_flops;
    if (o.chains_flop_per_cycle > 0) c["chains_flop_per_cycle"] = o.chains_flop_per_cycle;
    if (o.runs_beside_shared_units > 0) c["runs_beside_shared_units"] = o.runs_beside_shared_units;
    candidates.push_back(std::move(c));
  }
  nlohmann::json probe = {{"size", {{"m", s.m}, {"n", s.n}, {"k", s.k}}},
                          {"seconds_each", kProbeSeconds},
                          {"reprobed_within", kProbeMargin},
                          {"candidates", std::move(candidates)}};
  if (r.free_units > 0) {
    probe["free_units_flop_per_cycle"] = r.free_units;
    probe["units_shared_below"] = kSharedUnitsBelow;
  }
  if (r.units_peak > 0) probe["units_peak_flop_per_cycle"] = r.units_peak;
  if (confirmed_at) {
    probe["confirmed_at"] = {
        {"m", confirmed_at->m}, {"n", confirmed_at->n}, {"k", confirmed_at->k}};
    probe["confirmed_within"] = kConfirmMargin;
  }
  return {{"probe", std::move(probe)}};
}

class WorkerGemmRun final : public KernelRun {
 public:
  WorkerGemmRun(StartedWorker w, const CpuGemmFormat& f, int64_t m, int64_t n, int64_t k,
                nlohmann::json probe, std::optional<double> probe_rate)
      : w_(std::move(w)),
        f_(f),
        m_(m),
        n_(n),
        k_(k),
        probe_(std::move(probe)),
        probe_rate_(probe_rate) {}

  std::string implementation() const override { return w_.implementation; }
  nlohmann::json details() const override { return probe_; }
  double flop_per_iteration() const override { return flop_count(m_, n_, k_); }
  double bytes_per_iteration() const override {
    return compulsory_bytes(m_, n_, k_, f_.input_bytes, f_.output_bytes);
  }
  PeakUnit peak_unit() const override { return PeakUnit::best; }
  // The library's threads live in the worker, not in this process's
  // OpenMP team (see KernelRun).
  bool cores_idle_after_run() const override { return false; }
  // The worker probes its gaps itself (library_worker.h, "gap"): on the
  // own GEMM's OpenMP team, or once a library's threads have gone to sleep.
  bool probes_gaps() const override { return true; }
  GapProbe probe_gap(double chains_s) override {
    GapProbe g;
    try {
      const WorkerGap w = request_gap(*w_.process, chains_s);
      if (w.clock_hz > 0) g.clock_hz = w.clock_hz;
      if (w.chains_flops > 0) g.chains_flops = w.chains_flops;
      g.chains_why = w.why;
    } catch (const WorkerError& e) {  // the worker is gone
      g.chains_why = e.what();
      gap_failure_ = e.what();
    }
    return g;
  }
  std::optional<double> rate_moments_before() const override { return probe_rate_; }

  // The worker times the library calls alone, with the same steady clock;
  // the request and reply around them stay outside the figure.
  double run(int64_t iterations) override {
    std::vector<std::string> r;
    try {
      r = split_tabs(w_.process->request("run\t" + std::to_string(iterations)));
    } catch (const WorkerError& e) {
      // A worker that died in a gap probe: say what killed it there.
      if (gap_failure_.empty()) throw;
      throw WorkerError(std::string(e.what()) +
                        " (it failed in a gap probe before: " + gap_failure_ + ")");
    }
    if (r[0] != "time" || r.size() < 2)
      throw WorkerError(implementation() + ": " + (r.size() > 1 ? r[1] : r[0]));
    return std::stod(r[1]);
  }

  Verification verify() override {
    const auto r = split_tabs(w_.process->request("verify"));
    Verification v;
    if (r[0] != "verify" || r.size() < 6) {
      v.detail = "the check did not run: " + (r.size() > 1 ? r[1] : r[0]);
      return v;
    }
    v.checked = r[1] == "1";
    v.passed = r[2] == "1";
    v.max_error = std::stod(r[3]);
    v.tolerance = std::stod(r[4]);
    v.detail = r[5];
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    const auto r = split_tabs(w_.process->request("corrupt\t" + std::to_string(element)));
    return r[0] == "corrupt" && r.size() > 1 && r[1] == "1";
  }

 private:
  StartedWorker w_;
  CpuGemmFormat f_;
  int64_t m_, n_, k_;
  nlohmann::json probe_;              // details(): the probe that chose this configuration
  std::optional<double> probe_rate_;  // its rate at the measured size in that probe
  std::string gap_failure_;           // what stopped the worker in a gap probe
};

struct ProbeCache {
  std::mutex mutex;
  // (precision, probe shape, implementation filter) -> the probe's report
  std::map<std::string, ProbeReport> reports;
};

ProbeCache& cache() {
  static ProbeCache c;
  return c;
}

const std::vector<LibraryFile>& machine_libraries() {
  static const std::vector<LibraryFile> libs = find_gemm_libraries();
  return libs;
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

std::string join_ids(const std::vector<GemmCandidate>& cs) {
  std::string s;
  for (const auto& c : cs) s += (s.empty() ? "" : ", ") + c.id();
  return s;
}

}  // namespace

std::vector<ProblemSize> default_gemm_sizes(bool quick) {
  return {ProblemSize{{{"n", quick ? 2048 : 4096}}}};
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0;
}

ProblemSize gemm_size_from_user(Precision p, const std::vector<int64_t>& dims,
                                double memory_bytes) {
  ProblemSize s;
  if (dims.size() == 1)
    s.dims = {{"n", dims[0]}};
  else if (dims.size() == 3)
    s.dims = {{"m", dims[0]}, {"n", dims[1]}, {"k", dims[2]}};
  else
    throw UsageError("--sizes for gemm: N (square) or MxNxK");
  for (int64_t d : dims)
    if (d > 0x7FFFFFFF)
      throw UsageError("--sizes for gemm: " + std::to_string(d) +
                       " is beyond the 32-bit integers of BLAS interfaces");
  const CpuGemmFormat* f = cpu_gemm_format(p);
  if (f && memory_bytes > 0) {
    const int64_t n = s.get("n"), m = s.get("m", n), k = s.get("k", n);
    const double need = gemm_footprint_bytes(*f, m, n, k);
    if (need > 0.5 * memory_bytes)
      throw UsageError("--sizes for gemm " + std::string(to_string(p)) + ": " + s.label() +
                       " needs " + gib(need) + " of matrices, more than half of this " +
                       "machine's " + gib(memory_bytes));
  }
  return s;
}

GemmPlan plan_gemm(const flopscope::cpu::CpuContext& ctx, const KernelRequest& request,
                   const std::vector<LibraryFile>& libraries) {
  GemmPlan plan;
  const CpuGemmFormat* f = cpu_gemm_format(request.precision);
  if (!f) {
    plan.unsupported = "no CPU library computes " + std::string(to_string(request.precision)) +
                       " GEMM natively (CPUs have no " + std::string(to_string(request.precision)) +
                       " arithmetic)";
    return plan;
  }
  // The libraries' configurations and flopscope's own GEMM (issue 4) take
  // part in the same probe.
  auto all = gemm_candidates(libraries, *f, ctx.isa);
  for (auto& c : own::own_gemm_candidates(ctx, request.precision)) all.push_back(std::move(c));
  if (all.empty()) {
    plan.unsupported = std::string("no library for ") + f->storage + " GEMM found (" +
                       (f->blas ? "OpenBLAS, BLIS, MKL" : "") + (f->blas && f->onednn ? ", " : "") +
                       (f->onednn ? "oneDNN libdnnl.so.2" : "") + ")";
    return plan;
  }
  plan.candidates = select_candidates(all, request.implementation);
  if (plan.candidates.empty())
    plan.unsupported = "no implementation '" + request.implementation + "' for " + f->storage +
                       " GEMM here; available: " + join_ids(all);
  return plan;
}

std::unique_ptr<KernelRun> make_cpu_gemm_run(const flopscope::cpu::CpuContext& ctx,
                                             const KernelRequest& request,
                                             std::string* unsupported) {
  GemmPlan plan = plan_gemm(ctx, request, machine_libraries());
  if (plan.candidates.empty()) {
    *unsupported = plan.unsupported;
    return nullptr;
  }
  const CpuGemmFormat& f = *cpu_gemm_format(request.precision);
  WorkerShape shape;
  shape.precision = request.precision;
  shape.n = request.size.get("n");
  shape.m = request.size.get("m", shape.n);
  shape.k = request.size.get("k", shape.n);
  shape.seed = request.seed;
  shape.pus = ctx.pus;

  std::vector<GemmCandidate> order = plan.candidates;
  std::vector<std::string> reasons;
  nlohmann::json probe;  // null when there was only one candidate
  // By candidate id: what each did at the measured size in this call's
  // probe (its confirmation there, or the probe itself when it ran at that
  // size and was not taken from the cache, where it may be minutes old).
  std::map<std::string, double> rate_at_size;
  if (order.size() > 1) {
    WorkerShape small = shape;
    small.m = probe_dimension(shape.m);
    small.n = probe_dimension(shape.n);
    small.k = probe_dimension(shape.k);
    const std::string key = std::string(to_string(request.precision)) + "/" +
                            std::to_string(small.m) + "x" + std::to_string(small.n) + "x" +
                            std::to_string(small.k) + "/" + request.implementation;
    ProbeReport report;
    {
      std::lock_guard<std::mutex> lock(cache().mutex);
      auto it = cache().reports.find(key);
      if (it != cache().reports.end()) report = it->second;
    }
    const bool probed_now = report.outcomes.empty();
    if (probed_now) {
      // The chains' FP64 peak per cycle on the probe's cores caps its free
      // reading (gemm_probe.h).
      const double units_peak =
          ctx.microarch
              ? flopscope::cpu::vector_per_cycle(*ctx.microarch, ctx.isa, Precision::fp64).ops *
                    ctx.threads()
              : 0;
      report = probe_candidates(order, small, kProbeSeconds, units_peak);
      rerun_beside_shared_units(report, small, kProbeSeconds);
      reprobe_contenders(report, small, kProbeSeconds, kProbeMargin, kProbeExtraRounds);
      std::lock_guard<std::mutex> lock(cache().mutex);
      cache().reports[key] = report;
    }
    // The close ones again at the measured size (not cached: every size
    // measured gets its own confirmation).
    const bool smaller = small.m != shape.m || small.n != shape.n || small.k != shape.k;
    if (smaller)
      confirm_contenders(report, shape, kConfirmSeconds, kConfirmMargin, request.rate_before);
    // Verified ones, fastest first; then those that ran but failed the check
    // (measured, they report "not verified"); the rest could not run.
    std::vector<const ProbeOutcome*> ran;
    for (const auto& o : report.outcomes) {
      if (o.flops > 0)
        ran.push_back(&o);
      else
        reasons.push_back(o.note);
    }
    std::sort(ran.begin(), ran.end(),
              [](const ProbeOutcome* a, const ProbeOutcome* b) { return probe_order(*a, *b); });
    order.clear();
    for (const auto* o : ran) {
      order.push_back(o->candidate);
      const double there = smaller ? o->confirmed_flops : probed_now && o->verified ? o->flops : 0;
      if (there > 0) rate_at_size[o->candidate.id()] = there;
    }
    probe = probe_to_json(report, small, smaller ? &shape : nullptr);
  }
  for (const auto& c : order) {
    StartedWorker w = start_worker(c, shape);
    const auto rate = rate_at_size.find(c.id());
    if (w.process)
      return std::make_unique<WorkerGemmRun>(
          std::move(w), f, shape.m, shape.n, shape.k, probe,
          rate == rate_at_size.end() ? std::nullopt : std::optional<double>(rate->second));
    reasons.push_back(w.reason);
  }
  std::string why;
  for (const auto& r : reasons) why += (why.empty() ? "" : "; ") + r;
  *unsupported = why.empty() ? "no library configuration could run" : why;
  return nullptr;
}

}  // namespace flopscope::gemm::cpu
