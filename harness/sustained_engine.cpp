#include "harness/sustained_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "harness/interrupt.h"
#include "harness/statistics.h"

namespace flopscope {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Measurement describe(const PlannedRun& pr) {
  Measurement m;
  m.device = pr.device.id;
  m.kernel = pr.request.kernel;
  m.precision = pr.request.precision;
  m.size = pr.request.size;
  m.from_soak = true;
  return m;
}

// The state of one soak while it runs: the windows measured so far and what
// the sensors said beside them.
struct SoakState {
  std::vector<double> window_flops, window_seconds_per_iteration, window_bytes_per_second;
  std::vector<std::pair<double, double>> series;
  std::vector<SensorSample> samples;
  Verification worst;
  bool any_check = false, all_passed = true;
  int checks = 0, failures = 0;
  int first_failure_window = -1;
};

void check(KernelRun& run, const SoakSettings& s, SoakState& st, int window) {
  ++st.checks;
  if (s.corrupt_before_check_for_test == st.checks) run.corrupt_output_for_test(7);
  Verification v = run.verify();
  st.any_check = true;
  if (!v.valid()) {
    ++st.failures;
    if (st.all_passed) {
      st.worst = v;
      st.first_failure_window = window;
    }
    st.all_passed = false;
  } else if (st.all_passed && v.max_error >= st.worst.max_error) {
    st.worst = v;
  }
}

// The rate a soak ends at: the median of its closing windows (the last
// tenth, at least 3 of 4 or more), so one noisy second at the end does not
// read as a throttled device; a throttled one stays slow for all of them.
double closing_rate(const std::vector<double>& w) {
  const size_t n = w.size();
  const size_t k = n < 4 ? 1 : std::clamp<size_t>(n / 10, 3, n - 1);
  return summarize(std::vector<double>(w.end() - static_cast<std::ptrdiff_t>(k), w.end())).median;
}

// Fills the figures of `m` from the windows: steady is the headline (what
// the class summary and certify use), burst and drop beside it.
void summarize_windows(Measurement& m, SoakRecord& rec, const SoakState& st,
                       const SoakSettings& s) {
  rec.series = st.series;
  if (st.window_flops.empty()) return;
  rec.burst_flops = st.window_flops.front();
  rec.steady_flops = steady_of(st.window_flops, s.settle_fraction, &rec.settle_windows);
  if (m.bytes_per_iteration > 0) {
    rec.burst_bytes_per_second = st.window_bytes_per_second.front();
    rec.steady_bytes_per_second = steady_of(st.window_bytes_per_second, s.settle_fraction, nullptr);
  }
  // The drop of whatever the series holds (bandwidth for stream copy).
  const std::vector<double>& rate =
      m.bandwidth_only() ? st.window_bytes_per_second : st.window_flops;
  rec.unit = m.bandwidth_only() ? "B/s" : std::string(rate_unit(m.precision));
  const double closing = closing_rate(rate);
  rec.drop = rate.front() > 0 ? (rate.front() - closing) / rate.front() : 0;
  // The spread of the steady windows, of the same rate.
  std::vector<double> steady(rate.begin() + rec.settle_windows, rate.end());
  Summary sum = summarize(steady);
  m.repetition_flops = st.window_flops;
  m.median_flops = rec.steady_flops;
  m.best_flops = summarize(st.window_flops).best;
  m.cv = sum.cv;
  std::vector<double> spi(st.window_seconds_per_iteration.begin() + rec.settle_windows,
                          st.window_seconds_per_iteration.end());
  m.seconds_per_iteration = summarize(spi).median;
  if (m.bytes_per_iteration > 0 && m.seconds_per_iteration > 0) {
    m.median_bytes_per_second = m.bytes_per_iteration / m.seconds_per_iteration;
    m.best_bytes_per_second = summarize(st.window_bytes_per_second).best;
  }
}

}  // namespace

double steady_of(const std::vector<double>& w, double settle_fraction, int* settle_windows) {
  const int n = static_cast<int>(w.size());
  int skip = n < 3 ? 0 : static_cast<int>(std::floor(settle_fraction * n));
  skip = std::clamp(skip, 0, std::max(0, n - 1));
  if (settle_windows) *settle_windows = skip;
  if (n == 0) return 0;
  return summarize(std::vector<double>(w.begin() + skip, w.end())).median;
}

