#include "harness/burst_engine.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "harness/benchmark_flags.h"
#include "harness/clock_sampler.h"
#include "harness/interrupt.h"
#include "harness/statistics.h"
#include "harness/unit_throughput.h"
#include "harness/units.h"

namespace flopscope {

namespace {

// Google Benchmark 1.7 says error_occurred, 1.8 says skipped.
template <typename R>
bool run_failed(const R& r) {
  if constexpr (requires { r.error_occurred; })
    return r.error_occurred;
  else
    return r.skipped != 0;
}

// Collects the per-repetition runs of the one benchmark being run, and
// forwards everything to Google Benchmark's own display when asked to.
class CapturingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;
      if (run_failed(r)) {
        failed = true;
        continue;
      }
      // With manual time, real_accumulated_time is the sum of the times the
      // kernel reported (events or wall), never CPU time.
      if (r.iterations > 0 && r.real_accumulated_time > 0)
        seconds_per_iteration.push_back(r.real_accumulated_time /
                                        static_cast<double>(r.iterations));
    }
  }
  std::vector<double> seconds_per_iteration;
  bool failed = false;
};

// One gap's readings: the FP64 FMA chains' FLOP/s (none when they did not
// run) and the clock probed right after them.
struct GapReading {
  std::optional<double> flops, clock_hz;
};

// The FMA chains in the gap before each call of a CPU burst's body
// (BurstSettings::gap_unit_check_s), each time right before that gap's clock
// probe, so the repetition still follows the probe at once.
class GapUnits {
 public:
  // Takes one gap's readings, the chains first; sets *why, for good, when
  // the chains cannot run (it then still probes the clock).
  using Reader = std::function<GapReading(std::string* why)>;
  GapUnits(const Device& d, Reader read) : device_(d), read_(std::move(read)) {}

  // One gap. A low reading is taken again at once (chains and probe): one
  // short window can fall on a time slice that the repetition never meets.
  // Returns the probe's clock, as the clock probe alone would.
  std::optional<double> probe() {
    Reading reading = read();
    if (reading.fraction && *reading.fraction < kSharedUnitsFraction) reading = read();
    readings_.push_back(reading.fraction ? nlohmann::json{{"fraction", *reading.fraction},
                                                          {"clock_hz", *reading.clock_hz}}
                                         : nlohmann::json());
    return reading.clock_hz;
  }

  // The gaps before the last `repetitions` calls (the repetitions: Google
  // Benchmark's warm-up and trial calls come first), each {fraction,
  // clock_hz} or null where the probe found no clock; or "not checked: why".
  nlohmann::json record(size_t repetitions) const {
    if (!why_.empty()) return "not checked: " + why_;
    const size_t n = std::min(repetitions, readings_.size());
    return nlohmann::json(
        std::vector<nlohmann::json>(readings_.end() - static_cast<ptrdiff_t>(n), readings_.end()));
  }

 private:
  struct Reading {
    std::optional<double> fraction, clock_hz;
  };
  Reading read() {
    const GapReading g = read_(&why_);
    Reading out;
    if (g.clock_hz && *g.clock_hz > 0) out.clock_hz = g.clock_hz;
    if (why_.empty() && g.flops && out.clock_hz)
      if (const auto peak = fp64_vector_peak_at(device_, *out.clock_hz))
        out.fraction = *g.flops / *peak;
    return out;
  }

  const Device& device_;
  Reader read_;
  std::string why_;  // what stopped the chains, for good
  std::vector<nlohmann::json> readings_;
};

// The gap readings where this process's threads probe them (the kernel's
// cores are idle between calls): the chains set up here on first use, so a
// figure filtered out, or failed before its first gap, costs nothing.
GapUnits::Reader reader_here(const PlannedRun& pr, const BurstSettings& s) {
  auto chains = std::make_shared<std::unique_ptr<UnitChains>>();
  return [&pr, &s, chains](std::string* why) {
    GapReading g;
    if (why->empty() && !*chains)
      *chains = UnitChains::make(*pr.backend, pr.device, s.gap_unit_check_s, s.core_kinds, why);
    if (why->empty())
      if (const auto r = (*chains)->read(why)) g.flops = r->flops;
    g.clock_hz = pr.backend->probe_clock_briefly_hz(pr.device);
    return g;
  };
}

