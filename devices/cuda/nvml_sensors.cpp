#include "devices/cuda/nvml_sensors.h"

#include <algorithm>
#include <optional>

#include "devices/cuda/nvml_library.h"

namespace flopscope::cuda {

std::vector<std::string> nvml_throttle_classes(uint64_t reasons) {
  // nvmlClocksEventReason*: sw/hw thermal slowdown -> thermal; software power
  // cap and the external power brake -> power cap; hw_slowdown (thermal or
  // power, the driver does not say which) -> other.
  constexpr uint64_t kThermal = 0x20 | 0x40, kPower = 0x4 | 0x80, kOther = 0x8;
  std::vector<std::string> out;
  if (reasons & kThermal) out.push_back(kThrottleThermal);
  if (reasons & kPower) out.push_back(kThrottlePowerCap);
  if (reasons & kOther) out.push_back(kThrottleOther);
  return out;
}

namespace {

class NvmlSensors final : public SensorSource {
 public:
  explicit NvmlSensors(std::string pci_bus_id) : bus_id_(std::move(pci_bus_id)) {
    const NvmlLibrary& nvml = NvmlLibrary::instance();
    std::optional<NvmlReading> r;
    std::string why;
    if (!nvml.available())
      why = "NVML unavailable: " + nvml.why_unavailable();
    else if (!(r = nvml.read(bus_id_)))
      why = "NVML does not know bus id " + bus_id_;
    if (!r) {
      for (const char* channel : kAllChannels) missing_[channel] = why;
      return;
    }
    // A channel the first reading lacks is taken to be absent on this GPU.
    if (!r->sm_clock_mhz) missing_[kClockChannel] = "NVML reads no SM clock";
    if (!r->temperature_c) missing_[kTemperatureChannel] = "NVML reads no temperature";
    if (!r->power_w) missing_[kPowerChannel] = "NVML reads no power";
    if (!r->power_limit_w) missing_[kPowerLimitChannel] = "NVML reads no power limit";
    if (!r->throttle_reasons) missing_[kThrottleChannel] = "NVML reads no clocks-event reasons";
    readable_ = true;
  }

  std::string description() const override {
    return "NVML: SM clock, GPU temperature, power, power limit, clocks-event reasons, "
           "uncorrected ECC";
  }
  std::map<std::string, std::string> missing() const override { return missing_; }

  SensorSample sample() override {
    SensorSample s;
    if (!readable_) return s;
    const auto r = NvmlLibrary::instance().read(bus_id_);
    if (!r) return s;
    if (r->sm_clock_mhz) s.clock_hz = *r->sm_clock_mhz * 1e6;
    if (r->temperature_c) s.temperature_c = *r->temperature_c;
    s.power_w = r->power_w;
    s.power_limit_w = r->power_limit_w;
    if (r->throttle_reasons) {
      s.throttle = nvml_throttle_classes(*r->throttle_reasons);
      s.throttle_detail = throttle_reason_names(*r->throttle_reasons);
    }
    return s;
  }

  ErrorCounters error_counters() override {
    if (!readable_) return {};
    const auto r = NvmlLibrary::instance().read(bus_id_);
    ErrorCounters c;
    c["ecc_uncorrected_volatile"] =
        r && r->ecc_uncorrected_volatile
            ? std::optional<double>(static_cast<double>(*r->ecc_uncorrected_volatile))
            : std::nullopt;
    return c;
  }

 private:
  std::string bus_id_;
  bool readable_ = false;
  std::map<std::string, std::string> missing_;
};

}  // namespace

std::unique_ptr<SensorSource> make_nvml_sensors(const std::string& pci_bus_id) {
  return std::make_unique<NvmlSensors>(pci_bus_id);
}

}  // namespace flopscope::cuda
