// The sustained engine (soaks), its telemetry and drop attribution, the
// concurrent runner, pre-flight parsing and its shared-units check, the CPU sysfs sensors, and the
// clock a burst figure is set against. Kernels here are fakes whose "work" is a sleep, and sensors
// are simulated, so the tests never depend on the load or the sensors of the machine.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "devices/cpu/cpu_sensors.h"
#include "harness/backend.h"
#include "harness/burst_engine.h"
#include "harness/clock_sampler.h"
#include "harness/concurrent.h"
#include "harness/preflight.h"
#include "harness/progress.h"
#include "harness/reports.h"
#include "harness/result_schema_text.h"
#include "harness/schema_check.h"
#include "harness/sensors.h"
#include "harness/soak_report.h"
#include "harness/sustained_engine.h"
#include "harness/unit_throughput.h"
#include "harness/units.h"

using namespace flopscope;
namespace fs = std::filesystem;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One iteration is a 2 ms sleep and "does" 1e9 FLOP. Like a GPU's event
// timer, it reports its own device time (2 ms per iteration), not the host's
// wall time, so every window reads exactly 5e11 FLOP/s however loaded the
// machine is; the sleep only makes wall time pass.
class SleepRun final : public KernelRun {
 public:
  // `copy_like`: no arithmetic, 1e9 bytes per iteration (a stream copy).
  SleepRun(std::atomic<double>* first_call, bool copy_like, bool spins_after = false)
      : first_call_(first_call), copy_like_(copy_like), spins_after_(spins_after) {}
  bool cores_idle_after_run() const override { return !spins_after_; }
  bool probes_gaps() const override { return static_cast<bool>(gap); }
  GapProbe probe_gap(double chains_s) override { return gap ? gap(chains_s) : GapProbe{}; }
  std::optional<double> rate_moments_before() const override { return rate_before; }
  std::string implementation() const override { return "sleep"; }
  double flop_per_iteration() const override { return copy_like_ ? 0 : 1e9; }
  double bytes_per_iteration() const override { return copy_like_ ? 1e9 : 0; }
  double run(int64_t n) override {
    double expected = 0;
    if (first_call_) first_call_->compare_exchange_strong(expected, now_s());
    if (++calls_ == throw_on_call) throw std::runtime_error("the device fell off the bus");
    std::this_thread::sleep_for(std::chrono::duration<double>(0.002 * static_cast<double>(n)));
    // Half the rate when `slow` says so (FMA units shared at that moment).
    return 0.002 * static_cast<double>(n) * (slow && slow() ? 2.0 : 1.0);
  }
  Verification verify() override {
    Verification v;
    v.checked = true;
    v.passed = !corrupt_;
    v.tolerance = 1e-12;
    v.max_error = corrupt_ ? 1.0 : 0.0;
    v.detail = corrupt_ ? "element 7 is wrong" : "all elements";
    return v;
  }
  bool corrupt_output_for_test(int64_t) override {
    corrupt_ = true;
    return true;
  }

 private:
  std::atomic<double>* first_call_;
  bool copy_like_;
  bool spins_after_;
  bool corrupt_ = false;
  int calls_ = 0;

 public:
  int throw_on_call = 0;  // run() throws on this call (1 is the first), never at 0
  std::optional<double> rate_before;
  std::function<bool()> slow;
  std::function<GapProbe(double chains_s)> gap;  // probes_gaps() when set
};

class FakeBackend final : public Backend {
 public:
  std::string kind() const override { return "cpu"; }
  std::vector<Device> devices() override { return {}; }
  std::vector<ProblemSize> default_sizes(const Device&, KernelKind, Precision, bool) override {
    return {ProblemSize{{{"n", 1}}}};
  }
  ProblemSize size_from_user(const Device&, KernelKind, Precision,
                             const std::vector<int64_t>&) override {
    return ProblemSize{{{"n", 1}}};
  }
  std::unique_ptr<KernelRun> make_run(const Device& d, const KernelRequest& r,
                                      std::string* unsupported) override {
    if (refuse) {
      *unsupported = "fake: no such kernel";  // as real factories do, unchecked
      return nullptr;
    }
    rate_before_wanted.push_back(r.rate_before);
    auto run = std::make_unique<SleepRun>(&first_call[d.id], copy_like, spins_after_run);
    run->rate_before = rate_before;
    run->throw_on_call = run_throws_on_call;
    if (corrupt_runs) run->corrupt_output_for_test(0);
    if (r.kernel == KernelKind::peak) {
      run->slow = chains_slow;
      if (corrupt_chains) run->corrupt_output_for_test(0);
    } else if (kernel_probes_gaps) {
      // As the own GEMM's worker: its chains (5e11 FLOP/s, half while
      // chains_slow), then the brief probe's next clock.
      run->gap = [this](double chains_s) {
        KernelRun::GapProbe g;
        gap_chains_s.push_back(chains_s);
        if (chains_s > 0) g.chains_flops = chains_slow && chains_slow() ? 2.5e11 : 5e11;
        g.clock_hz = probe_clock_briefly_hz(Device{});
        return g;
      };
    }
    return run;
  }
  std::optional<double> measure_clock_hz(const Device&) override { return probe_hz; }
  bool clock_is_passive() const override { return passive; }
  // 3.0, 3.1, 3.2, ... GHz in turn, each recorded in `brief`.
  std::optional<double> probe_clock_briefly_hz(const Device&) override {
    brief.push_back(3e9 + 0.1e9 * static_cast<double>(brief.size()));
    if (every_second_probe_fails && brief.size() % 2 == 0) return std::nullopt;
    return brief.back();
  }
  std::unique_ptr<SensorSource> sensors(const Device&) override {
    return make_sensors ? make_sensors() : nullptr;
  }

  std::optional<double> probe_hz;
  bool passive = false;
  bool spins_after_run = false;           // the kernel's threads outlive its run()
  std::vector<double> brief;              // what probe_clock_briefly_hz read, in order
  bool every_second_probe_fails = false;  // the 2nd, 4th, ... brief probe: no clock
  bool copy_like = false;
  bool refuse = false;                   // make_run: nullptr, with *unsupported set
  bool corrupt_runs = false;             // every run's check fails
  std::optional<double> rate_before;     // KernelRun::rate_moments_before of every run
  std::function<bool()> chains_slow;     // the peak kernel's runs: half rate while true
  bool kernel_probes_gaps = false;       // other kernels probe their gaps themselves
  std::vector<bool> rate_before_wanted;  // KernelRequest::rate_before of each make_run
  std::vector<double> gap_chains_s;      // what each such gap probe was asked for
  bool corrupt_chains = false;           // the peak kernel's check fails
  int run_throws_on_call = 0;            // SleepRun::throw_on_call of every run
  std::function<std::unique_ptr<SensorSource>()> make_sensors;
  std::map<std::string, std::atomic<double>> first_call;
};

PlannedRun item(FakeBackend& b, const std::string& id = "cpu0") {
  Device d;
  d.id = id;
  d.kind = "cpu";
  d.name = "fake";
  b.first_call[id] = 0;
  return PlannedRun{&b, d, {KernelKind::peak, Precision::fp64, ProblemSize{{{"n", 1}}}, "", 1}};
}

