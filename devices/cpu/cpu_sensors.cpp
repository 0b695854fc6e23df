#include "devices/cpu/cpu_sensors.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace flopscope::cpu {

namespace {

namespace fs = std::filesystem;

std::optional<double> read_number(const fs::path& p) {
  std::ifstream in(p);
  double v;
  if (in >> v) return v;
  return std::nullopt;
}

std::string read_word(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  in >> s;
  return s;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// hwmon drivers that report the CPU package or die temperature.
const std::set<std::string> kCpuHwmon = {"k10temp",     "coretemp",    "zenpower",
                                         "cpu_thermal", "soc_thermal", "x86_pkg_temp"};

class SysfsCpuSensors final : public SensorSource {
 public:
  SysfsCpuSensors(std::vector<int> pus, const std::string& root) : pus_(std::move(pus)) {
    const fs::path sys(root);
    const fs::path cpus = sys / "devices/system/cpu";
    if (pus_.empty()) pus_ = {0};
    for (int pu : pus_) {
      auto f = cpus / ("cpu" + std::to_string(pu)) / "cpufreq/scaling_cur_freq";
      if (fs::exists(f)) freq_files_.push_back(f);
      auto t = cpus / ("cpu" + std::to_string(pu)) / "thermal_throttle";
      for (const char* name : {"core_throttle_count", "package_throttle_count"})
        if (fs::exists(t / name)) throttle_files_.push_back(t / name);
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(sys / "class/hwmon", ec)) {
      const std::string name = read_word(e.path() / "name");
      if (!kCpuHwmon.count(name)) continue;
      for (const auto& f : fs::directory_iterator(e.path(), ec)) {
        const std::string fn = f.path().filename();
        if (fn.rfind("temp", 0) == 0 && fn.size() > 6 &&
            fn.compare(fn.size() - 6, 6, "_input") == 0)
          temp_files_.push_back(f.path());
      }
      if (!temp_files_.empty()) {
        hwmon_name_ = name;
        break;
      }
    }
    for (const auto& e : fs::directory_iterator(sys / "class/powercap", ec)) {
      const std::string fn = e.path().filename();
      // Top-level package zones only ("intel-rapl:0"), not sub-zones ("intel-rapl:0:1").
      if (fn.find(':') == std::string::npos || fn.find(':') != fn.rfind(':')) continue;
      if (read_word(e.path() / "name").rfind("package", 0) != 0) continue;
      if (read_number(e.path() / "energy_uj")) rapl_.push_back({e.path(), 0, 0, 0});
    }
    for (const auto& e : fs::directory_iterator(sys / "devices/system/edac/mc", ec))
      if (fs::exists(e.path() / "ce_count")) edac_.push_back(e.path());

    if (freq_files_.empty())
      missing_[kClockChannel] = "no cpufreq (" + (cpus / "cpuN/cpufreq").string() + ")";
    if (temp_files_.empty())
      missing_[kTemperatureChannel] =
          "no CPU hwmon driver (k10temp, coretemp, zenpower) in " + (sys / "class/hwmon").string();
    if (rapl_.empty()) {
      missing_[kPowerChannel] =
          "no readable RAPL package zone in " + (sys / "class/powercap").string();
      missing_[kPowerLimitChannel] = missing_[kPowerChannel];
    }
    if (throttle_files_.empty())
      missing_[kThrottleChannel] = "no thermal_throttle counters (" +
                                   (cpus / "cpuN/thermal_throttle").string() + ", Intel only)";
  }

  std::string description() const override {
    std::string s = "sysfs:";
    s += freq_files_.empty() ? "" : " cpufreq";
    s += hwmon_name_.empty() ? "" : " hwmon " + hwmon_name_;
    s += rapl_.empty() ? "" : " RAPL";
    s += throttle_files_.empty() ? "" : " thermal_throttle";
    s += edac_.empty() ? "" : " EDAC";
    return s == "sysfs:" ? "sysfs: no CPU sensors found" : s;
  }
  std::map<std::string, std::string> missing() const override { return missing_; }

  SensorSample sample() override {
    SensorSample s;
    double sum = 0;
    int n = 0;
    for (const auto& f : freq_files_)
      if (auto v = read_number(f)) {
        sum += *v * 1e3;  // kHz
        ++n;
      }
    if (n) s.clock_hz = sum / n;
    for (const auto& f : temp_files_)
      if (auto v = read_number(f))
        s.temperature_c = std::max(s.temperature_c.value_or(-1e9), *v / 1e3);
    const double t = now_s();
    double watts = 0, limit = 0;
    bool have_power = false, have_limit = false;
    for (auto& z : rapl_) {
      auto e = read_number(z.path / "energy_uj");
      if (!e) continue;
      if (z.last_t > 0 && t > z.last_t) {
        double de = *e - z.last_uj;
        if (de < 0) de += read_number(z.path / "max_energy_range_uj").value_or(0);  // wrapped
        watts += de / 1e6 / (t - z.last_t);
        have_power = true;
      }
      z.last_uj = *e;
      z.last_t = t;
      if (auto l = read_number(z.path / "constraint_0_power_limit_uw")) {
        limit += *l / 1e6;
        have_limit = true;
      }
    }
    if (have_power) s.power_w = watts;
    if (have_limit) s.power_limit_w = limit;
    if (!throttle_files_.empty()) {
      double total = 0;
      for (const auto& f : throttle_files_) total += read_number(f).value_or(0);
      std::vector<std::string> reasons;
      if (last_throttle_ && total > *last_throttle_) reasons.push_back(kThrottleThermal);
      last_throttle_ = total;
      s.throttle = reasons;
    }
    return s;
  }

  ErrorCounters error_counters() override {
    if (edac_.empty()) return {};
    std::optional<double> ce = 0, ue = 0;
    for (const auto& mc : edac_) {
      auto c = read_number(mc / "ce_count"), u = read_number(mc / "ue_count");
      ce = ce && c ? std::optional<double>(*ce + *c) : std::nullopt;
      ue = ue && u ? std::optional<double>(*ue + *u) : std::nullopt;
    }
    return {{"edac_corrected", ce}, {"edac_uncorrected", ue}};
  }

 private:
  struct Zone {
    fs::path path;
    double last_uj, last_t, unused;
  };
  std::vector<int> pus_;
  std::vector<fs::path> freq_files_, temp_files_, throttle_files_, edac_;
  std::vector<Zone> rapl_;
  std::string hwmon_name_;
  std::optional<double> last_throttle_;
  std::map<std::string, std::string> missing_;
};

}  // namespace

std::unique_ptr<SensorSource> make_cpu_sensors(std::vector<int> pus, const std::string& sysfs) {
  return std::make_unique<SysfsCpuSensors>(std::move(pus), sysfs);
}

}  // namespace flopscope::cpu