Measurement run_soak(const PlannedRun& pr, SensorSource* sensors, const SoakSettings& s,
                     const SoakProgressFn& progress) {
  Measurement m = describe(pr);
  auto stop = s.stop_requested ? s.stop_requested : [] { return interrupted(); };
  if (stop()) {
    m.status = MeasurementStatus::interrupted;
    m.message = "not run: interrupted";
    return m;
  }
  std::string unsupported;
  std::unique_ptr<KernelRun> run;
  try {
    std::unique_lock<std::mutex> lock;
    if (s.setup_lock) lock = std::unique_lock<std::mutex>(*s.setup_lock);
    KernelRequest request = pr.request;
    request.rate_before = false;  // a soak judges its own windows
    run = pr.backend->make_run(pr.device, request, &unsupported);
  } catch (const std::exception& e) {
    m.status = MeasurementStatus::failed;
    m.message = e.what();
    return m;
  }
  if (!run) {
    m.status = MeasurementStatus::unsupported;
    m.message = unsupported.empty() ? "unsupported" : unsupported;
    return m;
  }
  m.implementation = run->implementation();
  m.peak_unit = run->peak_unit();
  m.details = run->details();
  m.footprint = run->footprint();
  m.flop_per_iteration = run->flop_per_iteration();
  m.bytes_per_iteration = run->bytes_per_iteration();

  SoakRecord rec;
  rec.duration_s = s.duration_s;
  const int windows = std::max(1, static_cast<int>(std::llround(s.duration_s / s.window_s)));
  const double window_len = s.duration_s / windows;
  rec.window_s = window_len;

  // Telemetry: what the source lacks is recorded as missing. A clock the
  // source cannot read is probed by the backend between windows, outside
  // the timed batches (CPUs in VMs rarely expose cpufreq).
  std::map<std::string, std::string> missing;
  if (sensors) {
    missing = sensors->missing();
  } else {
    for (const char* ch : kAllChannels)
      missing[ch] = "the " + pr.backend->kind() + " backend reads no sensors on this machine";
  }
  std::map<std::string, std::string> channel_sources;
  bool probe_clock = false;
  if (missing.count(kClockChannel)) {
    m.clock_before_hz = pr.backend->measure_clock_hz(pr.device);
    if (m.clock_before_hz) {
      probe_clock = true;
      channel_sources[kClockChannel] = "measured under load by the backend's probe every " +
                                       std::to_string(s.clock_probe_every_windows) +
                                       " windows, between timed batches (" +
                                       missing[kClockChannel] + ")";
      missing.erase(kClockChannel);
    }
  }
  const ErrorCounters counters_before = sensors ? sensors->error_counters() : ErrorCounters{};
  if (sensors && !m.clock_before_hz) m.clock_before_hz = sensors->sample().clock_hz;

  SoakState st;
  bool stopped = false;
  // The telemetry of the windows that ran, a failed soak's too: what the
  // sensors and error counters said up to a failure is what explains it.
  auto record_telemetry = [&] {
    const ErrorCounters counters_after = sensors ? sensors->error_counters() : ErrorCounters{};
    rec.sensors = sensors_to_json(sensors ? sensors->description() : "none", st.samples, missing,
                                  channel_sources);
    rec.attribution = attribute_drop(rec.drop, s.drop_threshold, st.samples, missing).to_json();
    rec.error_counters = error_counters_to_json(
        counters_before, counters_after,
        sensors ? "the sensor source reads no error counters" : "no sensor source");
    const auto increased = increased_counters(counters_before, counters_after);
    if (!increased.empty()) {
      std::string names;
      for (const auto& n : increased) names += (names.empty() ? "" : ", ") + n;
      m.flags.push_back("error counters rose during the soak: " + names);
    }
  };
  try {
    // Warm-up: one iteration, not counted (first touch, library set-up,
    // clocks ramping); it also sizes the first batch.
    const double t_one = std::max(run->run(1), 1e-7);
    int64_t batch = std::clamp<int64_t>(std::llround(s.batch_target_s / t_one), 1, 1ll << 40);
    if (s.ready_to_start) s.ready_to_start();
    const auto start = Clock::now();
    for (int w = 0; w < windows && !stopped; ++w) {
      const double window_end = (w + 1) * window_len;
      int64_t iters = 0;
      double device_s = 0;
      while (seconds_since(start) < window_end) {
        if (stop()) {
          stopped = true;
          break;
        }
        double dt = run->run(batch);
        const double per = std::max(dt / static_cast<double>(batch), 1e-9);
        if (s.slowdown_for_test) dt *= s.slowdown_for_test(seconds_since(start));
        iters += batch;
        device_s += dt;
        // The next batch: about batch_target_s, and not far past the window.
        const double left = window_end - seconds_since(start);
        batch =
            std::clamp<int64_t>(std::llround(std::min(s.batch_target_s, left) / per), 1, 1ll << 40);
      }
      const double t = seconds_since(start);
      if (iters > 0 && device_s > 0) {
        const double flops = m.flop_per_iteration * static_cast<double>(iters) / device_s;
        st.window_flops.push_back(flops);
        st.window_seconds_per_iteration.push_back(device_s / static_cast<double>(iters));
        st.window_bytes_per_second.push_back(m.bytes_per_iteration * static_cast<double>(iters) /
                                             device_s);
        st.series.emplace_back(t, m.bandwidth_only() ? st.window_bytes_per_second.back() : flops);
      }
      SensorSample sample = sensors ? sensors->sample() : SensorSample{};
      sample.t = t;
      if (probe_clock && (w % std::max(1, s.clock_probe_every_windows) == 0 || w + 1 == windows))
        sample.clock_hz = pr.backend->measure_clock_hz(pr.device);
      st.samples.push_back(sample);
      if (progress)
        progress({&pr, t, s.duration_s, st.window_flops.empty() ? 0 : st.window_flops.back()});
      const bool last = w + 1 == windows || stopped;
      if (!last && (w + 1) % std::max(1, s.verify_every_windows) == 0) check(*run, s, st, w);
    }
    // The last check covers the output of the final batch, always.
    if (!st.series.empty()) check(*run, s, st, static_cast<int>(st.series.size()) - 1);
  } catch (const std::exception& e) {
    m.status = MeasurementStatus::failed;
    m.message = e.what();
    summarize_windows(m, rec, st, s);
    rec.verifications = st.checks;
    rec.verification_failures = st.failures;
    record_telemetry();
    m.soak = rec;
    return m;
  }

  summarize_windows(m, rec, st, s);
  rec.verifications = st.checks;
  rec.verification_failures = st.failures;
  record_telemetry();

  // The clock around the figure: the mean of the readings during the soak.
  std::vector<double> clocks;
  for (const auto& smp : st.samples)
    if (smp.clock_hz) clocks.push_back(*smp.clock_hz);
  if (!clocks.empty()) {
    m.clock_hz = summarize(clocks).mean;
    if (!m.clock_before_hz) m.clock_before_hz = clocks.front();
    m.clock_after_hz = clocks.back();
  } else if (m.clock_before_hz) {
    m.clock_hz = m.clock_before_hz;
  }

  m.verification = st.worst;
  m.verification.checked = st.any_check && m.verification.checked;
  const int done = static_cast<int>(st.series.size());
  if (st.any_check && !st.all_passed) {
    m.status = MeasurementStatus::not_verified;
    m.message = "verification failed in " + std::to_string(st.failures) + " of " +
                std::to_string(st.checks) + " checks (first after window " +
                std::to_string(st.first_failure_window + 1) + "): " + st.worst.detail;
  } else if (stopped) {
    m.status = MeasurementStatus::interrupted;
    m.message = "interrupted after " + std::to_string(done) + " of " + std::to_string(windows) +
                " windows; the figures cover what ran";
  } else if (!st.any_check || !m.verification.valid()) {
    m.status = MeasurementStatus::not_verified;
    m.message = "not verified: no check ran";
  } else {
    m.status = MeasurementStatus::ok;
  }
  m.soak = rec;
  return m;
}

