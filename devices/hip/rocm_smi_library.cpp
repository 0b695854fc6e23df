#include "devices/hip/rocm_smi_library.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "devices/topology/topology.h"

// Not needed to build; when the header is installed, the declarations below
// are checked against it.
#if defined(__has_include)
#if __has_include(<rocm_smi/rocm_smi.h>)
#include <rocm_smi/rocm_smi.h>
#define FLOPSCOPE_HAVE_ROCM_SMI_H 1
#endif
#endif

namespace flopscope::hip {

namespace {

// The ROCm SMI ABI pieces used here, as rocm_smi.h documents them in ROCm 5.x
// and 6.x. Enum parameters are 32-bit in both (their largest enumerator is
// 0xFFFFFFFF), so they are declared as uint32_t.
using rsmi_status = uint32_t;
constexpr rsmi_status kRsmiSuccess = 0;
constexpr uint32_t kRsmiClkTypeSys = 0;        // RSMI_CLK_TYPE_SYS
constexpr uint32_t kRsmiTempTypeEdge = 0;      // RSMI_TEMP_TYPE_EDGE
constexpr uint32_t kRsmiTempTypeJunction = 1;  // RSMI_TEMP_TYPE_JUNCTION
constexpr uint32_t kRsmiTempCurrent = 0;       // RSMI_TEMP_CURRENT

// rsmi_frequencies_t changed in ROCm 6.0: a leading bool has_deep_sleep, and
// 33 levels instead of 32. Neither the soname nor rsmi_version_get tells
// which a library has (Debian's ROCm 5.2 build is librocm_smi64.so.1 and
// reports version 1.0.0), so the library is handed a zeroed buffer larger
// than either and the reply is decoded both ways: only one can be a
// plausible table (read the other way, a level count lands on a frequency in
// Hz, or a bool and padding on the level count), and a reply plausible both
// ways or neither is not used.
struct RsmiFrequenciesV5 {
  uint32_t num_supported;
  uint32_t current;
  uint64_t frequency[32];
};
struct RsmiFrequenciesV6 {
  bool has_deep_sleep;
  uint32_t num_supported;
  uint32_t current;
  uint64_t frequency[33];
};
static_assert(sizeof(RsmiFrequenciesV5) == 264 && sizeof(RsmiFrequenciesV6) == 280);
struct alignas(8) FrequencyBuffer {
  unsigned char bytes[512];
};

struct Api {
  rsmi_status (*init)(uint64_t) = nullptr;
  rsmi_status (*shut_down)() = nullptr;
  rsmi_status (*num_devices)(uint32_t*) = nullptr;
  rsmi_status (*pci_id)(uint32_t, uint64_t*) = nullptr;
  rsmi_status (*device_id)(uint32_t, uint16_t*) = nullptr;
  rsmi_status (*temperature)(uint32_t, uint32_t, uint32_t, int64_t*) = nullptr;
  rsmi_status (*power_ave)(uint32_t, uint32_t, uint64_t*) = nullptr;
  rsmi_status (*power)(uint32_t, uint64_t*, uint32_t*) = nullptr;  // ROCm 6 and later
  rsmi_status (*power_cap)(uint32_t, uint32_t, uint64_t*) = nullptr;
  rsmi_status (*clock)(uint32_t, uint32_t, FrequencyBuffer*) = nullptr;
};

#ifdef FLOPSCOPE_HAVE_ROCM_SMI_H
static_assert(sizeof(rsmi_status_t) == sizeof(rsmi_status));
static_assert(sizeof(rsmi_clk_type_t) == 4 && sizeof(rsmi_temperature_metric_t) == 4);
static_assert(RSMI_CLK_TYPE_SYS == kRsmiClkTypeSys && RSMI_TEMP_CURRENT == kRsmiTempCurrent);
static_assert(RSMI_TEMP_TYPE_EDGE == kRsmiTempTypeEdge &&
              RSMI_TEMP_TYPE_JUNCTION == kRsmiTempTypeJunction);
static_assert(sizeof(rsmi_frequencies_t) == (RSMI_MAX_NUM_FREQUENCIES == 32
                                                 ? sizeof(RsmiFrequenciesV5)
                                                 : sizeof(RsmiFrequenciesV6)));
static_assert(sizeof(rsmi_frequencies_t) <= sizeof(FrequencyBuffer));
static_assert(
    std::is_same_v<decltype(&::rsmi_dev_pci_id_get), rsmi_status_t (*)(uint32_t, uint64_t*)>);
static_assert(std::is_same_v<decltype(&::rsmi_dev_power_cap_get),
                             rsmi_status_t (*)(uint32_t, uint32_t, uint64_t*)>);
static_assert(std::is_same_v<decltype(&::rsmi_dev_power_ave_get),
                             rsmi_status_t (*)(uint32_t, uint32_t, uint64_t*)>);
static_assert(std::is_same_v<decltype(&::rsmi_init), rsmi_status_t (*)(uint64_t)>);
static_assert(std::is_same_v<decltype(&::rsmi_dev_id_get), rsmi_status_t (*)(uint32_t, uint16_t*)>);
static_assert(
    std::is_same_v<decltype(&::rsmi_dev_temp_metric_get),
                   rsmi_status_t (*)(uint32_t, uint32_t, rsmi_temperature_metric_t, int64_t*)>);
static_assert(std::is_same_v<decltype(&::rsmi_num_monitor_devices), rsmi_status_t (*)(uint32_t*)>);
#endif

Api& api() {
  static Api a;
  return a;
}

template <typename F>
void bind(void* lib, F& f, const char* name) {
  f = reinterpret_cast<F>(dlsym(lib, name));
}

// A frequency table: 1 to all levels, the current one among them, every
// level between 1 MHz and 10 GHz (the values are in Hz).
template <typename Layout>
bool plausible(const Layout& f) {
  constexpr uint32_t kLevels = sizeof(f.frequency) / sizeof(f.frequency[0]);
  if (f.num_supported == 0 || f.num_supported > kLevels || f.current >= f.num_supported)
    return false;
  for (uint32_t i = 0; i < f.num_supported; ++i)
    if (f.frequency[i] < 1'000'000 || f.frequency[i] > 10'000'000'000ULL) return false;
  return true;
}

template <typename Layout>
SysClockLevels clock_of(const Layout& f) {
  SysClockLevels c;
  c.current_mhz = static_cast<double>(f.frequency[f.current]) / 1e6;
  for (uint32_t i = 0; i < f.num_supported; ++i)
    c.highest_mhz = std::max(c.highest_mhz, static_cast<double>(f.frequency[i]) / 1e6);
  return c;
}

// Domain, bus and device of a bus id, without the function.
std::string without_function(const std::string& bus_id) {
  return bus_id.substr(0, bus_id.rfind('.'));
}

}  // namespace

std::string bus_id_from_rsmi_bdfid(uint64_t bdfid) {
  char s[32];
  std::snprintf(s, sizeof s, "%04x:%02x:%02x.%x", static_cast<unsigned>(bdfid >> 32),
                static_cast<unsigned>((bdfid >> 8) & 0xff),
                static_cast<unsigned>((bdfid >> 3) & 0x1f), static_cast<unsigned>(bdfid & 0x7));
  return s;
}

std::optional<SysClockLevels> decode_rsmi_frequencies(const void* reply, size_t bytes,
                                                      std::string* why) {
  FrequencyBuffer buffer{};
  std::memcpy(buffer.bytes, reply, std::min(bytes, sizeof buffer.bytes));
  RsmiFrequenciesV5 v5;
  RsmiFrequenciesV6 v6;
  std::memcpy(&v5, buffer.bytes, sizeof v5);
  std::memcpy(&v6, buffer.bytes, sizeof v6);
  const bool as_v5 = plausible(v5), as_v6 = plausible(v6);
  if (as_v5 != as_v6) return as_v5 ? clock_of(v5) : clock_of(v6);
  if (why)
    *why = as_v5 ? "ROCm SMI's SYS clock table reads two ways (ROCm 5 and 6 layouts)"
                 : "ROCm SMI's SYS clock table is in neither the ROCm 5 nor the ROCm 6 layout";
  return std::nullopt;
}

nlohmann::json RocmSmiReading::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (sys_clock_mhz)
    j["sys_clock_mhz"] = *sys_clock_mhz;
  else if (!clock_unavailable.empty())
    j["sys_clock_mhz"] = "unavailable: " + clock_unavailable;
  if (max_sys_clock_mhz) j["max_sys_clock_mhz"] = *max_sys_clock_mhz;
  if (temperature_edge_c) j["temperature_edge_c"] = *temperature_edge_c;
  if (temperature_junction_c) j["temperature_junction_c"] = *temperature_junction_c;
  if (power_w) j["power_w"] = *power_w;
  if (power_cap_w) j["power_cap_w"] = *power_cap_w;
  if (pci_device_id) {
    char id[8];
    std::snprintf(id, sizeof id, "%04x", *pci_device_id);
    j["pci_device_id"] = id;
  }
  // Throttle status lives only in gpu_metrics, whose layout changes with
  // every firmware format revision: not read rather than misread.
  j["throttle_status"] = "not read";
  return j;
}

RocmSmiLibrary& RocmSmiLibrary::instance() {
  static RocmSmiLibrary lib;
  return lib;
}

RocmSmiLibrary::RocmSmiLibrary() {
  // Newest first: ROCm 6.1+ ships .so.7, 6.0 .so.6, 5.x .so.5; the bare name
  // is a development symlink.
  void* lib = nullptr;
  for (const char* name : {"librocm_smi64.so.7", "librocm_smi64.so.6", "librocm_smi64.so.5",
                           "librocm_smi64.so.1", "librocm_smi64.so"}) {
    lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib) break;
  }
  if (!lib) {
    why_ = "librocm_smi64.so not found";
    return;
  }
  Api& a = api();
  bind(lib, a.init, "rsmi_init");
  bind(lib, a.shut_down, "rsmi_shut_down");
  bind(lib, a.num_devices, "rsmi_num_monitor_devices");
  bind(lib, a.pci_id, "rsmi_dev_pci_id_get");
  bind(lib, a.device_id, "rsmi_dev_id_get");
  bind(lib, a.temperature, "rsmi_dev_temp_metric_get");
  bind(lib, a.power_ave, "rsmi_dev_power_ave_get");
  bind(lib, a.power, "rsmi_dev_power_get");
  bind(lib, a.power_cap, "rsmi_dev_power_cap_get");
  bind(lib, a.clock, "rsmi_dev_gpu_clk_freq_get");
  if (!a.init || !a.num_devices || !a.pci_id) {
    why_ = "librocm_smi64 lacks rsmi_init, rsmi_num_monitor_devices or rsmi_dev_pci_id_get";
    return;
  }
  if (rsmi_status r = a.init(0); r != kRsmiSuccess) {
    why_ = std::string("rsmi_init failed (status ").append(std::to_string(r)) + ")";
    return;
  }
  uint32_t count = 0;
  if (a.num_devices(&count) != kRsmiSuccess || count == 0) {
    why_ = "ROCm SMI sees no GPU";
    if (a.shut_down) a.shut_down();
    return;
  }
  // Never shut down: readings are taken until the process ends.
  ok_ = true;
}

