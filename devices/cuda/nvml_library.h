// NVML, loaded at run time (dlopen "libnvidia-ml.so.1"): no nvml.h at build
// time, and a node without the driver's NVML still gets CUDA figures. Only the
// few functions flopscope reads are declared (nvml_library.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flopscope::cuda {

// What NVML says about one GPU, found by PCI bus id (CUDA and NVML number
// GPUs differently). Every field is optional: old drivers lack some calls.
struct NvmlReading {
  std::optional<unsigned> sm_clock_mhz, max_sm_clock_mhz;
  std::optional<unsigned> temperature_c;
  std::optional<double> power_w, power_limit_w;
  std::optional<bool> ecc_enabled;
  std::optional<uint64_t> ecc_uncorrected_volatile;
  std::optional<uint64_t> throttle_reasons;  // NVML clocks-event reason bits
  std::optional<uint16_t> pci_vendor_id, pci_device_id;
  std::string serial;
  std::string driver_version;  // the NVIDIA driver's, "580.65.06"
  nlohmann::json to_json() const;
};

// A process with a compute context on a GPU (NVML's view: any user's).
struct NvmlProcess {
  unsigned pid = 0;
  unsigned long long used_gpu_memory = 0;  // bytes; NVML reports 0 when it cannot tell
};

// Names of the throttle-reason bits set in `reasons` ("sw_power_cap", ...).
std::string throttle_reason_names(uint64_t reasons);

class NvmlLibrary {
 public:
  // The process-wide instance; loaded and initialised once.
  static NvmlLibrary& instance();
  bool available() const { return ok_; }
  const std::string& why_unavailable() const { return why_; }
  // nullopt when NVML is unavailable or does not know the bus id.
  std::optional<NvmlReading> read(const std::string& pci_bus_id) const;
  // The current SM clock only (cheap; read around every measurement).
  std::optional<unsigned> sm_clock_mhz(const std::string& pci_bus_id) const;
  // Processes with a compute context on the GPU; nullopt when NVML cannot
  // tell (no NVML, unknown bus id, an error).
  std::optional<std::vector<NvmlProcess>> compute_processes(const std::string& pci_bus_id) const;

 private:
  NvmlLibrary();
  bool ok_ = false;
  std::string why_;
};

}  // namespace flopscope::cuda
