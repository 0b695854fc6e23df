#include "kernels/gemm/cpu/gemm_probe.h"

#include <strings.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <thread>

#include "kernels/gemm/cpu/own/own_gemm_engine.h"
#include "kernels/gemm/gemm_spec.h"

namespace flopscope::gemm::cpu {

EnvList worker_environment(const GemmCandidate& c, const std::vector<int>& pus) {
  EnvList env = thread_environment(pus, uses_openmp_threads(c.library));
  // OpenBLAS and MKL read theirs while loading; BLIS's is set inside the
  // worker (it wants a number that only the loaded library can give).
  const std::string variable = configuration_variable(c.library.family);
  if (!c.config.empty() && !variable.empty() && c.library.family != "blis")
    env.emplace_back(variable, c.config);
  // Beside a library with threads of its own, the worker's OpenMP threads are
  // flopscope's alone (first-touch of the inputs, the check, the gap
  // readings): they sleep as soon as their work is done, never spinning
  // beside the library's calls, whatever the shell's OMP_WAIT_POLICY.
  if (!uses_openmp_threads(c.library) && c.library.family != own::kOwnGemmFamily)
    env.emplace_back("OMP_WAIT_POLICY", "passive");
  return env;
}

StartedWorker start_worker(const GemmCandidate& c, const WorkerShape& shape) {
  StartedWorker w;
  const EnvList env = worker_environment(c, shape.pus);
  WorkerSetup s;
  s.engine = c.library.engine;
  s.family = c.library.family;
  s.variant = c.library.variant;
  s.path = c.library.path;
  s.config = c.config;
  s.precision = shape.precision;
  s.m = shape.m;
  s.n = shape.n;
  s.k = shape.k;
  s.seed = shape.seed;
  s.threads = shape.pus.empty() ? 1 : static_cast<int>(shape.pus.size());
  s.pus = shape.pus;
  try {
    auto p = std::make_unique<WorkerProcess>(c.id(), env, shape.pus);
    const auto reply = split_tabs(p->request("setup\t" + s.to_line()));
    if (reply[0] == "ready" && reply.size() >= 3) {
      w.process = std::move(p);
      w.implementation = reply[1];
      w.applied_config = reply[2];
    } else {
      w.reason = c.id() + ": " + (reply.size() > 1 ? reply[1] : reply[0]);
    }
  } catch (const WorkerError& e) {
    w.reason = e.what();
  }
  return w;
}

WorkerGap request_gap(WorkerProcess& p, double chains_s, double max_wait_s) {
  WorkerGap g;
  char request[64];
  std::snprintf(request, sizeof request, "gap\t%.6g\t%.6g", chains_s, max_wait_s);
  const auto r = split_tabs(p.request(request));
  if (r[0] != "gap" || r.size() < 4) {
    g.why = "the worker's gap probe failed: " + (r.size() > 1 ? r[1] : r[0]);
    return g;
  }
  try {
    g.clock_hz = std::max(0.0, std::stod(r[1]));
    g.chains_flops = std::max(0.0, std::stod(r[2]));
    g.why = r[3];
  } catch (const std::logic_error& e) {  // a malformed figure: the worker lives on
    g = WorkerGap{};
    g.why = "the worker's gap probe replied badly: " + std::string(e.what());
  }
  return g;
}

namespace {

double timed_call(WorkerProcess& p) {
  const auto r = split_tabs(p.request("run\t1"));
  if (r[0] != "time" || r.size() < 2) throw WorkerError("unexpected reply: " + r[0]);
  return std::stod(r[1]);
}

// The FP64 FMA chains the worker reads in a gap (library_worker.h, "gap"),
// as the figure's gaps read them, per cycle of the clock probed right after
// them: a slower clock (a large GEMM heats the CPU) then does not read as
// shared units. 0 when either did not read. A library's threads are waited
// for kProbeThreadsWaitS at most, twice the longest spin after a call
// (idle_threads.h): threads told to spin on (a shell's
// OMP_WAIT_POLICY=active reaches an OpenMP library) would otherwise cost
// every probe run of that library the figure's full second.
constexpr double kProbeChainsSeconds = 0.02;
constexpr double kProbeThreadsWaitS = 0.4;
double chains_flop_per_cycle(WorkerProcess& p) {
  const WorkerGap g = request_gap(p, kProbeChainsSeconds, kProbeThreadsWaitS);
  return g.clock_hz > 0 && g.chains_flops > 0 ? g.chains_flops / g.clock_hz : 0;
}

// `read_chains`: the units' reading after the timed calls
// (ProbeOutcome::chains_flop_per_cycle).
ProbeOutcome probe_one(const GemmCandidate& c, const WorkerShape& shape, double min_seconds,
                       std::string* applied, bool read_chains = true) {
  ProbeOutcome o;
  o.candidate = c;
  StartedWorker w = start_worker(c, shape);
  if (!w.process) {
    o.note = w.reason;
    return o;
  }
  o.implementation = w.implementation;
  *applied = w.applied_config;
  try {
    timed_call(*w.process);  // untimed: first-touch, thread start, packing buffers
    double total = 0, best = 1e300;
    for (int calls = 0; calls < 2 || total < min_seconds; ++calls) {
      const double t = timed_call(*w.process);
      total += t;
      best = std::min(best, t);
      if (calls >= 50) break;
    }
    o.flops = flop_count(shape.m, shape.n, shape.k) / best;
    o.ran_at = std::chrono::steady_clock::now();
    // Right after the timed calls (a library's threads waited out first):
    // another tenant's spell lasts seconds, the calls a fraction of one.
    if (read_chains) o.chains_flop_per_cycle = chains_flop_per_cycle(*w.process);
    const auto v = split_tabs(w.process->request("verify"));
    o.verified = v[0] == "verify" && v.size() >= 3 && v[1] == "1" && v[2] == "1";
    if (!o.verified) o.note = "not verified: " + (v.size() >= 6 ? v[5] : v[0]);
  } catch (const std::exception& e) {
    o.flops = 0;
    o.note = e.what();
  }
  return o;
}

}  // namespace

bool probe_order(const ProbeOutcome& a, const ProbeOutcome& b) {
  if (a.verified != b.verified) return a.verified;
  const bool ca = a.confirmed_flops > 0, cb = b.confirmed_flops > 0;
  if (ca != cb) return ca;
  return ca ? a.confirmed_flops > b.confirmed_flops : a.flops > b.flops;
}

namespace {

// Raises the probe's free reading to `reading`, no higher than the chains'
// peak where the table knows it: a clock probe that lost its core for part
// of its 5 ms reads low, so the ratio reads high, and a reading above the
// peak would put every other run under the cut.
void note_reading(ProbeReport& r, double reading) {
  if (r.units_peak > 0) reading = std::min(reading, r.units_peak);
  r.free_units = std::max(r.free_units, reading);
}

bool beside_shared_units(const ProbeOutcome& run, double free_units) {
  return run.chains_flop_per_cycle > 0 &&
         run.chains_flop_per_cycle < kSharedUnitsBelow * free_units;
}

// Another tenant's spell lasts seconds: run back to back, all three
// confirmations of one candidate fell in one. A candidate's runs again are
// this far apart at least.
constexpr double kSharedRetryAfterS = 2.0;

using Clock = std::chrono::steady_clock;

// Runs the outcomes of `pending` again, in turns, while their last run read
// the units shared: `tries` turns at most, each candidate's runs
// kSharedRetryAfterS apart at least. `record` takes each run; the shared
// ones are counted here.
void retry_in_turns(std::vector<ProbeOutcome*> pending, const WorkerShape& shape,
                    double min_seconds, int tries, ProbeReport& report,
                    const std::function<void(ProbeOutcome&, const ProbeOutcome&)>& record) {
  const auto apart = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(kSharedRetryAfterS));
  for (int turn = 0; turn < tries && !pending.empty(); ++turn) {
    std::vector<ProbeOutcome*> still;
    for (ProbeOutcome* o : pending) {
      std::this_thread::sleep_until(o->ran_at + apart);
      std::string applied;
      const ProbeOutcome run = probe_one(o->candidate, shape, min_seconds, &applied);
      note_reading(report, run.chains_flop_per_cycle);
      o->ran_at = run.ran_at;
      record(*o, run);
      if (beside_shared_units(run, report.free_units)) {
        if (run.verified) ++o->runs_beside_shared_units;
        still.push_back(o);
      }
    }
    pending = std::move(still);
  }
}

// report.best: the verified outcome probe_order puts first (the earliest of
// equals), or -1.
void pick_best(ProbeReport& r) {
  r.best = -1;
  for (size_t i = 0; i < r.outcomes.size(); ++i)
    if (r.outcomes[i].verified &&
        (r.best < 0 || probe_order(r.outcomes[i], r.outcomes[static_cast<size_t>(r.best)])))
      r.best = static_cast<int>(i);
}

// The verified outcomes within `margin` of the best probe rate, fastest
// first, `most` at most; with one_per_library, only each library's fastest
// configuration (a library file, or the family of flopscope's own GEMM,
// which is built in).
std::vector<ProbeOutcome*> contenders_of(ProbeReport& report, double margin, size_t most,
                                         bool one_per_library) {
  std::vector<ProbeOutcome*> out;
  if (report.best < 0) return out;
  const double best = report.outcomes[static_cast<size_t>(report.best)].flops;
  for (auto& o : report.outcomes)
    if (o.verified && o.flops >= (1.0 - margin) * best) out.push_back(&o);
  std::stable_sort(out.begin(), out.end(), [](const ProbeOutcome* a, const ProbeOutcome* b) {
    return a->flops > b->flops;
  });
  if (one_per_library) {
    auto library = [](const ProbeOutcome* o) {
      return o->candidate.library.family + ":" + o->candidate.library.path;
    };
    std::vector<ProbeOutcome*> fastest;
    for (ProbeOutcome* o : out)
      if (std::none_of(fastest.begin(), fastest.end(),
                       [&](const ProbeOutcome* f) { return library(f) == library(o); }))
        fastest.push_back(o);
    out = std::move(fastest);
  }
  if (out.size() > most) out.resize(most);
  return out;
}

}  // namespace