std::optional<uint32_t> RocmSmiLibrary::index_of(const std::string& pci_bus_id) const {
  if (!ok_) return std::nullopt;
  const std::string want = topo::normalize_pci_bus_id(pci_bus_id);
  if (want.empty()) return std::nullopt;
  uint32_t count = 0;
  if (api().num_devices(&count) != kRsmiSuccess) return std::nullopt;
  std::optional<uint32_t> same_device;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t bdfid = 0;
    if (api().pci_id(i, &bdfid) != kRsmiSuccess) continue;
    const std::string got = bus_id_from_rsmi_bdfid(bdfid);
    if (got == want) return i;
    if (!same_device && without_function(got) == without_function(want)) same_device = i;
  }
  return same_device;
}

std::optional<double> RocmSmiLibrary::sys_clock_mhz_index(uint32_t index, std::string* why,
                                                          std::optional<double>* highest) const {
  if (!ok_ || !api().clock) {
    if (why) *why = ok_ ? "librocm_smi64 lacks rsmi_dev_gpu_clk_freq_get" : why_;
    return std::nullopt;
  }
  FrequencyBuffer buffer{};
  if (rsmi_status r = api().clock(index, kRsmiClkTypeSys, &buffer); r != kRsmiSuccess) {
    if (why)
      *why =
          std::string("rsmi_dev_gpu_clk_freq_get failed (status ").append(std::to_string(r)) + ")";
    return std::nullopt;
  }
  const auto clock = decode_rsmi_frequencies(buffer.bytes, sizeof buffer.bytes, why);
  if (!clock) return std::nullopt;
  if (highest) *highest = clock->highest_mhz;
  return clock->current_mhz;
}

