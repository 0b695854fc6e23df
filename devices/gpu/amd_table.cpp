// AMD rows of the GPU peak table.
//
// Per-CU dense rates (FLOP or OP per clock per CU) from AMD's CDNA/CDNA2/
// CDNA3/CDNA4 and RDNA2/RDNA3 whitepapers, checked against each product's
// datasheet figure at its peak engine clock (sparse figures never used).
// PCI device ids as the public PCI ID database and AMD's Instinct
// documentation list them.
//
// MI250 and MI250X are two GCDs per package and HIP shows each GCD as one
// device, so those rows are per GCD: the CU count and every datasheet figure
// are half the package's.
#include "devices/gpu/gpu_peak_table.h"

// Rows are designated initializers that name only the rates a SKU has; the
// rest keep their defaults (absent). GCC and Clang warn about exactly that.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace flopscope::gpu {

namespace {

using P = Precision;

GpuRate boost(double ops, double tera, std::string note = {}) {
  return {ops, 0, ClockSource::spec_boost, tera, std::move(note)};
}
GpuRate arch(double ops, std::string note) {
  return {ops, 0, ClockSource::spec_boost, 0, std::move(note)};
}

const char* kPackedFp32 = "packed FP32 (v_pk_fma_f32); unpacked FP32 is half";

// CDNA2 (gfx90a) per GCD: FP64 at the full FP32 rate, FP64 MFMA, packed FP32,
// 1024 FP16/BF16/INT8 OP/clk/CU; no TF32 (XF32) or FP8 MFMA.
GpuSpec cdna2(std::string model, std::vector<uint16_t> ids, std::vector<std::string> patterns,
              int cus, double fp64, double fp64_matrix, double fp16, std::string source) {
  return GpuSpec{
      .vendor = "amd",
      .model = std::move(model),
      .family = "CDNA2",
      .arch = "gfx90a",
      .pci_device_ids = std::move(ids),
      .name_patterns = std::move(patterns),
      .units = cus,
      .boost_clock_mhz = 1700,
      .fp64_vector = boost(128, fp64),
      .fp64_matrix = boost(256, fp64_matrix),
      .fp32_vector = boost(256, fp64_matrix, kPackedFp32),
      .fp32_matrix = boost(256, fp64_matrix),
      .fp16_matrix = boost(1024, fp16),
      .bf16_matrix = boost(1024, fp16),
      .int8_matrix = boost(1024, fp16),
      .not_supported = {P::tf32, P::fp8},
      .source = std::move(source),
  };
}

// CDNA3 (gfx942): FP64 vector 128, FP64/FP32 matrix 256, TF32 (XF32) 1024,
// FP16/BF16 2048, FP8/INT8 4096 FLOP/clk/CU.
GpuSpec cdna3(std::string model, std::vector<uint16_t> ids, std::vector<std::string> patterns,
              int cus, double fp64, double fp32, double tf32, double fp16, double fp8,
              std::string source) {
  return GpuSpec{
      .vendor = "amd",
      .model = std::move(model),
      .family = "CDNA3",
      .arch = "gfx942",
      .pci_device_ids = std::move(ids),
      .name_patterns = std::move(patterns),
      .units = cus,
      .boost_clock_mhz = 2100,
      .fp64_vector = boost(128, fp64),
      .fp64_matrix = boost(256, fp32),
      .fp32_vector = boost(256, fp32, "includes packed / dual-issue FP32"),
      .fp32_matrix = boost(256, fp32),
      .tf32_matrix = boost(1024, tf32),
      .fp16_vector = boost(256, fp32, "packed FP16"),
      .fp16_matrix = boost(2048, fp16),
      .bf16_matrix = boost(2048, fp16),
      .fp8_matrix = boost(4096, fp8),
      .int8_matrix = boost(4096, fp8),
      .source = std::move(source),
  };
}

std::vector<GpuSpec> make_rows() {
  std::vector<GpuSpec> rows;

  // --- CDNA (gfx908): FP64 at half the FP32 rate, no FP64 MFMA, BF16 MFMA at
  // half the FP16 rate.
  rows.push_back({
      .vendor = "amd",
      .model = "MI100",
      .family = "CDNA",
      .arch = "gfx908",
      .pci_device_ids = {0x738c},
      .name_patterns = {"mi100", "gfx908"},  // gfx908 is MI100 only
      .units = 120,
      .boost_clock_mhz = 1502,
      .fp64_vector = boost(64, 11.5),
      .fp32_vector = boost(128, 23.1),
      .fp32_matrix = boost(256, 46.1),
      .fp16_matrix = boost(1024, 184.6),
      .bf16_matrix = boost(512, 92.3),
      .int8_matrix = boost(1024, 184.6),
      .not_supported = {P::tf32, P::fp8},
      .source = "AMD Instinct MI100 datasheet: 120 CUs, 1502 MHz peak engine clock; FP64 11.5, "
                "FP32 23.1, FP32 matrix 46.1, FP16 184.6, BF16 92.3, INT8 184.6",
  });

  // --- CDNA2 (gfx90a), per GCD for MI250/MI250X.
  rows.push_back(cdna2("MI210", {0x740f}, {"mi210"}, 104, 22.6, 45.3, 181.0,
                       "AMD Instinct MI210 datasheet: 104 CUs, 1700 MHz; FP64 22.6, FP64 "
                       "matrix 45.3, FP32 22.6 (packed 45.3), FP32 matrix 45.3, FP16/BF16 181, "
                       "INT8 181"));
  rows.push_back(cdna2("MI250X (per GCD)", {0x7408, 0x740c}, {"mi250x"}, 110, 23.95, 47.85, 191.5,
                       "AMD Instinct MI250X datasheet, package of 2 GCDs / 220 CUs at 1700 MHz: "
                       "FP64 47.9, FP64 matrix 95.7, FP32 47.9 (packed 95.7), FP32 matrix 95.7, "
                       "FP16/BF16 383, INT8 383; halved here per GCD. PCI id 0x740c is shared "
                       "with MI250: same per-CU rates and clock, so pass the runtime CU count"));
  rows.push_back(cdna2("MI250 (per GCD)", {}, {"mi250"}, 104, 22.65, 45.25, 181.05,
                       "AMD Instinct MI250 datasheet, package of 2 GCDs / 208 CUs at 1700 MHz: "
                       "FP64 45.3, FP64 matrix 90.5, FP32 45.3 (packed 90.5), FP32 matrix 90.5, "
                       "FP16/BF16 362.1, INT8 362.1; halved here per GCD"));

  // --- CDNA3 (gfx942).
  rows.push_back(cdna3("MI300X", {0x74a1}, {"mi300x"}, 304, 81.7, 163.4, 653.7, 1307.4, 2614.9,
                       "AMD Instinct MI300X datasheet / CDNA3 whitepaper: 304 CUs, 2100 MHz; "
                       "FP64 81.7, FP64 matrix 163.4, FP32 163.4, TF32 653.7, FP16/BF16 1307.4, "
                       "FP8 2614.9, INT8 2614.9 dense"));
  rows.push_back(cdna3("MI300A", {0x74a0}, {"mi300a"}, 228, 61.3, 122.6, 490.3, 980.6, 1961.2,
                       "AMD Instinct MI300A datasheet: 228 CUs, 2100 MHz; FP64 61.3, FP64 matrix "
                       "122.6, FP32 122.6, TF32 490.3, FP16/BF16 980.6, FP8 1961.2, INT8 1961.2 "
                       "dense"));
  rows.push_back(cdna3("MI325X", {0x74a5}, {"mi325x"}, 304, 81.7, 163.4, 653.7, 1307.4, 2614.9,
                       "AMD Instinct MI325X datasheet: 304 CUs, 2100 MHz; same compute as "
                       "MI300X: FP64 81.7, FP64 matrix 163.4, FP32 163.4, TF32 653.7, FP16/BF16 "
                       "1307.4, FP8 2614.9, INT8 2614.9 dense"));

  // --- CDNA4 (gfx950): FP16/FP8 MFMA doubled per CU (8192 FP8 FLOP/clk/CU),
  // FP64 MFMA halved to the FP64 vector rate, XF32 (TF32) MFMA removed.
  rows.push_back({
      .vendor = "amd",
      .model = "MI355X",
      .family = "CDNA4",
      .arch = "gfx950",
      .pci_device_ids = {0x75a3},
      .name_patterns = {"mi355x"},
      .units = 256,
      .boost_clock_mhz = 2400,
      .fp64_vector = boost(128, 78.6),
      .fp64_matrix = boost(128, 78.6),
      .fp32_vector = boost(256, 157.3),
      .fp16_matrix = boost(4096, 2516.6),
      .bf16_matrix = boost(4096, 2516.6),
      .fp8_matrix = boost(8192, 5033.2),
      .int8_matrix = boost(8192, 5033.2),
      .not_supported = {P::tf32},
      .source = "AMD Instinct MI355X datasheet / CDNA4 whitepaper: 256 CUs, 2400 MHz; FP64 and "
                "FP64 matrix 78.6, FP32 157.3, FP16/BF16 2.5 PF, FP8 5.0 PF, INT8 5.0 POPS dense",
  });

  // --- RDNA2 (gfx1030): no matrix units; FP64 at 1/16 of FP32; packed FP16.
  const std::string rdna_fp64 = "FP64 at 1/16 of the FP32 rate (no datasheet figure)";
  rows.push_back({
      .vendor = "amd",
      .model = "Radeon RX 6900 XT",
      .family = "RDNA2",
      .arch = "gfx1030",
      .pci_device_ids = {0x73af},  // 0x73bf is shared with RX 6800 / 6800 XT
      .name_patterns = {"rx 6900 xt"},
      .units = 80,
      .boost_clock_mhz = 2250,
      .fp64_vector = arch(8, rdna_fp64),
      .fp32_vector = boost(128, 23.04),
      .fp16_vector = boost(256, 46.08, "packed FP16"),
      .not_supported = {P::tf32, P::bf16, P::fp8},
      .source = "AMD Radeon RX 6900 XT specifications: 80 CUs, 2250 MHz boost; FP32 23.04, "
                "FP16 46.08 TFLOPS",
  });
  rows.push_back({
      .vendor = "amd",
      .model = "Radeon PRO W6800",
      .family = "RDNA2",
      .arch = "gfx1030",
      .pci_device_ids = {0x73a3},
      .name_patterns = {"w6800"},
      .units = 60,
      .boost_clock_mhz = 2320,
      .fp64_vector = arch(8, rdna_fp64),
      .fp32_vector = boost(128, 17.83),
      .fp16_vector = boost(256, 35.66, "packed FP16"),
      .not_supported = {P::tf32, P::bf16, P::fp8},
      .source = "AMD Radeon PRO W6800 specifications: 60 CUs, 2320 MHz boost; FP32 17.83, FP16 "
                "35.66 TFLOPS",
  });

  // --- RDNA3 (gfx1100): dual-issue FP32 doubles the peak; AMD's FP16 figure
  // is twice that again. HIP may report WGPs (2 CUs each) as the
  // multiprocessor count on RDNA; live_units must be CUs.
  rows.push_back({
      .vendor = "amd",
      .model = "Radeon RX 7900 XTX",
      .family = "RDNA3",
      .arch = "gfx1100",
      // 0x744c is shared with RX 7900 XT / GRE: left out, name lookup only.
      .name_patterns = {"rx 7900 xtx"},
      .units = 96,
      .boost_clock_mhz = 2500,
      .fp64_vector = arch(8, "FP64 at 1/32 of the dual-issue FP32 rate (no datasheet figure)"),
      .fp32_vector = boost(256, 61.4, "dual-issue (VOPD) or wave64; single issue is half"),
      .fp16_vector = boost(512, 122.8, "AMD's FP16 figure (packed FP16, dual issue / WMMA)"),
      .not_supported = {P::tf32, P::fp8},
      .source = "AMD Radeon RX 7900 XTX specifications: 96 CUs, 2500 MHz boost; FP32 61.4, FP16 "
                "122.8 TFLOPS",
  });

  return rows;
}

}  // namespace

const std::vector<GpuSpec>& amd_gpus() {
  static const std::vector<GpuSpec> rows = make_rows();
  return rows;
}

}  // namespace flopscope::gpu