ProbeReport probe_candidates(const std::vector<GemmCandidate>& candidates, const WorkerShape& shape,
                             double min_seconds, double units_peak) {
  ProbeReport r;
  r.units_peak = units_peak;
  // The configuration each library file chose for itself.
  std::vector<std::pair<std::string, std::string>> own_choice;
  std::vector<const GemmCandidate*> order;
  for (const auto& c : candidates)
    if (c.config.empty()) order.push_back(&c);
  for (const auto& c : candidates)
    if (!c.config.empty()) order.push_back(&c);
  for (const GemmCandidate* c : order) {
    bool twin = false;
    for (const auto& [path, cfg] : own_choice)
      twin |= path == c->library.path && strcasecmp(cfg.c_str(), c->config.c_str()) == 0;
    if (twin) continue;
    std::string applied;
    r.outcomes.push_back(probe_one(*c, shape, min_seconds, &applied));
    if (c->config.empty() && !applied.empty()) own_choice.emplace_back(c->library.path, applied);
    note_reading(r, r.outcomes.back().chains_flop_per_cycle);
  }
  pick_best(r);
  return r;
}

void rerun_beside_shared_units(ProbeReport& report, const WorkerShape& shape, double min_seconds,
                               int tries) {
  // The first pass against the highest reading of all of it; runs again
  // against the highest so far.
  std::vector<ProbeOutcome*> pending;
  for (auto& o : report.outcomes)
    if (o.verified && beside_shared_units(o, report.free_units)) {
      ++o.runs_beside_shared_units;
      pending.push_back(&o);
    }
  if (pending.empty()) return;
  retry_in_turns(std::move(pending), shape, min_seconds, tries, report,
                 [](ProbeOutcome& o, const ProbeOutcome& run) {
                   if (!run.verified) return;
                   o.flops = std::max(o.flops, run.flops);
                   ++o.runs;
                 });
  pick_best(report);
}

