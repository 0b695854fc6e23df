// Theoretical GPU peaks from vendor datasheets: one table per vendor
// (nvidia_table.cpp, amd_table.cpp), keyed by PCI device id or by product
// name, never by compute capability or gfx target alone (H20 and H100 are
// both sm_90; MI210, MI250 and MI250X are all gfx90a).
//
// Used by the live CUDA/HIP backends (name and PCI id from the runtime, SM/CU
// count from the runtime) and by the reader of recorded hwloc topologies
// (GPUModel and PCI ids only).
//
// Every rate is a dense figure (structured sparsity is never counted), stored
// as FLOP (OP for int8) per clock per SM/CU together with the clock the
// datasheet used for it and the datasheet figure it reproduces, so that a test
// can check the arithmetic and a reader can check the derivation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/peak.h"
#include "harness/precision.h"

namespace flopscope::gpu {

// Which execution units a rate belongs to: CUDA cores / stream processors
// (vector, what an FMA-chain kernel runs on) or tensor cores / MFMA (matrix).
enum class Pipe { vector, matrix };
std::string_view to_string(Pipe p);

// One pipe at one precision, as the datasheet gives it.
struct GpuRate {
  // Dense FLOP (OP for int8) per clock per SM/CU; 0 when the row has no figure.
  double ops_per_clock = 0;
  // The clock the datasheet figure is computed at, when it is not the row's
  // boost clock (NVIDIA quotes Hopper tensor figures at a lower clock than the
  // FP64/FP32 ones); 0 means the row's boost (or base, see clock_source) clock.
  double clock_mhz = 0;
  ClockSource clock_source = ClockSource::spec_boost;  // spec_boost or spec_base
  // The published dense figure for the row's unit count, in TFLOP/s (TOP/s for
  // int8); 0 when the vendor publishes none and the rate comes from the
  // architecture documentation.
  double datasheet_tera = 0;
  std::string note;  // why this rate / clock; rounding in the datasheet

  bool present() const { return ops_per_clock > 0; }
};

struct GpuSpec {
  std::string vendor;  // "nvidia" | "amd"
  std::string model;   // "H100 SXM5"
  std::string family;  // "Hopper", "CDNA3"
  std::string arch;    // "sm_90", "gfx942"
  // PCI device ids (vendor 0x10de or 0x1002). An id is listed by one row only;
  // ids shared by SKUs with different peaks are left out or noted in `source`.
  std::vector<uint16_t> pci_device_ids;
  // Lower-case patterns matched as whole words against a normalized name
  // (lower case, every non-alphanumeric run turned into one space), so
  // "Tesla P100-SXM2-16GB" matches "p100 sxm2" and "NVIDIA H200" does not
  // match "h20".
  std::vector<std::string> name_patterns;
  int units = 0;               // SMs or CUs (per GCD for MI250/MI250X)
  double base_clock_mhz = 0;   // 0 when not recorded
  double boost_clock_mhz = 0;  // 0 when the vendor publishes none
  GpuRate fp64_vector, fp64_matrix;
  GpuRate fp32_vector, fp32_matrix;
  GpuRate tf32_matrix;
  GpuRate fp16_vector, fp16_matrix;  // fp16 vector: FP16x2 / packed FP16 FMA
  GpuRate bf16_matrix;
  GpuRate fp8_matrix;
  GpuRate int8_matrix;
  // Precisions the architecture has no dense path for at all (FP8 on A100,
  // TF32 on V100); absent precisions not listed here are merely not recorded.
  std::vector<Precision> not_supported;
  std::string source;  // datasheet / whitepaper the figures come from
};

// The rate for a precision and pipe; nullptr for slots the table does not
// have (TF32 vector, FP8 vector, ...). The returned rate may be !present().
const GpuRate* rate_for(const GpuSpec& spec, Precision p, Pipe pipe);

// Per-vendor tables, and both together (find_* return pointers into all_gpus()).
const std::vector<GpuSpec>& nvidia_gpus();
const std::vector<GpuSpec>& amd_gpus();
std::span<const GpuSpec> all_gpus();

// 0x10de NVIDIA, 0x1002 AMD; nullptr for an unknown vendor or id.
const GpuSpec* find_gpu_by_pci_id(uint16_t vendor_id, uint16_t device_id);

// Case-insensitive; the row with the longest matching pattern wins ("NVIDIA
// H100 80GB HBM3" -> H100 SXM5, "NVIDIA H200 NVL" -> H200 NVL). nullptr when
// nothing matches or when two rows tie (a bare "gfx90a" names three SKUs).
const GpuSpec* find_gpu_by_name(std::string_view name);

// Rows of one architecture ("sm_90", "gfx90a"; a HIP gcnArchName such as
// "gfx90a:sramecc+:xnack-" is accepted). More than one row is the usual case.
std::vector<const GpuSpec*> find_gpus_by_arch(std::string_view arch);

// Peaks for every precision. live_units (SM/CU count from the runtime, e.g. a
// MIG slice or a CPX partition) replaces the table's unit count; the per-unit
// rate always comes from the table. live_clock_mhz (typically measured under
// load) replaces every datasheet clock and is labelled with live_clock_source.
// Precisions without a rate carry unknown_reason.
PeakTable gpu_peaks(const GpuSpec& spec, std::optional<int> live_units,
                    std::optional<double> live_clock_mhz,
                    ClockSource live_clock_source = ClockSource::measured_under_load);

// Every precision unknown, with the reason ("no table entry for ...").
PeakTable unknown_gpu_peaks(std::string reason);

// Lower case, non-alphanumeric runs -> one space, trimmed (what patterns match).
std::string normalize_gpu_name(std::string_view name);

}  // namespace flopscope::gpu
