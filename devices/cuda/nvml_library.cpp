#include "devices/cuda/nvml_library.h"

#include <dlfcn.h>

#include <cstdio>

namespace flopscope::cuda {

namespace {

// The NVML ABI pieces used here, as documented in nvml.h (CUDA 12/13 drivers).
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_opaque*;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlClockSm = 1;         // NVML_CLOCK_SM
constexpr int kNvmlTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU
constexpr int kNvmlEccUncorrected = 1;  // NVML_MEMORY_ERROR_TYPE_UNCORRECTED
constexpr int kNvmlVolatileEcc = 0;     // NVML_VOLATILE_ECC
struct NvmlPciInfo {                    // nvmlPciInfo_t (v3)
  char bus_id_legacy[16];
  unsigned domain, bus, device;
  unsigned pci_device_id;  // device id << 16 | vendor id
  unsigned pci_subsystem_id;
  char bus_id[32];
};

// nvmlProcessInfo_v1_t: what the unversioned
// nvmlDeviceGetComputeRunningProcesses fills on every driver (the _v2/_v3
// entry points take longer structs whose layout changed between releases).
struct NvmlProcessV1 {
  unsigned pid;
  unsigned long long used_gpu_memory;
};
constexpr nvmlReturn_t kNvmlInsufficientSize = 7;  // NVML_ERROR_INSUFFICIENT_SIZE

struct Api {
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*by_bus_id)(const char*, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*clock)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*max_clock)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*power_limit)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*ecc_mode)(nvmlDevice_t, int*, int*) = nullptr;
  nvmlReturn_t (*ecc_errors)(nvmlDevice_t, int, int, unsigned long long*) = nullptr;
  nvmlReturn_t (*throttle)(nvmlDevice_t, unsigned long long*) = nullptr;
  nvmlReturn_t (*serial)(nvmlDevice_t, char*, unsigned) = nullptr;
  nvmlReturn_t (*pci_info)(nvmlDevice_t, NvmlPciInfo*) = nullptr;
  nvmlReturn_t (*compute_processes)(nvmlDevice_t, unsigned*, NvmlProcessV1*) = nullptr;
  nvmlReturn_t (*driver_version)(char*, unsigned) = nullptr;
};

Api& api() {
  static Api a;
  return a;
}

template <typename F>
void bind(void* lib, F& f, const char* name) {
  f = reinterpret_cast<F>(dlsym(lib, name));
}

std::optional<nvmlDevice_t> handle(const std::string& bus_id) {
  nvmlDevice_t d = nullptr;
  if (!api().by_bus_id || api().by_bus_id(bus_id.c_str(), &d) != kNvmlSuccess) return std::nullopt;
  return d;
}

}  // namespace

std::string throttle_reason_names(uint64_t reasons) {
  // nvmlClocksEventReason* bits.
  static const std::pair<uint64_t, const char*> kBits[] = {
      {0x1, "gpu_idle"},    {0x2, "applications_clocks"}, {0x4, "sw_power_cap"},
      {0x8, "hw_slowdown"}, {0x10, "sync_boost"},         {0x20, "sw_thermal"},
      {0x40, "hw_thermal"}, {0x80, "hw_power_brake"},     {0x100, "display_clocks"}};
  std::string out;
  for (const auto& [bit, name] : kBits)
    if (reasons & bit) {
      if (!out.empty()) out += ",";
      out += name;
    }
  return out.empty() ? "none" : out;
}

nlohmann::json NvmlReading::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (sm_clock_mhz) j["sm_clock_mhz"] = *sm_clock_mhz;
  if (max_sm_clock_mhz) j["max_sm_clock_mhz"] = *max_sm_clock_mhz;
  if (temperature_c) j["temperature_c"] = *temperature_c;
  if (power_w) j["power_w"] = *power_w;
  if (power_limit_w) j["power_limit_w"] = *power_limit_w;
  if (ecc_enabled) j["ecc_enabled"] = *ecc_enabled;
  if (ecc_uncorrected_volatile) j["ecc_uncorrected_volatile"] = *ecc_uncorrected_volatile;
  if (throttle_reasons) j["throttle_reasons"] = throttle_reason_names(*throttle_reasons);
  if (!serial.empty()) j["serial"] = serial;
  if (!driver_version.empty()) j["driver_version"] = driver_version;
  return j;
}

NvmlLibrary& NvmlLibrary::instance() {
  static NvmlLibrary lib;
  return lib;
}

