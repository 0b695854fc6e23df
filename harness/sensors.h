// Telemetry sampled beside a soak: clock, temperature, power, power limit,
// throttle reasons, and error counters read before and after. Each device
// backend supplies a SensorSource (Backend::sensors); a simulated source
// stands in for tests. A channel a source cannot read is reported as
// "missing" with the reason, never as zero.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace flopscope {

// Channel names, as they appear in the result file.
inline constexpr const char* kClockChannel = "clock_hz";
inline constexpr const char* kTemperatureChannel = "temperature_c";
inline constexpr const char* kPowerChannel = "power_w";
inline constexpr const char* kPowerLimitChannel = "power_limit_w";
inline constexpr const char* kThrottleChannel = "throttle_reasons";
inline constexpr const char* kAllChannels[] = {kClockChannel, kTemperatureChannel, kPowerChannel,
                                               kPowerLimitChannel, kThrottleChannel};

// Throttle reasons, as sources report them. Vendor reasons map onto these
// (NVML SW/HW power cap and power brake -> power_cap; SW/HW thermal
// slowdown -> thermal; anything else -> other, with the vendor's word in
// throttle_detail).
inline constexpr const char* kThrottlePowerCap = "power_cap";
inline constexpr const char* kThrottleThermal = "thermal";
inline constexpr const char* kThrottleOther = "other";

struct SensorSample {
  double t = 0;  // seconds since the soak began (the engine sets it)
  std::optional<double> clock_hz, temperature_c, power_w, power_limit_w;
  std::optional<std::vector<std::string>> throttle;  // nullopt: not read
  std::string throttle_detail;                       // the vendor's own words
};

// Error counters by name (ecc_corrected, ecc_uncorrected, retired_pages,
// xid, edac_ce, ...); nullopt: the counter exists but could not be read.
using ErrorCounters = std::map<std::string, std::optional<double>>;

class SensorSource {
 public:
  virtual ~SensorSource() = default;
  // What is read and from where: "sysfs: cpufreq, hwmon k10temp, RAPL package-0".
  virtual std::string description() const = 0;
  // Channels this source cannot read, each with the reason.
  virtual std::map<std::string, std::string> missing() const = 0;
  // One reading of every channel it has. Cheap (microseconds to a
  // millisecond): the engine calls it between timed batches.
  virtual SensorSample sample() = 0;
  // Empty when the device gives no error counters at all.
  virtual ErrorCounters error_counters() { return {}; }
};

// Test seam: a source whose readings follow a script of the time since it
// was made, so tests of telemetry and throttling never depend on the luck of
// the machine.
class SimulatedSensorSource final : public SensorSource {
 public:
  using Script = std::function<SensorSample(double elapsed_s)>;
  using CounterScript = std::function<ErrorCounters(int call)>;
  explicit SimulatedSensorSource(Script script, std::map<std::string, std::string> missing = {},
                                 CounterScript counters = {});
  std::string description() const override { return "simulated (test seam)"; }
  std::map<std::string, std::string> missing() const override { return missing_; }
  SensorSample sample() override;
  ErrorCounters error_counters() override;

 private:
  Script script_;
  std::map<std::string, std::string> missing_;
  CounterScript counters_;
  int counter_calls_ = 0;
  double start_s_;
};

// Why a soak lost speed, from what the sensors said while it did.
struct Attribution {
  std::string cause;     // "none", "power_cap", "thermal", "other"
  std::string evidence;  // what the sensors showed, in words
  nlohmann::json to_json() const;
};

// `drop` is (first - last) / first of the FLOP/s windows; below `threshold`
// there is nothing to attribute. `samples` are the readings beside the soak.
Attribution attribute_drop(double drop, double threshold, const std::vector<SensorSample>& samples,
                           const std::map<std::string, std::string>& missing);

// The "sensors" object of a soaked measurement: per channel a summary and
// its series, or "missing"; "missing_why" gives the reasons.
nlohmann::json sensors_to_json(const std::string& description,
                               const std::vector<SensorSample>& samples,
                               const std::map<std::string, std::string>& missing,
                               const std::map<std::string, std::string>& channel_sources = {});

// The "error_counters" object: before, after and the names that rose;
// "missing" when the source has none.
nlohmann::json error_counters_to_json(const ErrorCounters& before, const ErrorCounters& after,
                                      const std::string& why_missing);
std::vector<std::string> increased_counters(const ErrorCounters& before,
                                            const ErrorCounters& after);

}  // namespace flopscope