SoakSettings quick(double duration = 2.0) {
  SoakSettings s;
  s.duration_s = duration;
  s.window_s = 0.25;
  s.batch_target_s = 0.02;
  s.verify_every_windows = 3;
  s.stop_requested = [] { return false; };
  return s;
}

// After 1 s: 1.5x slower, as if throttled; the script says why.
SimulatedSensorSource::Script throttle_script(const std::string& reason) {
  return [reason](double t) {
    SensorSample s;
    const bool late = t >= 1.0;
    s.clock_hz = late ? 2.0e9 : 3.0e9;
    s.temperature_c = late ? 95.0 : 60.0;
    s.power_w = 300.0;
    s.power_limit_w = 400.0;
    s.throttle = late ? std::vector<std::string>{reason} : std::vector<std::string>{};
    return s;
  };
}

double slow_after_one_second(double t) {
  return t >= 1.0 ? 1.5 : 1.0;
}

}  // namespace

TEST(Sustained, SteadyOfLeavesOutTheSettlingWindows) {
  int skip = -1;
  EXPECT_DOUBLE_EQ(steady_of({1, 10, 10, 10, 10}, 0.2, &skip), 10);
  EXPECT_EQ(skip, 1);
  EXPECT_DOUBLE_EQ(steady_of({4, 2}, 0.2, &skip), 3);  // too few to leave any out
  EXPECT_EQ(skip, 0);
  EXPECT_DOUBLE_EQ(steady_of({}, 0.2), 0);
}

TEST(Sustained, SeriesBurstSteadyAndMissingSensors) {
  FakeBackend b;
  auto pr = item(b);
  Measurement m = run_soak(pr, nullptr, quick());
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  ASSERT_TRUE(m.soak);
  const auto& s = *m.soak;
  EXPECT_EQ(s.series.size(), 8u);  // 2 s of 0.25 s windows
  for (size_t i = 1; i < s.series.size(); ++i) EXPECT_GT(s.series[i].first, s.series[i - 1].first);
  EXPECT_NEAR(s.series.back().first, 2.0, 0.2);
  EXPECT_DOUBLE_EQ(s.burst_flops, 5e11);
  EXPECT_DOUBLE_EQ(s.steady_flops, 5e11);
  EXPECT_DOUBLE_EQ(m.median_flops, s.steady_flops);
  EXPECT_NEAR(s.drop, 0, 1e-12);
  EXPECT_EQ(s.attribution["cause"], "none");
  EXPECT_GE(s.verifications, 2);  // every 3 windows, and at the end
  EXPECT_EQ(s.verification_failures, 0);
  // No sensor source and no clock probe: every channel says "missing", never 0.
  for (const char* ch : kAllChannels) {
    EXPECT_EQ(s.sensors[ch], "missing") << ch;
    EXPECT_TRUE(s.sensors["missing_why"].contains(ch)) << ch;
  }
  EXPECT_EQ(s.error_counters["status"], "missing");
  // A soak never asks for the rate moments before (the CPU GEMM would time
  // its winner once more for it).
  ASSERT_FALSE(b.rate_before_wanted.empty());
  for (bool wanted : b.rate_before_wanted) EXPECT_FALSE(wanted);
  auto j = m.to_json();
  EXPECT_EQ(j["mode"], "soak");
  EXPECT_EQ(j["series"].size(), 8u);
  EXPECT_TRUE(j["burst_flops"].is_number());
  EXPECT_TRUE(j["steady_flops"].is_number());
  EXPECT_TRUE(j["drop"].is_number());
}

TEST(Sustained, ClockProbedWhenNoSensorHasIt) {
  FakeBackend b;
  b.probe_hz = 2.5e9;
  auto pr = item(b);
  SoakSettings s = quick(1.0);
  s.clock_probe_every_windows = 2;
  Measurement m = run_soak(pr, nullptr, s);
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  const auto& clock = m.soak->sensors[kClockChannel];
  ASSERT_TRUE(clock.is_object()) << clock;
  EXPECT_DOUBLE_EQ(clock["mean"].get<double>(), 2.5e9);
  EXPECT_NE(clock["source"].get<std::string>().find("measured under load"), std::string::npos);
  ASSERT_TRUE(m.clock_hz);
  EXPECT_DOUBLE_EQ(*m.clock_hz, 2.5e9);
  EXPECT_EQ(m.soak->sensors[kTemperatureChannel], "missing");
}

TEST(Sustained, ThermalSlowdownIsMeasuredAndAttributed) {
  FakeBackend b;
  auto pr = item(b);
  SimulatedSensorSource sensors(throttle_script(kThrottleThermal));
  SoakSettings s = quick();
  s.slowdown_for_test = slow_after_one_second;
  Measurement m = run_soak(pr, &sensors, s);
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  const auto& soak = *m.soak;
  EXPECT_NEAR(soak.drop, 1.0 / 3.0, 1e-9);
  EXPECT_NEAR(soak.burst_flops / soak.series.back().second, 1.5, 1e-9);
  EXPECT_EQ(soak.attribution["cause"], "thermal") << soak.attribution;
  const std::string evidence = soak.attribution["evidence"];
  EXPECT_NE(evidence.find("temperature 60 -> 95 C"), std::string::npos) << evidence;
  EXPECT_EQ(soak.sensors[kTemperatureChannel]["max"], 95.0);
  // The windows ending at 1.0 s (4 or 5, as the sensor's clock started a
  // little before the soak's) to 2.0 s saw the reason.
  const int thermal = soak.sensors[kThrottleChannel]["counts"]["thermal"].get<int>();
  EXPECT_TRUE(thermal == 4 || thermal == 5) << thermal;
  EXPECT_TRUE(soak.sensors["missing_why"].empty());
}

TEST(Sustained, PowerCapAttributedFromReasonOrFromPowerAtLimit) {
  FakeBackend b;
  auto pr = item(b);
  SoakSettings s = quick();
  s.slowdown_for_test = slow_after_one_second;
  {
    SimulatedSensorSource sensors(throttle_script(kThrottlePowerCap));
    EXPECT_EQ(run_soak(pr, &sensors, s).soak->attribution["cause"], "power_cap");
  }
  {
    // No throttle reasons readable, but power sits at its limit late on.
    SimulatedSensorSource sensors(
        [](double t) {
          SensorSample x;
          x.power_w = t >= 1.0 ? 399.0 : 250.0;
          x.power_limit_w = 400.0;
          return x;
        },
        {{kThrottleChannel, "not readable here"}});
    auto m = run_soak(pr, &sensors, s);
    EXPECT_EQ(m.soak->attribution["cause"], "power_cap") << m.soak->attribution;
    EXPECT_EQ(m.soak->sensors[kThrottleChannel], "missing");
  }
}

TEST(Sustained, DropWithoutAReasonIsOther) {
  FakeBackend b;
  auto pr = item(b);
  SoakSettings s = quick();
  s.slowdown_for_test = slow_after_one_second;
  Measurement m = run_soak(pr, nullptr, s);
  EXPECT_EQ(m.soak->attribution["cause"], "other");
  EXPECT_NE(m.soak->attribution["evidence"].get<std::string>().find("missing"), std::string::npos);
}