NvmlLibrary::NvmlLibrary() {
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    why_ = "libnvidia-ml.so.1 not found";
    return;
  }
  Api& a = api();
  bind(lib, a.init, "nvmlInit_v2");
  bind(lib, a.by_bus_id, "nvmlDeviceGetHandleByPciBusId_v2");
  bind(lib, a.clock, "nvmlDeviceGetClockInfo");
  bind(lib, a.max_clock, "nvmlDeviceGetMaxClockInfo");
  bind(lib, a.temperature, "nvmlDeviceGetTemperature");
  bind(lib, a.power, "nvmlDeviceGetPowerUsage");
  bind(lib, a.power_limit, "nvmlDeviceGetEnforcedPowerLimit");
  bind(lib, a.ecc_mode, "nvmlDeviceGetEccMode");
  bind(lib, a.ecc_errors, "nvmlDeviceGetTotalEccErrors");
  bind(lib, a.throttle, "nvmlDeviceGetCurrentClocksEventReasons");
  if (!a.throttle) bind(lib, a.throttle, "nvmlDeviceGetCurrentClocksThrottleReasons");
  bind(lib, a.serial, "nvmlDeviceGetSerial");
  bind(lib, a.pci_info, "nvmlDeviceGetPciInfo_v3");
  bind(lib, a.compute_processes, "nvmlDeviceGetComputeRunningProcesses");
  bind(lib, a.driver_version, "nvmlSystemGetDriverVersion");
  if (!a.init || !a.by_bus_id) {
    why_ = "libnvidia-ml.so.1 lacks nvmlInit_v2 or nvmlDeviceGetHandleByPciBusId_v2";
    return;
  }
  if (nvmlReturn_t r = a.init(); r != kNvmlSuccess) {
    why_ = std::string("nvmlInit_v2 failed (error ").append(std::to_string(r)) + ")";
    return;
  }
  // Never shut down: readings are taken until the process ends.
  ok_ = true;
}

std::optional<unsigned> NvmlLibrary::sm_clock_mhz(const std::string& pci_bus_id) const {
  if (!ok_ || !api().clock) return std::nullopt;
  auto d = handle(pci_bus_id);
  unsigned v = 0;
  if (!d || api().clock(*d, kNvmlClockSm, &v) != kNvmlSuccess) return std::nullopt;
  return v;
}

std::optional<NvmlReading> NvmlLibrary::read(const std::string& pci_bus_id) const {
  if (!ok_) return std::nullopt;
  auto d = handle(pci_bus_id);
  if (!d) return std::nullopt;
  const Api& a = api();
  NvmlReading r;
  unsigned u = 0;
  if (a.clock && a.clock(*d, kNvmlClockSm, &u) == kNvmlSuccess) r.sm_clock_mhz = u;
  if (a.max_clock && a.max_clock(*d, kNvmlClockSm, &u) == kNvmlSuccess) r.max_sm_clock_mhz = u;
  if (a.temperature && a.temperature(*d, kNvmlTemperatureGpu, &u) == kNvmlSuccess)
    r.temperature_c = u;
  if (a.power && a.power(*d, &u) == kNvmlSuccess) r.power_w = u / 1000.0;
  if (a.power_limit && a.power_limit(*d, &u) == kNvmlSuccess) r.power_limit_w = u / 1000.0;
  int current = 0, pending = 0;
  if (a.ecc_mode && a.ecc_mode(*d, &current, &pending) == kNvmlSuccess)
    r.ecc_enabled = current != 0;
  unsigned long long count = 0;
  if (r.ecc_enabled.value_or(false) && a.ecc_errors &&
      a.ecc_errors(*d, kNvmlEccUncorrected, kNvmlVolatileEcc, &count) == kNvmlSuccess)
    r.ecc_uncorrected_volatile = count;
  unsigned long long reasons = 0;
  if (a.throttle && a.throttle(*d, &reasons) == kNvmlSuccess) r.throttle_reasons = reasons;
  char serial[64] = {};
  if (a.serial && a.serial(*d, serial, sizeof serial) == kNvmlSuccess) r.serial = serial;
  char driver[96] = {};  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE is 80
  if (a.driver_version && a.driver_version(driver, sizeof driver) == kNvmlSuccess)
    r.driver_version = driver;
  NvmlPciInfo pci{};
  if (a.pci_info && a.pci_info(*d, &pci) == kNvmlSuccess) {
    r.pci_vendor_id = static_cast<uint16_t>(pci.pci_device_id & 0xffff);
    r.pci_device_id = static_cast<uint16_t>(pci.pci_device_id >> 16);
  }
  return r;
}

std::optional<std::vector<NvmlProcess>> NvmlLibrary::compute_processes(
    const std::string& pci_bus_id) const {
  if (!ok_ || !api().compute_processes) return std::nullopt;
  auto d = handle(pci_bus_id);
  if (!d) return std::nullopt;
  // Ask with room for many; NVML says how many when that is not enough.
  std::vector<NvmlProcessV1> buf(64);
  for (int attempt = 0; attempt < 3; ++attempt) {
    unsigned count = static_cast<unsigned>(buf.size());
    const nvmlReturn_t r = api().compute_processes(*d, &count, buf.data());
    if (r == kNvmlSuccess) {
      std::vector<NvmlProcess> out;
      for (unsigned i = 0; i < count && i < buf.size(); ++i)
        out.push_back({buf[i].pid, buf[i].used_gpu_memory});
      return out;
    }
    if (r != kNvmlInsufficientSize) return std::nullopt;
    buf.resize(static_cast<size_t>(count) + 16);
  }
  return std::nullopt;
}

}  // namespace flopscope::cuda