ProblemSize choose_soak_size(const PlannedRun& item, std::vector<ProblemSize> candidates,
                             double max_iteration_s, std::string* why) {
  auto work = [](const ProblemSize& s) {
    double w = 1;
    for (const auto& [k, v] : s.dims) w *= static_cast<double>(v);
    return w;
  };
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const auto& a, const auto& b) { return work(a) < work(b); });
  if (candidates.empty()) return {};
  ProblemSize best = candidates.front();
  double best_s = 0, best_flop = 0;
  char buf[256];
  std::string text;
  for (const auto& size : candidates) {
    if (interrupted()) break;
    PlannedRun probe = item;
    probe.request.size = size;
    probe.request.rate_before = false;
    std::unique_ptr<KernelRun> run;
    // Factories set *unsupported when they return nullptr (Backend::make_run):
    // never hand them a null one (the CPU FFT's for BF16 crashed a soak).
    std::string unsupported;
    try {
      run = item.backend->make_run(item.device, probe.request, &unsupported);
    } catch (const std::exception&) {
      break;
    }
    if (!run) {
      // Nothing here runs it: the soak itself reports it unsupported.
      if (text.empty()) {
        if (why) why->clear();
        return best;
      }
      break;
    }
    const double flop = run->flop_per_iteration();
    if (best_s > 0 && best_flop > 0 && best_s * flop / best_flop > max_iteration_s) {
      std::snprintf(buf, sizeof buf, "; %s predicted %.2f s", size.label().c_str(),
                    best_s * flop / best_flop);
      text += buf;
      break;
    }
    double t = 0;
    try {
      t = run->run(1);
    } catch (const std::exception&) {
      break;
    }
    std::snprintf(buf, sizeof buf, "%s%s %.3f s", text.empty() ? "" : "; ", size.label().c_str(),
                  t);
    text += buf;
    if (t > max_iteration_s && best_s > 0) break;
    best = size;
    best_s = t;
    best_flop = flop;
    if (t > max_iteration_s) break;
  }
  if (why) {
    std::snprintf(buf, sizeof buf, " per iteration (at most %.2f s fits)", max_iteration_s);
    *why = "soak size " + best.label() + ": " + text + buf;
  }
  return best;
}

std::unique_ptr<SensorSource> make_sensors(const PlannedRun& pr) {
  try {
    return pr.backend->sensors(pr.device);
  } catch (const std::exception&) {
    // A sensor library that fails leaves the channels missing, not the soak failed.
    return nullptr;
  }
}

std::vector<Measurement> run_soaks(const std::vector<PlannedRun>& plan, const SoakSettings& s,
                                   const SoakProgressFn& progress) {
  std::vector<Measurement> out;
  for (const auto& pr : plan) {
    auto sensors = make_sensors(pr);
    out.push_back(run_soak(pr, sensors.get(), s, progress));
  }
  return out;
}

}  // namespace flopscope