// The gap readings taken by the kernel's own threads in their process
// (KernelRun::probes_gaps), after the same preconditions as here.
GapUnits::Reader reader_in_kernel(KernelRun& run, const PlannedRun& pr, const BurstSettings& s) {
  return [&run, &pr, &s](std::string* why) {
    if (interrupted()) return GapReading{};  // a request now would only be cut short
    if (why->empty())
      if (auto unavailable = unit_check_unavailable(pr.device, s.core_kinds)) *why = *unavailable;
    const auto p = run.probe_gap(why->empty() ? s.gap_unit_check_s : 0);
    // Off for good, as where they fail here: a worker whose library's threads
    // would not sleep answers every later gap unread too.
    if (why->empty() && !p.chains_flops)
      *why = p.chains_why.empty() ? "the chains did not run" : p.chains_why;
    return GapReading{p.chains_flops, p.clock_hz};
  };
}

struct BenchmarkSlot {
  KernelRun* run = nullptr;
  bool verified_all = true;
  bool any_verified = false;
  Verification last, worst;
  std::string error;
  bool corrupt = false;
  std::vector<double> copy_rates;  // KernelRun::time_interleaved_copy, one per repetition
  // Backend::probe_clock_briefly_hz, before each repetition (and each call of
  // the body before them, like copy_rates); null when the backend has none.
  std::function<std::optional<double>()> probe_clock;
  std::vector<std::optional<double>> clocks;  // one per call, null where none was read
  // The FMA chains in the same gaps, with the clock probe; null when they do
  // not run.
  GapUnits* gap_units = nullptr;
};

void benchmark_body(benchmark::State& st, BenchmarkSlot* slot) {
  try {
    // Untimed: the copy that sets this kernel's roofline, in step with its
    // repetitions. Google Benchmark's warm-up and the trial runs that size
    // the iteration count come through here too; run_burst keeps only the
    // repetitions' copies.
    if (!interrupted())
      if (const auto rate = slot->run->time_interleaved_copy()) slot->copy_rates.push_back(*rate);
    // Untimed too: the clock right before the repetition.
    if (slot->probe_clock && !interrupted()) {
      const auto hz = slot->gap_units ? slot->gap_units->probe() : slot->probe_clock();
      slot->clocks.push_back(hz && *hz > 0 ? hz : std::nullopt);
    }
    for (auto _ : st) {
      if (interrupted()) {
        st.SkipWithError("interrupted");
        break;
      }
      st.SetIterationTime(slot->run->run(1));
    }
    // The check runs after the timed loop, outside the measured time, after
    // every repetition: a figure is valid only if every check passed.
    if (slot->corrupt) slot->run->corrupt_output_for_test(7);
    Verification v = slot->run->verify();
    slot->last = v;
    slot->any_verified = true;
    if (!v.valid()) {
      slot->verified_all = false;
      slot->worst = v;
    } else if (slot->verified_all && v.max_error >= slot->worst.max_error) {
      slot->worst = v;
    }
    st.counters["FLOP/s"] = benchmark::Counter(slot->run->flop_per_iteration(),
                                               benchmark::Counter::kIsIterationInvariantRate);
    if (slot->run->bytes_per_iteration() > 0)
      st.counters["bytes/s"] = benchmark::Counter(slot->run->bytes_per_iteration(),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  } catch (const std::exception& e) {
    slot->error = e.what();
    st.SkipWithError(e.what());
  }
}

}  // namespace

// Google Benchmark 1.8 reads --benchmark_min_time as "2s" (and warns on a
// bare number); 1.7 reads a bare number and fails on "2s". Accept both
// spellings from users and hand over the one this library reads.
template <typename R>
constexpr bool kHasSkipped = requires(R r) {
  r.skipped;
};

std::string normalize_time_flag(const std::string& f) {
  constexpr bool kReadsSuffix = kHasSkipped<benchmark::BenchmarkReporter::Run>;
  for (const char* name : {"--benchmark_min_time=", "--benchmark_min_warmup_time="}) {
    const std::string prefix = name;
    if (f.rfind(prefix, 0) != 0) continue;
    std::string v = f.substr(prefix.size());
    const bool has_s = !v.empty() && v.back() == 's';
    if (kReadsSuffix && !has_s && prefix == "--benchmark_min_time=") v += "s";
    if (!kReadsSuffix && has_s) v.pop_back();
    if (kReadsSuffix && has_s && prefix == "--benchmark_min_warmup_time=") v.pop_back();
    return prefix + v;
  }
  return f;
}