std::optional<double> RocmSmiLibrary::sys_clock_mhz(const std::string& pci_bus_id) const {
  auto i = index_of(pci_bus_id);
  if (!i) return std::nullopt;
  return sys_clock_mhz_index(*i);
}

RocmSmiReading RocmSmiLibrary::read_index(uint32_t index) const {
  const Api& a = api();
  RocmSmiReading r;
  if (!ok_) return r;
  r.sys_clock_mhz = sys_clock_mhz_index(index, &r.clock_unavailable, &r.max_sys_clock_mhz);
  if (r.sys_clock_mhz) r.clock_unavailable.clear();
  int64_t milli_c = 0;
  if (a.temperature &&
      a.temperature(index, kRsmiTempTypeEdge, kRsmiTempCurrent, &milli_c) == kRsmiSuccess)
    r.temperature_edge_c = milli_c / 1000.0;
  if (a.temperature &&
      a.temperature(index, kRsmiTempTypeJunction, kRsmiTempCurrent, &milli_c) == kRsmiSuccess)
    r.temperature_junction_c = milli_c / 1000.0;
  // rsmi_dev_power_get (ROCm 6) reads whichever of current and average power
  // the GPU has (MI300 has only current); ROCm 5 has the average only.
  uint64_t microwatts = 0;
  uint32_t power_type = 0;
  if (a.power && a.power(index, &microwatts, &power_type) == kRsmiSuccess)
    r.power_w = microwatts / 1e6;
  else if (a.power_ave && a.power_ave(index, 0, &microwatts) == kRsmiSuccess)
    r.power_w = microwatts / 1e6;
  if (a.power_cap && a.power_cap(index, 0, &microwatts) == kRsmiSuccess)
    r.power_cap_w = microwatts / 1e6;
  uint16_t id = 0;
  if (a.device_id && a.device_id(index, &id) == kRsmiSuccess) r.pci_device_id = id;
  return r;
}

std::optional<RocmSmiReading> RocmSmiLibrary::read(const std::string& pci_bus_id) const {
  auto i = index_of(pci_bus_id);
  if (!i) return std::nullopt;
  return read_index(*i);
}

}  // namespace flopscope::hip