// A kernel without arithmetic (stream copy) is soaked by its bandwidth: in
// FLOP/s it would read 0 and hide the slowdown.
TEST(Sustained, CopySoakFollowsBandwidth) {
  FakeBackend b;
  b.copy_like = true;
  auto pr = item(b);
  SoakSettings s = quick();
  s.slowdown_for_test = slow_after_one_second;
  Measurement m = run_soak(pr, nullptr, s);
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  const auto& soak = *m.soak;
  EXPECT_EQ(soak.unit, "B/s");
  EXPECT_NEAR(soak.drop, 1.0 / 3.0, 1e-9);
  EXPECT_NEAR(soak.burst_bytes_per_second, 5e11, 1);
  EXPECT_NEAR(soak.series.front().second, 5e11, 1);
  EXPECT_EQ(soak.attribution["cause"], "other");
  EXPECT_EQ(m.median_flops, 0);
  EXPECT_GT(m.cv, 0);  // of the bandwidth: the slowed windows differ
  EXPECT_GT(m.median_bytes_per_second, 0);
  const auto j = m.to_json();
  EXPECT_EQ(j["series_unit"], "B/s");
  EXPECT_EQ(j["steady_flops"], 0);
  EXPECT_GT(j["steady_bytes_per_second"].get<double>(), 3e11);
  std::ostringstream table;
  print_soak_table(table, {m});
  EXPECT_NE(table.str().find("500 GB/s"), std::string::npos) << table.str();
}

TEST(Sustained, FailedRecheckMarksNotVerified) {
  FakeBackend b;
  auto pr = item(b);
  SoakSettings s = quick(1.5);
  s.corrupt_before_check_for_test = 1;
  Measurement m = run_soak(pr, nullptr, s);
  EXPECT_EQ(m.status, MeasurementStatus::not_verified);
  EXPECT_FALSE(m.valid());
  EXPECT_GE(m.soak->verification_failures, 1);
  EXPECT_NE(m.message.find("element 7"), std::string::npos) << m.message;
}

TEST(Sustained, StopKeepsWhatWasMeasured) {
  FakeBackend b;
  auto pr = item(b);
  SoakSettings s = quick(10.0);
  const double t0 = now_s();
  s.stop_requested = [t0] { return now_s() - t0 > 0.6; };
  Measurement m = run_soak(pr, nullptr, s);
  EXPECT_LT(now_s() - t0, 1.5);
  EXPECT_EQ(m.status, MeasurementStatus::interrupted);
  ASSERT_TRUE(m.soak);
  EXPECT_GE(m.soak->series.size(), 1u);
  EXPECT_LT(m.soak->series.size(), 6u);
  EXPECT_GT(m.soak->burst_flops, 0);
  EXPECT_GE(m.soak->verifications, 1);  // what was measured is still checked
}

// A soak stopped before its kernel started has no figures, but the result
// and the CSV still say it was a soak, not a burst run.
TEST(Sustained, ASoakThatNeverStartedIsStillASoak) {
  FakeBackend b;
  auto pr = item(b);
  SoakSettings s = quick();
  s.stop_requested = [] { return true; };
  const Measurement m = run_soak(pr, nullptr, s);
  EXPECT_EQ(m.status, MeasurementStatus::interrupted);
  EXPECT_FALSE(m.soak);
  EXPECT_EQ(m.to_json()["mode"], "soak");
  const std::string csv = measurements_csv({m});
  const std::string row = csv.substr(csv.find('\n') + 1);
  EXPECT_NE(row.find(",soak,,,,,"), std::string::npos) << row;
  Measurement burst;
  EXPECT_EQ(burst.to_json()["mode"], "burst");
  const std::string burst_csv = measurements_csv({burst});
  EXPECT_NE(burst_csv.find(",burst,,,,,"), std::string::npos) << burst_csv;
}

// A kernel the device cannot run: the soak size probe and the soak itself
// say so, with the factory's reason, instead of crashing (a CPU FFT soak
// with BF16 among its precisions did, choosing its size).
TEST(Sustained, AnUnsupportedKernelIsReportedNotFatal) {
  FakeBackend b;
  b.refuse = true;
  auto pr = item(b);
  std::string why;
  const ProblemSize chosen =
      choose_soak_size(pr, {ProblemSize{{{"n", 2}}}, ProblemSize{{{"n", 1}}}}, 1.0, &why);
  EXPECT_EQ(chosen.get("n"), 1);    // the smallest, untried
  EXPECT_TRUE(why.empty()) << why;  // no note: the soak says unsupported
  const Measurement m = run_soak(pr, nullptr, quick());
  EXPECT_EQ(m.status, MeasurementStatus::unsupported);
  EXPECT_NE(m.message.find("fake: no such kernel"), std::string::npos) << m.message;
  EXPECT_EQ(m.to_json()["mode"], "soak");
}

TEST(Sustained, RisingErrorCountersAreFlagged) {
  FakeBackend b;
  auto pr = item(b);
  SimulatedSensorSource sensors([](double) { return SensorSample{}; }, {},
                                [](int call) {
                                  return ErrorCounters{{"ecc_uncorrected", call == 0 ? 0.0 : 2.0},
                                                       {"retired_pages", std::nullopt}};
                                });
  Measurement m = run_soak(pr, &sensors, quick(0.5));
  const auto& ec = m.soak->error_counters;
  EXPECT_EQ(ec["status"], "read");
  EXPECT_EQ(ec["increased"], nlohmann::json::array({"ecc_uncorrected"}));
  EXPECT_EQ(ec["before"]["retired_pages"], "missing");
  ASSERT_FALSE(m.flags.empty());
  EXPECT_NE(m.flags[0].find("ecc_uncorrected"), std::string::npos);
}

// A soak that fails part way keeps the telemetry of the windows that ran:
// what the sensors and error counters said up to the failure explains it,
// and the record keeps the form the result schema gives it.
TEST(Sustained, AFailedSoakKeepsItsTelemetry) {
  FakeBackend b;
  b.run_throws_on_call = 40;  // well after the first windows of 0.25 s
  auto pr = item(b);
  SimulatedSensorSource sensors(throttle_script(kThrottleThermal), {}, [](int call) {
    return ErrorCounters{{"ecc_uncorrected", call == 0 ? 0.0 : 3.0}};
  });
  const Measurement m = run_soak(pr, &sensors, quick(2.0));
  EXPECT_EQ(m.status, MeasurementStatus::failed);
  EXPECT_EQ(m.message, "the device fell off the bus");
  ASSERT_TRUE(m.soak);
  EXPECT_FALSE(m.soak->series.empty());
  EXPECT_TRUE(m.soak->sensors.is_object()) << m.soak->sensors.dump();
  EXPECT_EQ(m.soak->sensors["source"], sensors.description());
  EXPECT_TRUE(m.soak->attribution.is_object()) << m.soak->attribution.dump();
  EXPECT_EQ(m.soak->error_counters["increased"], nlohmann::json::array({"ecc_uncorrected"}));
  ASSERT_FALSE(m.flags.empty());
  EXPECT_NE(m.flags[0].find("error counters rose during the soak: ecc_uncorrected"),
            std::string::npos);
  const nlohmann::json j = m.to_json();
  for (const char* key : {"sensors", "attribution", "error_counters"})
    EXPECT_TRUE(j[key].is_object()) << key << ": " << j[key].dump();
  const auto fault = schema_fault(nlohmann::json::parse(kResultSchemaText),
                                  {{"measurements", nlohmann::json::array({j})}});
  EXPECT_FALSE(fault) << fault->pointer << ": " << fault->why;
}

