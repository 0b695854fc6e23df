// The pure half of hip_device_info.h (no HIP runtime, unit-tested without a
// GPU): CU counting, placement and the device record. query_hip_devices() is
// in hip_device_info.cpp.
#include "devices/hip/hip_device_info.h"

#include <cstdio>

#include "devices/gpu/gpu_peak_table.h"
#include "devices/gpu_shim/gpu_placement.h"
#include "devices/topology/pinning.h"

namespace flopscope::hip {

namespace {

constexpr uint16_t kAmdVendorId = 0x1002;

// gfx10xx, gfx11xx, gfx12xx: the RDNA generations, which group CUs in WGPs.
bool is_rdna(const std::string& arch) {
  return arch.size() >= 7 && arch.rfind("gfx", 0) == 0 &&
         (arch.compare(3, 2, "10") == 0 || arch.compare(3, 2, "11") == 0 ||
          arch.compare(3, 2, "12") == 0);
}

struct TableMatch {
  const gpu::GpuSpec* spec = nullptr;
  std::string matched_by;
};

TableMatch find_spec(const HipDeviceInfo& info) {
  if (info.pci_device_id)
    if (const auto* s = gpu::find_gpu_by_pci_id(kAmdVendorId, *info.pci_device_id))
      return {s, "PCI device id"};
  if (const auto* s = gpu::find_gpu_by_name(info.name)) return {s, "name"};
  // A bare gfx target names several SKUs (MI210, MI250 and MI250X are all
  // gfx90a): only a target with one table row is good enough.
  const auto rows = gpu::find_gpus_by_arch(info.arch());
  if (rows.size() == 1)
    return {rows.front(), "gfx target (the only table row for " + info.arch() + ")"};
  return {};
}

}  // namespace

int compute_units_from_runtime(const std::string& arch, int multiprocessors, bool wgp_mode) {
  return is_rdna(arch) && wgp_mode ? 2 * multiprocessors : multiprocessors;
}

void place_on_topology(HipDeviceInfo& info, const topo::Topology& topology) {
  if (auto p = gpu::place_gpu(topology, info.pci_bus_id, kAmdVendorId)) {
    info.numa_node = p->numa_node;
    info.host_pus = p->host_pus;
    if (!info.pci_device_id) info.pci_device_id = p->pci_device_id;
  }
}

Device describe_hip_device(const HipDeviceInfo& info) {
  Device d;
  d.id = std::string("hip:").append(std::to_string(info.ordinal));
  d.kind = "hip";
  d.name = info.name;
  d.identity.pci_bus_id = info.pci_bus_id;

  const TableMatch match = find_spec(info);
  char pci_id[16] = "unknown";
  if (info.pci_device_id) std::snprintf(pci_id, sizeof pci_id, "1002:%04x", *info.pci_device_id);
  if (match.spec) {
    const gpu::GpuSpec& spec = *match.spec;
    // The datasheet's clocks: a clock measured under load is recorded with
    // each measurement, not folded into the device's peaks.
    d.peaks = gpu::gpu_peaks(
        spec, info.compute_units > 0 ? std::optional<int>(info.compute_units) : std::nullopt,
        std::nullopt);
    d.spec_peaks = d.peaks;
    d.details["table_entry"] = {{"model", spec.model},
                                {"matched_by", match.matched_by},
                                {"table_cus", spec.units},
                                {"source", spec.source}};
  } else {
    d.peaks = gpu::unknown_gpu_peaks("no table entry for " + info.name + " (PCI " + pci_id + ", " +
                                     info.arch() + ")");
    d.details["table_entry"] = "none: measured, peak unknown";
  }
  d.details["pci_device_id"] = pci_id;
  d.details["arch"] = info.arch();
  d.details["gcn_arch_name"] = info.gcn_arch_name;
  d.details["cus"] = info.compute_units;
  d.details["hip_multiprocessors"] = info.multiprocessors;
  d.details["wave_size"] = info.wave_size;
  d.details["engine_clock_mhz"] = info.engine_clock_mhz;
  d.details["memory_clock_mhz"] = info.memory_clock_mhz;
  d.details["memory_bus_bits"] = info.memory_bus_bits;
  d.details["memory_bytes"] = info.memory_bytes;
  d.details["l2_bytes"] = info.l2_bytes;
  d.details["numa_node"] = info.numa_node;
  d.details["host_pus"] = info.host_pus;
  d.details["amdgpu_driver"] = info.amdgpu_driver;
  d.details["hip_runtime"] = info.hip_runtime;
  if (info.rocm_smi)
    d.details["rocm_smi"] = info.rocm_smi->to_json();
  else
    d.details["rocm_smi"] = "unavailable: " + info.rocm_smi_unavailable;
  return d;
}

}  // namespace flopscope::hip