void initialize_benchmark_library(const std::string& argv0, const std::vector<std::string>& flags) {
  std::vector<std::string> storage;
  storage.push_back(argv0);
  for (const auto& f : flags) storage.push_back(normalize_time_flag(f));
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
}

namespace {
// What the body recorded before each of its calls, kept for the
// repetitions only: Google Benchmark's warm-up and trial calls come first.
template <typename T>
std::vector<T> last_repetitions(const std::vector<T>& per_call, size_t repetitions) {
  return {per_call.end() - static_cast<std::ptrdiff_t>(std::min(repetitions, per_call.size())),
          per_call.end()};
}
}  // namespace

std::optional<double> clock_of_repetitions(std::vector<double> probes, size_t repetitions,
                                           std::optional<double> before,
                                           std::optional<double> after) {
  probes = last_repetitions(probes, repetitions);
  if (!probes.empty()) {
    if (after) probes.push_back(*after);
    return summarize(probes).median;
  }
  if (before && after) return 0.5 * (*before + *after);
  return before ? before : after;
}

namespace {

// The FMA units right after a CPU figure (BurstSettings::unit_check_s),
// taken again when low, like a gap's; then a flag when a reading in a gap
// before a repetition, or after the series, was low twice.
void check_units_after(Backend& b, const Device& d, const BurstSettings& s, Measurement& m) {
  UnitThroughput u = check_unit_throughput(b, d, s.unit_check_s, s.core_kinds);
  if (u.warning) u = check_unit_throughput(b, d, s.unit_check_s, s.core_kinds);
  m.unit_throughput_after = u.record;
  std::vector<std::string> gaps;  // the repetitions whose gap read low, from 1
  double lowest = 2, lowest_clock = 0;
  const nlohmann::json& between = m.unit_throughput_between;
  if (between.is_array())
    for (size_t i = 0; i < between.size(); ++i) {
      const nlohmann::json& g = between[i];
      if (!g.is_object()) continue;
      const double f = g.value("fraction", 1.0);
      if (f >= kSharedUnitsFraction) continue;
      gaps.push_back(std::to_string(i + 1));
      if (f < lowest) lowest = f, lowest_clock = g.value("clock_hz", 0.0);
    }
  const bool after = u.warning && u.record.is_object();
  if (after && u.record.value("fraction", 0.0) < lowest)
    lowest = u.record.value("fraction", 0.0), lowest_clock = u.record.value("clock_hz", 0.0);
  if (gaps.empty() && !after) return;
  std::string where;
  if (!gaps.empty()) {
    where = gaps.size() == 1 ? "before repetition " : "before repetitions ";
    for (size_t i = 0; i < gaps.size(); ++i)
      where.append(i == 0 ? "" : i + 1 == gaps.size() ? " and " : ", ").append(gaps[i]);
    where.append(" of " + std::to_string(between.size()));
  }
  if (after)
    where.append(where.empty() ? "right after the series" : ", and right after the series,");
  const bool several = gaps.size() + (after ? 1 : 0) > 1;
  m.flags.push_back("FMA throughput on its cores " + where + " was " +
                    (several ? "as low as " : "") + format_percent_down(lowest, 0) +
                    " of the peak at the measured " + format_ghz(lowest_clock) +
                    (several ? ", each reading taken twice: " : ", twice: ") + kSharedUnitsCause +
                    "; figures taken then read low, a compute-bound one by about that much; rerun "
                    "on a quiet machine before comparing it");
}

}  // namespace

std::optional<std::string> below_rate_before_flag(double best, double before, std::string_view unit,
                                                  std::optional<double> clock_hz) {
  if (!(before > 0) || best >= kDisturbedFraction * before) return std::nullopt;
  std::string flag = "best repetition at ";
  flag.append(format_percent_down(best / before, 1))
      .append(" of the ")
      .append(format_rate(before, unit))
      .append(" this implementation reached at this size moments before, in its probe: ")
      .append("something took the cores, or the clock fell")
      .append(clock_hz ? " (clock " + format_ghz(*clock_hz) + " during it)" : std::string())
      .append(", while it was measured; rerun on a quiet machine before comparing this figure");
  return flag;
}

