// ROCm SMI, loaded at run time (dlopen librocm_smi64.so.7, .6, .5, .1, then the
// unversioned name): no rocm_smi.h at build time, and a node without it still
// gets HIP figures. Only the few functions flopscope reads are declared
// (rocm_smi_library.cpp). Every failure becomes a reason string; nothing here
// throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace flopscope::hip {

// What ROCm SMI says about one GPU, found by PCI bus id (HIP and ROCm SMI
// number GPUs differently). Every field is optional: older libraries and some
// GPUs lack some readings (MI300 has no edge temperature, for instance).
struct RocmSmiReading {
  std::optional<double> sys_clock_mhz;      // current engine (SYS) clock
  std::optional<double> max_sys_clock_mhz;  // highest SYS clock level
  std::optional<double> temperature_edge_c, temperature_junction_c;
  std::optional<double> power_w, power_cap_w;
  std::optional<uint16_t> pci_device_id;
  std::string clock_unavailable;  // why sys_clock_mhz is missing, when it is
  nlohmann::json to_json() const;
};

// ROCm SMI's 64-bit BDF id as hwloc's bus id, "0000:3b:00.0": domain in
// bits 63..32, bus 15..8, device 7..3, function 2..0. ROCm 6 puts a
// partition id in bits 31..28; it is not part of the bus id and is ignored.
std::string bus_id_from_rsmi_bdfid(uint64_t bdfid);

// The current and highest SYS clock level of an rsmi_dev_gpu_clk_freq_get
// reply (rsmi_frequencies_t, ROCm 5 or ROCm 6 layout, told apart by which
// reads as a plausible table); nullopt with *why when neither or both do.
struct SysClockLevels {
  double current_mhz = 0, highest_mhz = 0;
};
std::optional<SysClockLevels> decode_rsmi_frequencies(const void* reply, size_t bytes,
                                                      std::string* why);

class RocmSmiLibrary {
 public:
  // The process-wide instance; loaded and initialised once.
  static RocmSmiLibrary& instance();
  bool available() const { return ok_; }
  const std::string& why_unavailable() const { return why_; }
  // nullopt when ROCm SMI is unavailable or does not know the bus id.
  std::optional<RocmSmiReading> read(const std::string& pci_bus_id) const;
  // The current SYS clock only (cheap; read around every measurement).
  std::optional<double> sys_clock_mhz(const std::string& pci_bus_id) const;

  // ROCm SMI's index of the GPU with this bus id ("0000:3b:00.0"); a GPU
  // partition that ROCm SMI lists under another PCI function of the same
  // device is matched by domain, bus and device. nullopt when none.
  std::optional<uint32_t> index_of(const std::string& pci_bus_id) const;
  // The reading of one ROCm SMI index (found once by index_of).
  RocmSmiReading read_index(uint32_t index) const;
  // The current SYS clock of one index; *why says why not, *highest gets the
  // highest SYS clock level from the same reply.
  std::optional<double> sys_clock_mhz_index(uint32_t index, std::string* why = nullptr,
                                            std::optional<double>* highest = nullptr) const;

 private:
  RocmSmiLibrary();
  bool ok_ = false;
  std::string why_;
};

}  // namespace flopscope::hip