void confirm_contenders(ProbeReport& report, const WorkerShape& shape, double min_seconds,
                        double margin, bool alone) {
  constexpr size_t kMaxLibraries = 4;
  const std::vector<ProbeOutcome*> contenders =
      contenders_of(report, margin, kMaxLibraries, /*one_per_library=*/true);
  if (contenders.size() < 2 && !alone) return;
  std::vector<ProbeOutcome*> pending;
  for (ProbeOutcome* o : contenders) {
    std::string applied;
    const ProbeOutcome there = probe_one(o->candidate, shape, min_seconds, &applied);
    note_reading(report, there.chains_flop_per_cycle);
    o->ran_at = there.ran_at;
    if (there.verified) o->confirmed_flops = there.flops;
    if (beside_shared_units(there, report.free_units)) {
      if (there.verified) ++o->runs_beside_shared_units;
      pending.push_back(o);
    }
  }
  retry_in_turns(std::move(pending), shape, min_seconds, kSharedUnitsTries, report,
                 [](ProbeOutcome& o, const ProbeOutcome& there) {
                   if (there.verified) o.confirmed_flops = std::max(o.confirmed_flops, there.flops);
                 });
  pick_best(report);
}

void reprobe_contenders(ProbeReport& report, const WorkerShape& shape, double min_seconds,
                        double margin, int rounds) {
  // The fastest few only: each costs a worker start and a timed window.
  constexpr size_t kMaxContenders = 3;
  const std::vector<ProbeOutcome*> contenders =
      contenders_of(report, margin, kMaxContenders, /*one_per_library=*/false);
  if (contenders.size() < 2) return;
  for (int round = 0; round < rounds; ++round)
    for (size_t i = 0; i < contenders.size(); ++i) {
      // Each round starts one further along, so no candidate always runs first.
      ProbeOutcome& o = *contenders[(i + static_cast<size_t>(round) + 1) % contenders.size()];
      std::string applied;
      // Close contenders, whose runs that read the units shared were run
      // again already: no reading (it would cost each run a gap).
      const ProbeOutcome again =
          probe_one(o.candidate, shape, min_seconds, &applied, /*read_chains=*/false);
      if (!again.verified) continue;
      o.flops = std::max(o.flops, again.flops);
      ++o.runs;
    }
  pick_best(report);
}

}  // namespace flopscope::gemm::cpu