std::vector<Measurement> run_burst(const std::vector<PlannedRun>& plan, const BurstSettings& s,
                                   const ProgressFn& progress) {
  std::vector<Measurement> out;
  const bool user_reps = has_benchmark_flag(s.benchmark_flags, "repetitions");
  const bool user_min_time = has_benchmark_flag(s.benchmark_flags, "min_time");
  const bool user_warmup = has_benchmark_flag(s.benchmark_flags, "min_warmup_time");

  for (size_t i = 0; i < plan.size(); ++i) {
    const PlannedRun& pr = plan[i];
    Measurement m;
    m.device = pr.device.id;
    m.kernel = pr.request.kernel;
    m.precision = pr.request.precision;
    m.size = pr.request.size;
    if (interrupted()) {
      m.status = MeasurementStatus::interrupted;
      m.message = "not run: interrupted";
      out.push_back(std::move(m));
      continue;
    }
    if (progress) progress(i, plan.size(), pr);

    std::string unsupported;
    std::unique_ptr<KernelRun> run;
    try {
      run = pr.backend->make_run(pr.device, pr.request, &unsupported);
    } catch (const std::exception& e) {
      m.status = MeasurementStatus::failed;
      m.message = e.what();
      out.push_back(std::move(m));
      continue;
    }
    if (!run) {
      m.status = MeasurementStatus::unsupported;
      m.message = unsupported.empty() ? "unsupported" : unsupported;
      out.push_back(std::move(m));
      continue;
    }
    m.implementation = run->implementation();
    m.peak_unit = run->peak_unit();
    m.details = run->details();
    m.footprint = run->footprint();
    m.flop_per_iteration = run->flop_per_iteration();
    m.bytes_per_iteration = run->bytes_per_iteration();

    BenchmarkSlot slot;
    slot.run = run.get();
    slot.corrupt = s.corrupt_for_test;
    const std::string name = pr.device.id + "/" + std::string(to_string(pr.request.kernel)) + "/" +
                             std::string(to_string(pr.request.precision)) + "/" +
                             pr.request.size.label();
    benchmark::ClearRegisteredBenchmarks();
    auto* b = benchmark::RegisterBenchmark(name.c_str(), benchmark_body, &slot);
    b->UseManualTime()->Unit(benchmark::kMillisecond);
    if (!user_reps) b->Repetitions(s.repetitions);
    if (!user_min_time) b->MinTime(s.min_time_s);
    if (!user_warmup) b->MinWarmUpTime(s.warmup_time_s);

    // The clock between repetitions, and the FMA chains beside it, where
    // they compete with nothing: this process's threads when the kernel's
    // are idle between calls, else the kernel's own if it can probe (then
    // the probes before and after the series are its too: its threads may
    // still spin on the cores then).
    const bool here = !pr.backend->clock_is_passive() && run->cores_idle_after_run();
    const bool in_kernel = !pr.backend->clock_is_passive() && !here && run->probes_gaps();
    KernelRun& r = *run;
    auto clock_around = [&]() -> std::optional<double> {
      if (!in_kernel) return pr.backend->measure_clock_hz(pr.device);
      if (interrupted()) return std::nullopt;
      if (const auto hz = r.probe_gap(0).clock_hz) return hz;
      return pr.backend->measure_clock_hz(pr.device);  // beside spinning threads, but a clock
    };
    m.clock_before_hz = clock_around();
    if (here)
      slot.probe_clock = [&pr] { return pr.backend->probe_clock_briefly_hz(pr.device); };
    else if (in_kernel)
      slot.probe_clock = [&r] { return r.probe_gap(0).clock_hz; };
    const bool check_units =
        pr.device.kind == "cpu" && m.kernel != KernelKind::peak && s.unit_check_s > 0;
    std::optional<GapUnits> gap_units;
    if (check_units && slot.probe_clock && s.gap_unit_check_s > 0) {
      gap_units.emplace(pr.device, here ? reader_here(pr, s) : reader_in_kernel(r, pr, s));
      slot.gap_units = &*gap_units;
    }
    CapturingReporter reporter;
    {
      // A passive clock (a GPU's sensor) is sampled while the kernel runs.
      std::optional<ClockSampler> sampler;
      if (pr.backend->clock_is_passive()) sampler.emplace(*pr.backend, pr.device);
      benchmark::RunSpecifiedBenchmarks(&reporter);
      if (sampler) m.clock_hz = sampler->stop();
    }
    m.clock_after_hz = clock_around();
    if (!m.clock_hz) {  // not sampled during the run
      const size_t reps = reporter.seconds_per_iteration.size();
      // The repetitions' own probes (a probe that read nothing leaves its
      // repetition out, not one of the warm-up calls' in).
      for (const auto& hz : last_repetitions(slot.clocks, reps))
        if (hz) m.clock_probes_hz.push_back(*hz);
      if (gap_units && reps > 0) m.unit_throughput_between = gap_units->record(reps);
      m.clock_hz =
          clock_of_repetitions(m.clock_probes_hz, reps, m.clock_before_hz, m.clock_after_hz);
    }
    benchmark::ClearRegisteredBenchmarks();

    if (interrupted()) {
      m.status = MeasurementStatus::interrupted;
      m.message = "interrupted while running";
      out.push_back(std::move(m));
      continue;
    }
    if (!slot.error.empty() || (reporter.failed && reporter.seconds_per_iteration.empty())) {
      m.status = MeasurementStatus::failed;
      m.message = slot.error.empty() ? "the benchmark reported an error" : slot.error;
      out.push_back(std::move(m));
      continue;
    }
    if (reporter.seconds_per_iteration.empty()) {
      m.status = MeasurementStatus::skipped;
      m.message = "filtered out by --benchmark_filter";
      out.push_back(std::move(m));
      continue;
    }
    std::vector<double> rates;
    for (double spi : reporter.seconds_per_iteration) rates.push_back(m.flop_per_iteration / spi);
    Summary sum = summarize(rates);
    m.repetition_flops = rates;
    m.median_flops = sum.median;
    m.best_flops = sum.best;
    m.cv = sum.cv;
    m.seconds_per_iteration = summarize(reporter.seconds_per_iteration).median;
    if (m.bytes_per_iteration > 0) {
      std::vector<double> bandwidths;
      for (double spi : reporter.seconds_per_iteration)
        bandwidths.push_back(m.bytes_per_iteration / spi);
      Summary bw = summarize(bandwidths);
      m.median_bytes_per_second = bw.median;
      m.best_bytes_per_second = bw.best;
      // A kernel with no FLOP (stream copy) is judged by its bandwidth: its
      // spread is the bandwidth's, not that of a column of zeros.
      if (m.flop_per_iteration <= 0) m.cv = bw.cv;
    }
    // The last copies are the repetitions' own: one before each of them.
    const size_t reps = reporter.seconds_per_iteration.size();
    slot.copy_rates = last_repetitions(slot.copy_rates, reps);
    if (!slot.copy_rates.empty())
      m.interleaved_copy = InterleavedCopy{summarize(slot.copy_rates).median,
                                           static_cast<int>(slot.copy_rates.size())};
    m.verification = slot.worst;
    m.verification.checked = slot.any_verified && m.verification.checked;
    if (slot.verified_all && slot.any_verified && m.verification.valid()) {
      m.status = MeasurementStatus::ok;
      // Flags say why a valid figure is not to be trusted as it stands.
      if (const auto before = run->rate_moments_before())
        if (auto flag =
                below_rate_before_flag(m.best_flops, *before, rate_unit(m.precision), m.clock_hz))
          m.flags.push_back(std::move(*flag));
      // Only once the kernel has let go of the cores: a library's threads
      // spin on them for a while after its last call, in a worker process
      // that ends with the run.
      run.reset();
      gap_units.reset();
      if (check_units) check_units_after(*pr.backend, pr.device, s, m);
    } else {
      m.status = MeasurementStatus::not_verified;
      m.message = m.verification.checked ? "verification failed: " + m.verification.detail
                                         : "not verified: no check ran";
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace flopscope
