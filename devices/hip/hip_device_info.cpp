// query_hip_devices(): the HIP runtime's view of every AMD GPU. Compiled by
// the host compiler with __HIP_PLATFORM_AMD__ and linked to libamdhip64; it
// uses only what ROCm 5.x and 6.x share (hipGetDeviceProperties is a macro
// for hipGetDevicePropertiesR0600 in 6.x, gcnArch is gone there, and the
// clocks are read as attributes because the clock fields of hipDeviceProp_t
// are deprecated).
#include <hip/hip_runtime_api.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "devices/gpu_shim/gpu_placement.h"
#include "devices/hip/hip_device_info.h"

namespace flopscope::hip {

namespace {

// The runtime counts WGPs on RDNA unless told to run in CU mode.
bool runtime_in_wgp_mode() {
  const char* v = std::getenv("GPU_ENABLE_WGP_MODE");
  return !(v && std::strcmp(v, "0") == 0);
}

double attribute_mhz(hipDeviceAttribute_t attribute, int device) {
  int khz = 0;
  if (hipDeviceGetAttribute(&khz, attribute, device) != hipSuccess) return 0;
  return khz / 1000.0;
}

std::string bus_id_of(const hipDeviceProp_t& p, int device) {
  char bus[64] = {};
  if (hipDeviceGetPCIBusId(bus, sizeof bus, device) == hipSuccess) {
    std::string id = topo::normalize_pci_bus_id(bus);
    if (!id.empty()) return id;
  }
  std::snprintf(bus, sizeof bus, "%04x:%02x:%02x.0", static_cast<unsigned>(p.pciDomainID),
                static_cast<unsigned>(p.pciBusID), static_cast<unsigned>(p.pciDeviceID));
  return topo::normalize_pci_bus_id(bus);
}

}  // namespace

std::vector<HipDeviceInfo> query_hip_devices(const topo::Topology* topology, std::string* reason) {
  std::vector<HipDeviceInfo> out;
  int count = 0;
  const hipError_t e = hipGetDeviceCount(&count);
  if (e == hipErrorNoDevice || (e == hipSuccess && count <= 0)) {
    if (reason) *reason = "no HIP device";
    return out;
  }
  if (e != hipSuccess) {
    if (reason) *reason = std::string("no HIP device (") + hipGetErrorString(e) + ")";
    return out;
  }
  RocmSmiLibrary& smi = RocmSmiLibrary::instance();
  // HIP_VERSION's encoding: major * 10^7 + minor * 10^5 + patch.
  int runtime = 0;
  const std::string runtime_text = hipRuntimeGetVersion(&runtime) == hipSuccess && runtime > 0
                                       ? std::to_string(runtime / 10000000) + "." +
                                             std::to_string(runtime / 100000 % 100) + "." +
                                             std::to_string(runtime % 100000)
                                       : std::string();
  // hipDriverGetVersion gives HIP_VERSION again on ROCm; the kernel driver
  // says its own version here when amdgpu is a module (DKMS builds).
  std::string driver_text;
  if (std::ifstream v("/sys/module/amdgpu/version"); v) std::getline(v, driver_text);
  const bool wgp_mode = runtime_in_wgp_mode();
  for (int i = 0; i < count; ++i) {
    hipDeviceProp_t p{};
    if (hipGetDeviceProperties(&p, i) != hipSuccess) continue;
    HipDeviceInfo info;
    info.ordinal = i;
    info.name = p.name;
    info.gcn_arch_name = p.gcnArchName;
    info.multiprocessors = p.multiProcessorCount;
    info.compute_units = compute_units_from_runtime(info.arch(), p.multiProcessorCount, wgp_mode);
    info.wave_size = p.warpSize;
    info.engine_clock_mhz = attribute_mhz(hipDeviceAttributeClockRate, i);
    info.memory_clock_mhz = attribute_mhz(hipDeviceAttributeMemoryClockRate, i);
    info.memory_bus_bits = p.memoryBusWidth;
    info.memory_bytes = p.totalGlobalMem;
    info.l2_bytes = p.l2CacheSize > 0 ? static_cast<uint64_t>(p.l2CacheSize) : 0;
    info.pci_bus_id = bus_id_of(p, i);
    info.amdgpu_driver = driver_text;
    info.hip_runtime = runtime_text;
    if (smi.available()) {
      info.rocm_smi = smi.read(info.pci_bus_id);
      if (!info.rocm_smi)
        info.rocm_smi_unavailable = "ROCm SMI does not know bus id " + info.pci_bus_id;
    } else {
      info.rocm_smi_unavailable = smi.why_unavailable();
    }
    info.pci_device_id = gpu::pci_device_id_from_sysfs(info.pci_bus_id);
    if (!info.pci_device_id && info.rocm_smi) info.pci_device_id = info.rocm_smi->pci_device_id;
    if (topology) place_on_topology(info, *topology);
    out.push_back(std::move(info));
  }
  if (out.empty() && reason) *reason = "no HIP device could be queried";
  return out;
}

}  // namespace flopscope::hip