TEST(Sustained, BackendSensorsAreUsedByRunSoaks) {
  FakeBackend b;
  b.make_sensors = [] {
    return std::make_unique<SimulatedSensorSource>(throttle_script(kThrottleThermal));
  };
  auto ms = run_soaks({item(b)}, quick(0.5));
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_TRUE(ms[0].soak->sensors[kClockChannel].is_object());
}

TEST(Sustained, ConcurrentDevicesRunTogether) {
  FakeBackend b;
  std::vector<PlannedRun> plan = {item(b, "cpu0"), item(b, "cuda:0"), item(b, "cuda:1")};
  std::mutex placed_lock;
  std::vector<std::string> placed;
  nlohmann::json groups;
  const double t0 = now_s();
  auto ms = run_concurrent(
      plan, quick(1.0),
      [&](const PlannedRun& pr) {
        std::lock_guard<std::mutex> g(placed_lock);
        placed.push_back(pr.device.id);
      },
      {}, &groups);
  // Together: about one soak's time, not three.
  EXPECT_LT(now_s() - t0, 2.5);
  ASSERT_EQ(ms.size(), 3u);
  for (const auto& m : ms) EXPECT_EQ(m.status, MeasurementStatus::ok) << m.device << m.message;
  EXPECT_EQ(placed.size(), 3u);
  const double a = b.first_call["cpu0"], c = b.first_call["cuda:1"];
  EXPECT_LT(std::abs(a - c), 0.2);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["devices"].size(), 3u);
  EXPECT_TRUE(groups[0]["windows_started_at_unix_s"].is_number());

  std::vector<Device> devs;
  for (const auto& pr : plan) devs.push_back(pr.device);
  auto summary = concurrent_summary(ms, devs, groups);
  EXPECT_NEAR(summary["groups"][0]["total_flops"].get<double>(), 1.5e12, 0.1e12);
  // The peak kernel stands in for the supercomputing headline of each fake device.
  EXPECT_NEAR(summary["node_total_per_class"]["supercomputing"].get<double>(), 1.5e12, 0.1e12);
  EXPECT_TRUE(summary["slowest"]["supercomputing"].is_object());
}

// The slowest device of a class is the one furthest below the peak its
// headline was judged by: that headline's own efficiency, spec clock first,
// whatever units it ran on (a GPU's FP64 FMA chains stand in on vector
// units, not on the larger matrix-unit peak).
TEST(Sustained, ConcurrentSlowestIsJudgedByTheHeadlinesEfficiency) {
  auto chains = [](const std::string& dev, double flops, std::optional<double> spec,
                   std::optional<double> clock) {
    Measurement m;
    m.device = dev;
    m.kernel = KernelKind::peak;
    m.precision = Precision::fp64;
    m.status = MeasurementStatus::ok;
    m.verification.checked = m.verification.passed = true;
    m.median_flops = flops;
    m.efficiency.spec = spec;
    m.efficiency.clock = clock;
    return m;
  };
  const std::vector<Measurement> ms = {chains("cuda:0", 30e12, 0.9, 0.95),
                                       chains("cuda:1", 31e12, std::nullopt, 0.8)};
  std::vector<Device> devs(2);
  devs[0].id = "cuda:0";
  devs[1].id = "cuda:1";
  devs[0].name = devs[1].name = "GPU";
  const auto s = concurrent_summary(ms, devs, nlohmann::json::array())["slowest"]["supercomputing"];
  EXPECT_EQ(s["device"], "cuda:1") << s;
  EXPECT_DOUBLE_EQ(s["fraction_of_peak"].get<double>(), 0.8);
  EXPECT_EQ(s["peak"], "clock");  // no spec clock known for it
}

// Two sizes of one kernel and precision (stream copy and triad) are two
// groups, each summarized with its own figures; copy by its bandwidth.
TEST(Sustained, ConcurrentSummaryKeepsEachSizeApart) {
  auto stream = [](const std::string& variant, double flops, double bps) {
    Measurement m;
    m.device = "cpu0";
    m.kernel = KernelKind::stream;
    m.size.variant = variant;
    m.size.dims = {{"elements", 1024}};
    m.status = MeasurementStatus::ok;
    m.verification.checked = m.verification.passed = true;
    m.median_flops = flops;
    m.median_bytes_per_second = bps;
    m.flop_per_iteration = variant == "copy" ? 0 : 2048;  // triad: 2 FLOP per element
    m.bytes_per_iteration = variant == "copy" ? 16384 : 24576;
    return m;
  };
  const std::vector<Measurement> ms = {stream("copy", 0, 30e9), stream("triad", 2.5e9, 36e9)};
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& m : ms)
    groups.push_back({{"kernel", "stream"},
                      {"precision", "fp64"},
                      {"variant", m.size.variant},
                      {"devices", {"cpu0"}},
                      {"sizes", {{"cpu0", m.size.label()}}}});
  Device d;
  d.id = "cpu0";
  const auto summary = concurrent_summary(ms, {d}, groups);
  EXPECT_EQ(summary["groups"][0]["per_device"]["cpu0"]["bytes_per_second"], 30e9);
  EXPECT_EQ(summary["groups"][1]["per_device"]["cpu0"]["flops"], 2.5e9);
  std::ostringstream os;
  print_concurrent_summary(os, summary);
  EXPECT_NE(os.str().find("stream fp64 copy:  cpu0 30 GB/s"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("stream fp64 triad:  cpu0 2.5 GFLOP/s"), std::string::npos) << os.str();
}

TEST(Sustained, AttributionBelowThresholdIsNone) {
  auto a = attribute_drop(0.01, 0.05, {}, {});
  EXPECT_EQ(a.cause, "none");
  a = attribute_drop(-0.2, 0.05, {}, {});  // it sped up
  EXPECT_EQ(a.cause, "none");
}

TEST(Preflight, ParsesLoadAndSteal) {
  auto l = parse_loadavg("0.83 1.23 1.25 1/85 12314\n");
  ASSERT_TRUE(l);
  EXPECT_DOUBLE_EQ(l->one, 0.83);
  EXPECT_DOUBLE_EQ(l->fifteen, 1.25);
  EXPECT_FALSE(parse_loadavg("garbage"));
  const char* a = "cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2 3 4\n";
  const char* b = "cpu  150 0 60 880 10 0 0 60 0 0\n";
  auto ta = parse_proc_stat(a), tb = parse_proc_stat(b);
  ASSERT_TRUE(ta && tb);
  EXPECT_EQ(ta->steal, 40u);
  EXPECT_EQ(ta->busy, 150u);
  EXPECT_NEAR(*steal_fraction(*ta, *tb), 20.0 / 160.0, 1e-12);
  EXPECT_FALSE(steal_fraction(*ta, *ta));
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3\n"));
}

TEST(Preflight, RecordsLoadStealSmtEnvironmentAndSeed) {
  PreflightInput in;
  in.cores = 2;
  in.pus = 2;
  in.seed = 42;
  in.steal_window_s = 0.05;
  auto p = run_preflight(in);
  EXPECT_TRUE(p.record["load"].is_object());
  EXPECT_TRUE(p.record["steal"].is_object());
  EXPECT_TRUE(p.record["smt"].contains("active"));
  EXPECT_TRUE(p.record["environment"].is_object());
  EXPECT_EQ(p.record["seed"], 42);
}

