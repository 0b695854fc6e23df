#include "devices/cuda/cuda_device_info.h"

#include <cuda_runtime.h>
#include <dlfcn.h>

#include <cstdio>
#include <fstream>

#include "devices/gpu/gpu_peak_table.h"
#include "devices/gpu_shim/gpu_placement.h"
#include "devices/topology/pinning.h"

namespace flopscope::cuda {

namespace {

constexpr uint16_t kNvidiaVendorId = 0x10de;

std::string uuid_text(const cudaUUID_t& u) {
  const auto* b = reinterpret_cast<const unsigned char*>(u.bytes);
  char s[64];
  std::snprintf(s, sizeof s,
                "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return s;
}

}  // namespace

void place_on_topology(CudaDeviceInfo& info, const topo::Topology& topology) {
  if (auto p = gpu::place_gpu(topology, info.pci_bus_id, kNvidiaVendorId)) {
    info.numa_node = p->numa_node;
    info.host_pus = p->host_pus;
    if (!info.pci_device_id) info.pci_device_id = p->pci_device_id;
  }
}

std::vector<CudaDeviceInfo> query_cuda_devices(const topo::Topology* topology,
                                               std::string* reason) {
  std::vector<CudaDeviceInfo> out;
  // The runtime reports a missing driver as "insufficient driver": say what
  // is actually missing.
  if (void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL); !driver) {
    if (reason) *reason = "unavailable: no NVIDIA driver (libcuda.so.1)";
    return out;
  }
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) {
    if (reason) *reason = "no CUDA device found";
    return out;
  }
  if (e != cudaSuccess) {
    if (reason) *reason = std::string("unavailable: ") + cudaGetErrorString(e);
    return out;
  }
  NvmlLibrary& nvml = NvmlLibrary::instance();
  // 13000 -> "13.0".
  auto version_text = [](cudaError_t e, int v) {
    return e == cudaSuccess && v > 0
               ? std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10)
               : std::string();
  };
  int driver_api = 0, runtime = 0;
  const std::string driver_text = version_text(cudaDriverGetVersion(&driver_api), driver_api);
  const std::string runtime_text = version_text(cudaRuntimeGetVersion(&runtime), runtime);
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, i) != cudaSuccess) continue;
    CudaDeviceInfo info;
    info.ordinal = i;
    info.name = p.name;
    info.sms = p.multiProcessorCount;
    info.cc_major = p.major;
    info.cc_minor = p.minor;
    int khz = 0;
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, i) == cudaSuccess)
      info.sm_clock_mhz = khz / 1000.0;
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, i) == cudaSuccess)
      info.memory_clock_mhz = khz / 1000.0;
    info.memory_bus_bits = p.memoryBusWidth;
    info.memory_bytes = p.totalGlobalMem;
    info.l2_bytes = static_cast<uint64_t>(p.l2CacheSize);
    char bus[32];
    std::snprintf(bus, sizeof bus, "%04x:%02x:%02x.0", p.pciDomainID, p.pciBusID, p.pciDeviceID);
    info.pci_bus_id = topo::normalize_pci_bus_id(bus);
    info.uuid = uuid_text(p.uuid);
    info.cuda_driver_api = driver_text;
    info.cuda_runtime = runtime_text;
    if (nvml.available()) {
      info.nvml = nvml.read(info.pci_bus_id);
      if (!info.nvml) info.nvml_unavailable = "NVML does not know bus id " + info.pci_bus_id;
    } else {
      info.nvml_unavailable = nvml.why_unavailable();
    }
    if (info.nvml && info.nvml->pci_vendor_id == kNvidiaVendorId)
      info.pci_device_id = info.nvml->pci_device_id;
    if (!info.pci_device_id) info.pci_device_id = gpu::pci_device_id_from_sysfs(info.pci_bus_id);
    if (topology) place_on_topology(info, *topology);
    out.push_back(std::move(info));
  }
  if (out.empty() && reason) *reason = "no CUDA device could be queried";
  return out;
}

Device describe_cuda_device(const CudaDeviceInfo& info) {
  Device d;
  d.id = std::string("cuda:").append(std::to_string(info.ordinal));
  d.kind = "cuda";
  d.name = info.name;
  d.identity.pci_bus_id = info.pci_bus_id;
  d.identity.uuid = info.uuid;
  if (info.nvml) d.identity.serial = info.nvml->serial;

  const gpu::GpuSpec* spec = nullptr;
  std::string matched_by;
  if (info.pci_device_id) {
    spec = gpu::find_gpu_by_pci_id(kNvidiaVendorId, *info.pci_device_id);
    if (spec) matched_by = "PCI device id";
  }
  if (!spec) {
    spec = gpu::find_gpu_by_name(info.name);
    if (spec) matched_by = "name";
  }
  char pci_id[16] = "unknown";
  if (info.pci_device_id) std::snprintf(pci_id, sizeof pci_id, "10de:%04x", *info.pci_device_id);
  if (spec) {
    // The datasheet's clocks: a clock measured under load is recorded with
    // each measurement, not folded into the device's peaks.
    d.peaks = gpu::gpu_peaks(*spec, info.sms, std::nullopt);
    d.spec_peaks = d.peaks;
    d.details["table_entry"] = {{"model", spec->model},
                                {"matched_by", matched_by},
                                {"table_sms", spec->units},
                                {"source", spec->source}};
  } else {
    d.peaks = gpu::unknown_gpu_peaks("no table entry for " + info.name + " (PCI " + pci_id + ")");
    d.details["table_entry"] = "none: measured, peak unknown";
  }
  d.details["pci_device_id"] = pci_id;
  d.details["compute_capability"] =
      std::to_string(info.cc_major) + std::string(".").append(std::to_string(info.cc_minor));
  d.details["sms"] = info.sms;
  d.details["sm_clock_mhz"] = info.sm_clock_mhz;
  d.details["memory_clock_mhz"] = info.memory_clock_mhz;
  d.details["memory_bus_bits"] = info.memory_bus_bits;
  d.details["memory_bytes"] = info.memory_bytes;
  d.details["l2_bytes"] = info.l2_bytes;
  d.details["numa_node"] = info.numa_node;
  d.details["host_pus"] = info.host_pus;
  d.details["cuda_driver_api"] = info.cuda_driver_api;
  d.details["cuda_runtime"] = info.cuda_runtime;
  if (info.nvml)
    d.details["nvml"] = info.nvml->to_json();
  else
    d.details["nvml"] = "unavailable: " + info.nvml_unavailable;
  return d;
}

}  // namespace flopscope::cuda
