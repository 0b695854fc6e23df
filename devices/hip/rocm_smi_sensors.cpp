#include "devices/hip/rocm_smi_sensors.h"

#include <optional>

#include "devices/hip/rocm_smi_library.h"

namespace flopscope::hip {

namespace {

constexpr const char* kThrottleNotRead =
    "throttle status not read (ROCm SMI gives it only in gpu_metrics, whose layout varies)";

class RocmSmiSensors final : public SensorSource {
 public:
  explicit RocmSmiSensors(const std::string& pci_bus_id) {
    const RocmSmiLibrary& smi = RocmSmiLibrary::instance();
    std::string why;
    if (!smi.available()) {
      why = "ROCm SMI unavailable: " + smi.why_unavailable();
    } else {
      index_ = smi.index_of(pci_bus_id);
      if (!index_) why = "ROCm SMI does not know bus id " + pci_bus_id;
    }
    if (!index_) {
      for (const char* channel : kAllChannels) missing_[channel] = why;
      missing_[kThrottleChannel] = kThrottleNotRead;
      return;
    }
    // A channel the first reading lacks is taken to be absent on this GPU.
    const RocmSmiReading r = smi.read_index(*index_);
    if (!r.sys_clock_mhz) missing_[kClockChannel] = "ROCm SMI: " + r.clock_unavailable;
    if (!r.temperature_junction_c && !r.temperature_edge_c)
      missing_[kTemperatureChannel] = "ROCm SMI reads neither junction nor edge temperature";
    if (!r.power_w) missing_[kPowerChannel] = "ROCm SMI reads no power";
    if (!r.power_cap_w) missing_[kPowerLimitChannel] = "ROCm SMI reads no power cap";
    missing_[kThrottleChannel] = kThrottleNotRead;
  }

  std::string description() const override {
    return "ROCm SMI: SYS clock, junction (else edge) temperature, power, power cap";
  }
  std::map<std::string, std::string> missing() const override { return missing_; }

  SensorSample sample() override {
    SensorSample s;
    if (!index_) return s;
    const RocmSmiReading r = RocmSmiLibrary::instance().read_index(*index_);
    if (r.sys_clock_mhz) s.clock_hz = *r.sys_clock_mhz * 1e6;
    s.temperature_c = r.temperature_junction_c ? r.temperature_junction_c : r.temperature_edge_c;
    s.power_w = r.power_w;
    s.power_limit_w = r.power_cap_w;
    return s;  // throttle stays nullopt: not read
  }

 private:
  std::optional<uint32_t> index_;
  std::map<std::string, std::string> missing_;
};

}  // namespace

std::unique_ptr<SensorSource> make_rocm_smi_sensors(const std::string& pci_bus_id) {
  return std::make_unique<RocmSmiSensors>(pci_bus_id);
}

}  // namespace flopscope::hip