// A CPU device whose FP64 vector peak is `flop_per_cycle` at any clock: the
// fake run's 5e11 FLOP/s against 1 core x 1 GHz (the fake probe) x that.
Device cpu_with_peak(double flop_per_cycle) {
  Device d;
  d.id = "cpu0";
  d.kind = "cpu";
  d.name = "fake";
  UnitPeak u;
  u.units = 1;
  u.ops_per_cycle_per_unit = flop_per_cycle;
  d.peaks[Precision::fp64].vector = u;
  return d;
}

TEST(UnitThroughput, WarnsWhenTheChainsGetHalfThePeakAtTheClock) {
  FakeBackend b;
  b.probe_hz = 1e9;
  const Device d = cpu_with_peak(1000);  // peak 1e12 at 1 GHz
  const UnitThroughput c = check_unit_throughput(b, d, 0.02);
  ASSERT_TRUE(c.record.is_object()) << c.record;
  EXPECT_DOUBLE_EQ(c.record["flops"].get<double>(), 5e11);
  EXPECT_DOUBLE_EQ(c.record["clock_hz"].get<double>(), 1e9);
  EXPECT_DOUBLE_EQ(c.record["peak_at_clock_flops"].get<double>(), 1e12);
  EXPECT_DOUBLE_EQ(c.record["fraction"].get<double>(), 0.5);
  ASSERT_TRUE(c.warning);
  EXPECT_NE(c.warning->find("cpu0: FMA throughput on all cores at once was 50% of the peak at "
                            "the measured 1.00 GHz"),
            std::string::npos)
      << *c.warning;
}

TEST(UnitThroughput, QuietWhenTheChainsGetThePeak) {
  FakeBackend b;
  b.probe_hz = 1e9;
  const UnitThroughput c = check_unit_throughput(b, cpu_with_peak(520), 0.02);
  ASSERT_TRUE(c.record.is_object()) << c.record;
  EXPECT_NEAR(c.record["fraction"].get<double>(), 5e11 / 5.2e11, 1e-12);
  EXPECT_FALSE(c.warning);
  // Just above the threshold: still quiet; just below: a warning.
  EXPECT_FALSE(
      check_unit_throughput(b, cpu_with_peak(5e11 / 1e9 / (kSharedUnitsFraction + 0.01)), 0.02)
          .warning);
  EXPECT_TRUE(
      check_unit_throughput(b, cpu_with_peak(5e11 / 1e9 / (kSharedUnitsFraction - 0.01)), 0.02)
          .warning);
}

TEST(UnitThroughput, SaysWhyItDidNotCheck) {
  FakeBackend b;
  b.probe_hz = 1e9;
  Device no_peak = cpu_with_peak(1000);
  no_peak.peaks.clear();
  EXPECT_EQ(check_unit_throughput(b, no_peak, 0.02).record,
            "not checked: no FP64 vector peak for cpu0");

  b.probe_hz.reset();
  EXPECT_EQ(check_unit_throughput(b, cpu_with_peak(1000), 0.02).record,
            "not checked: the clock could not be measured");

  b.probe_hz = 1e9;
  EXPECT_EQ(check_unit_throughput(b, cpu_with_peak(1000), 0.02, 2).record,
            "not checked: 2 kinds of core, set against one kind's peak per core");

  b.corrupt_runs = true;  // a figure whose check failed is no evidence either way
  const UnitThroughput failed = check_unit_throughput(b, cpu_with_peak(1000), 0.02);
  EXPECT_EQ(failed.record, "not checked: the peak kernel's check failed: element 7 is wrong");
  EXPECT_FALSE(failed.warning);

  b.corrupt_runs = false;
  b.refuse = true;
  const UnitThroughput c = check_unit_throughput(b, cpu_with_peak(1000), 0.02);
  EXPECT_EQ(c.record, "not checked: fake: no such kernel");
  EXPECT_FALSE(c.warning);
}

TEST(Preflight, ChecksSharedUnitsOnCpuDevicesOnly) {
  FakeBackend b;
  b.probe_hz = 1e9;
  Device gpu = cpu_with_peak(1000);
  gpu.id = "cuda:0";
  gpu.kind = "cuda";
  PreflightInput in;
  in.steal_window_s = 0.01;
  in.unit_check_s = 0.02;
  in.devices = {{&b, cpu_with_peak(1000)}, {&b, gpu}};
  const Preflight p = run_preflight(in);
  const auto& units = p.record["unit_throughput"];
  ASSERT_TRUE(units.contains("cpu0")) << units;
  EXPECT_FALSE(units.contains("cuda:0")) << units;
  EXPECT_DOUBLE_EQ(units["cpu0"]["fraction"].get<double>(), 0.5);
  bool warned = false;
  for (const auto& w : p.warnings) warned = warned || w.rfind("cpu0: FMA throughput", 0) == 0;
  EXPECT_TRUE(warned);
  EXPECT_EQ(p.record["warnings"].size(), p.warnings.size());

  in.unit_check_s = 0;  // skipped
  EXPECT_TRUE(run_preflight(in).record["unit_throughput"].empty());
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(42), "42s");
  EXPECT_EQ(format_duration(750), "12m30s");
  EXPECT_EQ(format_duration(3725), "1h02m");
  EXPECT_EQ(format_duration(-3), "0s");
}

TEST(CpuSensors, ReadsAFakeSysfsAndNamesWhatIsMissing) {
  const fs::path root = fs::temp_directory_path() / ("flopscope-sysfs-" + std::to_string(getpid()));
  fs::remove_all(root);
  auto put = [&](const std::string& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text << "\n";
  };
  put("devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2500000");
  put("devices/system/cpu/cpu1/cpufreq/scaling_cur_freq", "3500000");
  put("class/hwmon/hwmon0/name", "nvme");
  put("class/hwmon/hwmon0/temp1_input", "30000");
  put("class/hwmon/hwmon1/name", "k10temp");
  put("class/hwmon/hwmon1/temp1_input", "61000");
  put("class/hwmon/hwmon1/temp3_input", "55000");
  put("class/powercap/intel-rapl:0/name", "package-0");
  put("class/powercap/intel-rapl:0/energy_uj", "1000000");
  put("class/powercap/intel-rapl:0/constraint_0_power_limit_uw", "280000000");
  put("devices/system/edac/mc/mc0/ce_count", "3");
  put("devices/system/edac/mc/mc0/ue_count", "0");
  auto s = cpu::make_cpu_sensors({0, 1}, root.string());
  auto missing = s->missing();
  EXPECT_EQ(missing.size(), 1u);
  EXPECT_TRUE(missing.count(kThrottleChannel));
  auto first = s->sample();
  EXPECT_DOUBLE_EQ(*first.clock_hz, 3.0e9);
  EXPECT_DOUBLE_EQ(*first.temperature_c, 61.0);
  EXPECT_FALSE(first.power_w);  // power needs two energy readings
  EXPECT_DOUBLE_EQ(*first.power_limit_w, 280.0);
  put("class/powercap/intel-rapl:0/energy_uj", "3000000");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto second = s->sample();
  ASSERT_TRUE(second.power_w);
  EXPECT_GT(*second.power_w, 0);
  auto ec = s->error_counters();
  EXPECT_DOUBLE_EQ(*ec["edac_corrected"], 3);
  EXPECT_NE(s->description().find("k10temp"), std::string::npos);

  // An empty sysfs: everything missing, with the path that was looked at.
  auto none = cpu::make_cpu_sensors({0}, (root / "empty").string());
  EXPECT_EQ(none->missing().size(), 5u);
  EXPECT_NE(none->missing()[kClockChannel].find("cpufreq"), std::string::npos);
  EXPECT_TRUE(none->error_counters().empty());
  fs::remove_all(root);
}

// A passive clock is sampled while the work runs: the median of the samples,
// not the idle readings before and after.
TEST(ClockSampler, MedianOfSamplesDuringTheRun) {
  FakeBackend b;
  Device d;
  d.id = "cuda:0";
  b.probe_hz = 1.98e9;
  ClockSampler sampler(b, d);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  const auto hz = sampler.stop();
  ASSERT_TRUE(hz.has_value());
  EXPECT_DOUBLE_EQ(*hz, 1.98e9);
  EXPECT_FALSE(sampler.stop() == std::nullopt);  // stopping twice is harmless

  b.probe_hz = std::nullopt;  // no reading at all: no clock
  ClockSampler none(b, d);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(none.stop().has_value());
}

TEST(Sustained, AttributionWordsARiseAsARise) {
  auto a = attribute_drop(-0.101, 0.05, {}, {});
  EXPECT_EQ(a.evidence, "no drop: the rate rose 10.1% from the first window to the closing ones");
  a = attribute_drop(0.03, 0.05, {}, {});
  EXPECT_EQ(a.evidence, "dropped 3.0%, within the 5% threshold");
  // A drop while the clock held: the device did not throttle, something
  // else took the time.
  std::vector<SensorSample> samples(2);
  samples[0].clock_hz = 2.878e9;
  samples[1].clock_hz = 2.911e9;
  a = attribute_drop(0.107, 0.05, samples, {});
  EXPECT_EQ(a.cause, "other");
  EXPECT_NE(a.evidence.find("clock 2.878 -> 2.911 GHz; the clock did not fall: outside load is "
                            "likely"),
            std::string::npos)
      << a.evidence;
}

// One slow second at the very end (a neighbour's burst) is not a drop: the
// closing rate is the median of the last windows.
TEST(Sustained, OneSlowClosingWindowIsNotADrop) {
  FakeBackend b;
  auto pr = item(b);
  SoakSettings s = quick();
  s.slowdown_for_test = [](double t) { return t >= 1.76 ? 1.5 : 1.0; };
  Measurement m = run_soak(pr, nullptr, s);
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  ASSERT_GE(m.soak->series.size(), 4u);
  EXPECT_LT(m.soak->series.back().second, 0.8 * m.soak->series.front().second);  // it was slow
  EXPECT_NEAR(m.soak->drop, 0, 1e-9);
  EXPECT_EQ(m.soak->attribution["cause"], "none");
}

TEST(BurstClock, MedianOfTheRepetitionsProbesAndTheOneAfter) {
  // Five probes, the first two from Google Benchmark's warm-up and trial
  // runs: only the last three (the repetitions') and the one after count.
  EXPECT_DOUBLE_EQ(*clock_of_repetitions({9e9, 9e9, 3.0e9, 3.2e9, 3.1e9}, 3, 1e9, 3.4e9), 3.15e9);
  // Fewer probes than repetitions (an interrupted series): all of them.
  EXPECT_DOUBLE_EQ(*clock_of_repetitions({3.0e9}, 3, 1e9, 3.2e9), 3.1e9);
  EXPECT_DOUBLE_EQ(*clock_of_repetitions({3.0e9, 3.3e9}, 2, std::nullopt, std::nullopt), 3.15e9);
}

TEST(BurstClock, WithoutProbesTheMeanOfBeforeAndAfter) {
  EXPECT_DOUBLE_EQ(*clock_of_repetitions({}, 3, 3.0e9, 3.4e9), 3.2e9);
  EXPECT_DOUBLE_EQ(*clock_of_repetitions({}, 3, 3.0e9, std::nullopt), 3.0e9);
  EXPECT_DOUBLE_EQ(*clock_of_repetitions({}, 3, std::nullopt, 3.4e9), 3.4e9);
  EXPECT_FALSE(clock_of_repetitions({}, 3, std::nullopt, std::nullopt));
}

// Burst settings for the fake kernel: 3 repetitions of 10 ms, no warm-up.
BurstSettings three_short_repetitions() {
  BurstSettings s;
  s.repetitions = 3;
  s.min_time_s = 0.01;
  s.warmup_time_s = 0;
  return s;
}

// One burst figure of the fake kernel, 3 repetitions; the long probe (before
// and after the series, and a passive clock's sampler) reads 9 GHz.
Measurement one_burst(FakeBackend& backend) {
  static const bool initialized = [] {
    initialize_benchmark_library("test_sustained", {});
    return true;
  }();
  (void)initialized;
  backend.probe_hz = 9e9;
  BurstSettings s = three_short_repetitions();
  const auto out = run_burst({item(backend)}, s);
  EXPECT_EQ(out.size(), 1u);
  return out.at(0);
}

TEST(BurstClock, ACpuFigureIsSetAgainstTheProbesBeforeItsRepetitions) {
  FakeBackend backend;
  const Measurement m = one_burst(backend);
  ASSERT_TRUE(m.valid()) << m.message;
  ASSERT_EQ(m.repetition_flops.size(), 3u);
  ASSERT_GE(backend.brief.size(), 3u);  // one before each repetition at least
  // The last three brief probes and the one after (9 GHz, the highest): the
  // median is the mean of the last two brief ones, not the 9 GHz around it.
  const double last = backend.brief.back();
  EXPECT_DOUBLE_EQ(*m.clock_hz, 0.5 * ((last - 0.1e9) + last));
  // The result records those three, in order.
  EXPECT_EQ(m.clock_probes_hz, std::vector<double>(backend.brief.end() - 3, backend.brief.end()));
}

// A probe that reads no clock leaves its own repetition out of the record,
// not a probe of a warm-up call in.
TEST(BurstClock, AProbeThatReadsNothingLeavesOnlyItsRepetitionOut) {
  FakeBackend backend;
  backend.every_second_probe_fails = true;
  const Measurement m = one_burst(backend);
  ASSERT_TRUE(m.valid()) << m.message;
  ASSERT_EQ(m.repetition_flops.size(), 3u);
  ASSERT_GE(backend.brief.size(), 3u);
  std::vector<double> read;  // the repetitions' probes that read a clock
  for (size_t i = backend.brief.size() - 3; i < backend.brief.size(); ++i)
    if (i % 2 == 0) read.push_back(backend.brief[i]);
  EXPECT_EQ(m.clock_probes_hz, read);
}

TEST(BurstClock, APassiveClockIsSampledNotProbedBetweenRepetitions) {
  FakeBackend backend;
  backend.passive = true;
  const Measurement m = one_burst(backend);
  ASSERT_TRUE(m.valid()) << m.message;
  EXPECT_TRUE(backend.brief.empty());
  EXPECT_EQ(*m.clock_hz, 9e9);
}

TEST(BurstClock, AKernelWhoseThreadsOutliveItsRunIsProbedOnlyAround) {
  FakeBackend backend;
  backend.spins_after_run = true;  // as a BLAS library in a worker process
  const Measurement m = one_burst(backend);
  ASSERT_TRUE(m.valid()) << m.message;
  EXPECT_TRUE(backend.brief.empty());
  EXPECT_TRUE(m.clock_probes_hz.empty());
  EXPECT_EQ(*m.clock_hz, 9e9);  // the mean of the probes before and after
}

::testing::AssertionResult starts_with(const std::string& text, const std::string& start) {
  if (text.rfind(start, 0) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not start with \"" << start << "\"";
}

// The fake kernel does 5e11 FLOP/s in every repetition. Timed at twice
// that moments before (as when the host gives two vCPUs one core's FMA
// units for the whole series), the figure is kept, verified and flagged,
// however steady its repetitions; within a quarter of it, or with nothing
// timed before, it is not flagged.
TEST(BurstDisturbance, AFigureFarBelowItsProbeIsFlaggedNotDropped) {
  FakeBackend backend;
  backend.rate_before = 1e12;
  const Measurement m = one_burst(backend);
  ASSERT_TRUE(m.valid()) << m.message;
  EXPECT_DOUBLE_EQ(m.median_flops, 5e11);
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_TRUE(starts_with(m.flags[0],
                          "best repetition at 50.0% of the 1 TFLOP/s this implementation "
                          "reached at this size moments before"));
  EXPECT_NE(m.flags[0].find("(clock "), std::string::npos) << m.flags[0];

  backend.rate_before = 6.6e11;  // the figure is 76% of it
  EXPECT_TRUE(one_burst(backend).flags.empty());
  backend.rate_before.reset();
  EXPECT_TRUE(one_burst(backend).flags.empty());
}

TEST(BurstDisturbance, TheFlagSaysHowFarBelowInTheFiguresUnit) {
  EXPECT_FALSE(below_rate_before_flag(75e9, 100e9, "FLOP/s", std::nullopt));
  EXPECT_FALSE(below_rate_before_flag(5e9, 0, "FLOP/s", std::nullopt));
  const auto flag = below_rate_before_flag(400e9, 800e9, "OP/s", 3.25e9);
  ASSERT_TRUE(flag);
  EXPECT_NE(flag->find("at 50.0% of the 800 GOP/s"), std::string::npos) << *flag;
  EXPECT_NE(flag->find("(clock 3.25 GHz during it)"), std::string::npos) << *flag;
  // Just below the line reads below it, never "75.0%".
  const auto just = below_rate_before_flag(74.996e9, 100e9, "FLOP/s", std::nullopt);
  ASSERT_TRUE(just);
  EXPECT_NE(just->find("at 74.9% of"), std::string::npos) << *just;
  EXPECT_EQ(just->find("clock"), just->find("clock fell")) << "no clock named without one";
}

// A verified CPU figure is followed by the FMA chains on its cores (the fake
// kernel's 5e11 FLOP/s at the fake probe's 9 GHz). Against a peak of 1e12
// there (half: the host gave the figure's cores half their FMA units) the
// figure is flagged and the check recorded; against 4.5e11 (the chains at
// full speed) it is recorded only. The FMA chains' own figure, and a run
// with the check off, are not followed by one.
TEST(BurstUnitCheck, AFigureFollowedByHalfTheFmaThroughputIsFlagged) {
  initialize_benchmark_library("test_sustained", {});
  FakeBackend backend;
  backend.probe_hz = 9e9;
  BurstSettings s = three_short_repetitions();
  s.unit_check_s = 0.01;
  auto gemm_on = [&](double flop_per_cycle, KernelKind kernel = KernelKind::gemm) {
    PlannedRun pr = item(backend);
    pr.device = cpu_with_peak(flop_per_cycle);
    pr.request.kernel = kernel;
    const auto out = run_burst({pr}, s);
    EXPECT_EQ(out.size(), 1u);
    return out.at(0);
  };

  const Measurement shared = gemm_on(1e12 / 9e9);
  ASSERT_TRUE(shared.valid()) << shared.message;
  ASSERT_TRUE(shared.unit_throughput_after.is_object()) << shared.unit_throughput_after;
  EXPECT_NEAR(shared.unit_throughput_after["fraction"].get<double>(), 0.5, 1e-12);
  ASSERT_EQ(shared.flags.size(), 1u);
  EXPECT_TRUE(starts_with(shared.flags[0],
                          "FMA throughput on its cores right after the series was 50% of the "
                          "peak at the measured 9.00 GHz, twice"));

  // The CSV carries the flag, quoted (it holds commas), in its last column.
  const std::string csv = measurements_csv({shared});
  EXPECT_NE(csv.find(",attribution,flags\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"FMA throughput on its cores right after"), std::string::npos) << csv;

  const Measurement quiet = gemm_on(4.5e11 / 9e9);
  EXPECT_TRUE(quiet.unit_throughput_after.is_object()) << quiet.unit_throughput_after;
  EXPECT_TRUE(quiet.flags.empty());

  // Just below the line reads below it: 56.9%, never "57%".
  const Measurement just = gemm_on(5e11 / 0.5699 / 9e9);
  ASSERT_EQ(just.flags.size(), 1u);
  EXPECT_NE(just.flags[0].find("was 56% of the peak"), std::string::npos) << just.flags[0];

  EXPECT_TRUE(gemm_on(1e12 / 9e9, KernelKind::peak).unit_throughput_after.is_null());
  // Two kinds of core: set against one kind's peak, the chains would read
  // low without sharing anything. Recorded as not checked, not flagged.
  s.core_kinds = 2;
  const Measurement hybrid = gemm_on(1e12 / 9e9);
  EXPECT_TRUE(hybrid.flags.empty());
  ASSERT_TRUE(hybrid.unit_throughput_after.is_string()) << hybrid.unit_throughput_after;
  EXPECT_TRUE(
      starts_with(hybrid.unit_throughput_after.get<std::string>(), "not checked: 2 kinds of core"));
  s.core_kinds = 1;
  s.unit_check_s = 0;
  EXPECT_TRUE(gemm_on(1e12 / 9e9).unit_throughput_after.is_null());
}

// One burst GEMM figure of the fake backend on a CPU whose FP64 vector peak
// is `flop_per_cycle` at any clock, the backend's probe records cleared.
Measurement cpu_gemm_burst(FakeBackend& backend, const BurstSettings& s, double flop_per_cycle) {
  backend.brief.clear();
  backend.gap_chains_s.clear();
  PlannedRun pr = item(backend);
  pr.device = cpu_with_peak(flop_per_cycle);
  pr.request.kernel = KernelKind::gemm;
  const auto out = run_burst({pr}, s);
  EXPECT_EQ(out.size(), 1u);
  return out.at(0);
}

// The chains also run in the gap before each repetition, right before that
// gap's clock probe (the fake's 3.0, 3.1, ... GHz), so a spell of shared
// units that covered the series and ended before the check after it is
// still seen. The fake chains do 5e11 FLOP/s, 2.5e11 while `chains_slow`:
// against 100 FLOP per cycle, 1.67 or more of the peak at those clocks, or
// half that (0.83: not low); against 200, 0.83 or 0.42 (low).
TEST(BurstUnitCheck, TheGapsBeforeTheRepetitionsAreCheckedToo) {
  initialize_benchmark_library("test_sustained", {});
  FakeBackend backend;
  backend.probe_hz = 1e9;  // the check after the series: never low here
  BurstSettings s = three_short_repetitions();
  s.unit_check_s = 0.01;
  s.gap_unit_check_s = 0.005;
  auto gemm_on = [&](double flop_per_cycle) { return cpu_gemm_burst(backend, s, flop_per_cycle); };
  auto fraction = [](const Measurement& m, size_t i) {
    return m.unit_throughput_between.at(i).at("fraction").get<double>();
  };

  // Quiet: one reading per repetition, at the clock probed right after it.
  const Measurement quiet = gemm_on(200);
  ASSERT_TRUE(quiet.valid()) << quiet.message;
  EXPECT_TRUE(quiet.flags.empty());
  ASSERT_TRUE(quiet.unit_throughput_between.is_array()) << quiet.unit_throughput_between;
  ASSERT_EQ(quiet.unit_throughput_between.size(), 3u);
  ASSERT_EQ(quiet.clock_probes_hz.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(quiet.unit_throughput_between[i]["clock_hz"].get<double>(), quiet.clock_probes_hz[i]);
    EXPECT_NEAR(fraction(quiet, i), 5e11 / (200 * quiet.clock_probes_hz[i]), 1e-9);
  }
  const size_t gaps = backend.brief.size();  // every call of the body has one

  // Slow in the gap before repetition 2 only (chains and the re-read): that
  // repetition is named, with its reading and clock.
  // (Its first window runs after gaps - 2 probes, the re-read after one more.)
  backend.chains_slow = [&] {
    return backend.brief.size() == gaps - 2 || backend.brief.size() == gaps - 1;
  };
  const Measurement one = gemm_on(200);
  ASSERT_EQ(backend.brief.size(), gaps + 1);  // the low gap probed twice
  ASSERT_EQ(one.flags.size(), 1u);
  const double clock = one.unit_throughput_between[1]["clock_hz"].get<double>();
  EXPECT_NEAR(fraction(one, 1), 2.5e11 / (200 * clock), 1e-9);
  EXPECT_TRUE(starts_with(
      one.flags[0], "FMA throughput on its cores before repetition 2 of 3 was " +
                        format_percent_down(fraction(one, 1), 0) + " of the peak at the measured " +
                        format_ghz(clock) + ", twice: "))
      << one.flags[0];

  // Slow in every gap and after the series: all named, the lowest given.
  backend.chains_slow = [] { return true; };
  backend.probe_hz = 9e9;
  const Measurement both = gemm_on(200);
  ASSERT_EQ(both.flags.size(), 1u);
  EXPECT_NE(both.flags[0].find("before repetitions 1, 2 and 3 of 3, and right after the series, "
                               "was as low as 13% of the peak at the measured 9.00 GHz, each "
                               "reading taken twice: "),
            std::string::npos)
      << both.flags[0];
  backend.probe_hz = 1e9;

  // Slow only in each gap's first window: the re-read clears it, unflagged.
  int calls = 0;
  backend.chains_slow = [&] { return ++calls % 2 == 0; };  // the make's warm-up is call 1
  const Measurement cleared = gemm_on(200);
  EXPECT_TRUE(cleared.flags.empty()) << cleared.flags[0];
  for (size_t i = 0; i < 3; ++i) EXPECT_GT(fraction(cleared, i), kSharedUnitsFraction);
  backend.chains_slow = nullptr;

  // Chains that fail their check: recorded as not checked, never a flag.
  backend.corrupt_chains = true;
  const Measurement failed = gemm_on(200);
  EXPECT_TRUE(failed.valid()) << failed.message;
  EXPECT_TRUE(failed.flags.empty());
  EXPECT_EQ(failed.unit_throughput_between,
            "not checked: the peak kernel's check failed: element 7 is wrong");
  backend.corrupt_chains = false;

  // No gap chains where the kernel's threads spin between repetitions (no
  // clock probe there either), nor with the gap check off.
  backend.spins_after_run = true;
  EXPECT_TRUE(gemm_on(200).unit_throughput_between.is_null());
  backend.spins_after_run = false;
  s.gap_unit_check_s = 0;
  EXPECT_TRUE(gemm_on(200).unit_throughput_between.is_null());
}

// A kernel whose threads outlive its run (the own GEMM in its worker) but
// that probes its gaps itself: the clock and the chains come from there, and
// are read and flagged as this process's are.
TEST(BurstUnitCheck, AKernelThatProbesItsOwnGapsIsCheckedThere) {
  initialize_benchmark_library("test_sustained", {});
  FakeBackend backend;
  backend.probe_hz = 1e9;
  backend.spins_after_run = true;
  backend.kernel_probes_gaps = true;
  BurstSettings s = three_short_repetitions();
  s.unit_check_s = 0.01;
  s.gap_unit_check_s = 0.005;
  auto gemm_on = [&](double flop_per_cycle) { return cpu_gemm_burst(backend, s, flop_per_cycle); };
  backend.chains_slow = [] { return true; };
  const Measurement m = gemm_on(200);
  ASSERT_TRUE(m.valid()) << m.message;
  ASSERT_EQ(m.clock_probes_hz.size(), 3u);  // probed in the gaps, by the kernel
  ASSERT_EQ(m.unit_throughput_between.size(), 3u) << m.unit_throughput_between;
  for (size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(m.unit_throughput_between[i]["fraction"].get<double>(),
                2.5e11 / (200 * m.clock_probes_hz[i]), 1e-9);
  // Chains in every gap; the clock alone before and after the series (the
  // kernel's threads may spin on the cores then too).
  ASSERT_GE(backend.gap_chains_s.size(), 5u);
  EXPECT_EQ(backend.gap_chains_s.front(), 0);
  EXPECT_EQ(backend.gap_chains_s.back(), 0);
  for (size_t i = 1; i + 1 < backend.gap_chains_s.size(); ++i)
    EXPECT_EQ(backend.gap_chains_s[i], 0.005);
  EXPECT_EQ(m.clock_before_hz, backend.brief.front());
  EXPECT_EQ(m.clock_after_hz, backend.brief.back());
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_TRUE(starts_with(m.flags[0], "FMA throughput on its cores before repetitions 1, 2 and 3"))
      << m.flags[0];

  // Two kinds of core: the kernel still gives the clock, never the chains.
  backend.chains_slow = nullptr;
  s.core_kinds = 2;
  const Measurement hybrid = gemm_on(200);
  EXPECT_EQ(hybrid.clock_probes_hz.size(), 3u);
  EXPECT_EQ(hybrid.unit_throughput_between,
            "not checked: 2 kinds of core, set against one kind's peak per core");
  for (double c : backend.gap_chains_s) EXPECT_EQ(c, 0);
  EXPECT_TRUE(hybrid.flags.empty());
}

// A GPU's figure is never followed by the CPU's FMA chains.
TEST(BurstUnitCheck, NotForAGpu) {
  initialize_benchmark_library("test_sustained", {});
  FakeBackend backend;
  backend.probe_hz = 9e9;
  PlannedRun pr = item(backend);
  pr.device = cpu_with_peak(1e12 / 9e9);
  pr.device.kind = "cuda";
  pr.request.kernel = KernelKind::gemm;
  BurstSettings s = three_short_repetitions();
  const auto out = run_burst({pr}, s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].unit_throughput_after.is_null());
  EXPECT_TRUE(out[0].flags.empty());
}
