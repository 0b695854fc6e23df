// NVIDIA rows of the GPU peak table.
//
// Per-SM dense rates (FLOP or OP per clock per SM) from NVIDIA's architecture
// whitepapers (Pascal GP100, Volta GV100, Ampere GA100/GA102, Ada AD102,
// Hopper GH100), checked against each product datasheet's dense figure
// (sparse tensor figures halved). PCI device ids as the public PCI ID database
// and the NVIDIA driver README list them.
//
// Clocks: NVIDIA quotes Hopper tensor-core figures at a lower clock than the
// FP64/FP32 ones (H100 SXM5: 1830 vs 1980 MHz), so those rates carry their
// own clock. Where NVIDIA publishes no clock for a SKU the clock is the one
// its datasheet figures imply, and says so.
#include "devices/gpu/gpu_peak_table.h"

// Rows are designated initializers that name only the rates a SKU has; the
// rest keep their defaults (absent). GCC and Clang warn about exactly that.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace flopscope::gpu {

namespace {

using P = Precision;

// A rate at the row's boost clock.
GpuRate boost(double ops, double tera, std::string note = {}) {
  return {ops, 0, ClockSource::spec_boost, tera, std::move(note)};
}
// A rate whose datasheet figure is computed at another clock.
GpuRate at(double ops, double mhz, double tera, std::string note = {}) {
  return {ops, mhz, ClockSource::spec_boost, tera, std::move(note)};
}
// A rate with no datasheet figure, from the SM design in the whitepaper.
GpuRate arch(double ops, std::string note) {
  return {ops, 0, ClockSource::spec_boost, 0, std::move(note)};
}
// A per-SM rate back-computed from a datasheet total, for SKUs whose SMs do
// not run their architecture's rates (the export-limited H20).
GpuRate derived(double tera, int units, double mhz, std::string note) {
  return {tera * 1e6 / (units * mhz), 0, ClockSource::spec_boost, tera, std::move(note)};
}

// GH100 with 132 SMs at 1980 MHz (vector) / 1830 MHz (tensor): H100 SXM5,
// H200 SXM and GH200 share these rates.
GpuSpec gh100_sxm(std::string model, std::vector<uint16_t> ids, std::vector<std::string> patterns,
                  std::string source) {
  const std::string tc = "NVIDIA computes the tensor figures at 1830 MHz, not the 1980 MHz boost";
  return GpuSpec{
      .vendor = "nvidia",
      .model = std::move(model),
      .family = "Hopper",
      .arch = "sm_90",
      .pci_device_ids = std::move(ids),
      .name_patterns = std::move(patterns),
      .units = 132,
      .boost_clock_mhz = 1980,
      .fp64_vector = boost(128, 33.5, "the product datasheet rounds 33.5 up to 34"),
      .fp64_matrix = boost(256, 66.9),
      .fp32_vector = boost(256, 66.9),
      .tf32_matrix = at(2048, 1830, 494.7, tc),
      .fp16_vector = boost(512, 133.8, "FP16x2 (HFMA2), whitepaper non-tensor FP16"),
      .fp16_matrix = at(4096, 1830, 989.4, tc),
      .bf16_matrix = at(4096, 1830, 989.4, tc),
      .fp8_matrix = at(8192, 1830, 1978.9, tc),
      .int8_matrix = at(8192, 1830, 1978.9, tc),
      .source = std::move(source),
  };
}

std::vector<GpuSpec> make_rows() {
  std::vector<GpuSpec> rows;

  // --- Pascal (sm_60): no tensor cores, FP64 at half the FP32 rate, FP16x2.
  rows.push_back({
      .vendor = "nvidia",
      .model = "P100 SXM2",
      .family = "Pascal",
      .arch = "sm_60",
      .pci_device_ids = {0x15f9},
      .name_patterns = {"p100 sxm2"},
      .units = 56,
      .base_clock_mhz = 1328,
      .boost_clock_mhz = 1480,
      .fp64_vector = boost(64, 5.3),
      .fp32_vector = boost(128, 10.6),
      .fp16_vector = boost(256, 21.2, "FP16x2 (HFMA2)"),
      .not_supported = {P::tf32, P::bf16, P::fp8, P::int8},
      .source = "NVIDIA Tesla P100 datasheet and GP100 whitepaper: SXM2, 56 SMs, 1328/1480 MHz; "
                "FP64 5.3, FP32 10.6, FP16 21.2 TFLOPS",
  });
  rows.push_back({
      .vendor = "nvidia",
      .model = "P100 PCIe",
      .family = "Pascal",
      .arch = "sm_60",
      .pci_device_ids = {0x15f7, 0x15f8},  // 12 GB, 16 GB
      .name_patterns = {"p100 pcie"},
      .units = 56,
      .base_clock_mhz = 1126,
      .boost_clock_mhz = 1303,
      .fp64_vector = boost(64, 4.7),
      .fp32_vector = boost(128, 9.3),
      .fp16_vector = boost(256, 18.7, "FP16x2 (HFMA2)"),
      .not_supported = {P::tf32, P::bf16, P::fp8, P::int8},
      .source = "NVIDIA Tesla P100 PCIe datasheet: 56 SMs, 1126/1303 MHz; FP64 4.7, FP32 9.3, "
                "FP16 18.7 TFLOPS",
  });

  // --- Volta (sm_70): 8 tensor cores per SM, FP16 only (1024 FLOP/clk/SM).
  const std::string v100_fp16 = "FP16x2 (HFMA2), twice the FP32 rate";
  rows.push_back({
      .vendor = "nvidia",
      .model = "V100 SXM2",
      .family = "Volta",
      .arch = "sm_70",
      .pci_device_ids = {0x1db1, 0x1db5},  // 16 GB, 32 GB
      .name_patterns = {"v100 sxm2"},
      .units = 80,
      .boost_clock_mhz = 1530,
      .fp64_vector = boost(64, 7.8),
      .fp32_vector = boost(128, 15.7),
      .fp16_vector = arch(256, v100_fp16),
      .fp16_matrix = boost(1024, 125),
      .not_supported = {P::tf32, P::bf16, P::fp8},
      .source = "NVIDIA V100 datasheet and GV100 whitepaper: SXM2, 80 SMs, 1530 MHz; FP64 7.8, "
                "FP32 15.7, tensor (FP16) 125 TFLOPS",
  });
  rows.push_back({
      .vendor = "nvidia",
      .model = "V100 PCIe",
      .family = "Volta",
      .arch = "sm_70",
      .pci_device_ids = {0x1db4, 0x1db6},  // 16 GB, 32 GB
      .name_patterns = {"v100 pcie"},
      .units = 80,
      .boost_clock_mhz = 1380,
      .fp64_vector = boost(64, 7.0),
      .fp32_vector = boost(128, 14.0),
      .fp16_vector = arch(256, v100_fp16),
      .fp16_matrix = boost(1024, 112, "the datasheet rounds 113.0 down to 112"),
      .not_supported = {P::tf32, P::bf16, P::fp8},
      .source = "NVIDIA V100 datasheet: PCIe, 80 SMs, 1380 MHz; FP64 7, FP32 14, tensor (FP16) "
                "112 TFLOPS",
  });
  rows.push_back({
      .vendor = "nvidia",
      .model = "V100S PCIe",
      .family = "Volta",
      .arch = "sm_70",
      .name_patterns = {"v100s"},
      .units = 80,
      .boost_clock_mhz = 1601,
      .fp64_vector = boost(64, 8.2),
      .fp32_vector = boost(128, 16.4),
      .fp16_vector = arch(256, v100_fp16),
      .fp16_matrix = boost(1024, 130),
      .not_supported = {P::tf32, P::bf16, P::fp8},
      .source = "NVIDIA V100S datasheet: PCIe, 80 SMs, 1601 MHz; FP64 8.2, FP32 16.4, tensor "
                "(FP16) 130 TFLOPS",
  });

  // --- Ampere GA100 (sm_80): FP64 tensor, TF32/BF16; no FP8.
  const std::string ga100_fp16 = "FP16x2, whitepaper non-tensor FP16";
  for (bool sxm : {true, false}) {
    rows.push_back({
        .vendor = "nvidia",
        .model = sxm ? "A100 SXM4" : "A100 PCIe",
        .family = "Ampere",
        .arch = "sm_80",
        // SXM4 40/80 GB; PCIe 40 GB (two ids) and 80 GB.
        .pci_device_ids = sxm ? std::vector<uint16_t>{0x20b0, 0x20b2}
                              : std::vector<uint16_t>{0x20b1, 0x20f1, 0x20b5},
        .name_patterns = sxm ? std::vector<std::string>{"a100 sxm4"}
                             : std::vector<std::string>{"a100 pcie", "a100 80gb pcie"},
        .units = 108,
        .boost_clock_mhz = 1410,
        .fp64_vector = boost(64, 9.7),
        .fp64_matrix = boost(128, 19.5),
        .fp32_vector = boost(128, 19.5),
        .tf32_matrix = boost(1024, 156),
        .fp16_vector = boost(512, 78, ga100_fp16),
        .fp16_matrix = boost(2048, 312),
        .bf16_matrix = boost(2048, 312),
        .int8_matrix = boost(4096, 624),
        .not_supported = {P::fp8},
        .source = std::string("NVIDIA A100 datasheet and GA100 whitepaper: ") +
                  (sxm ? "SXM4 40/80 GB" : "PCIe 40/80 GB") +
                  ", 108 SMs, 1410 MHz; FP64 9.7, FP64 tensor 19.5, FP32 19.5, TF32 156, "
                  "FP16/BF16 312, INT8 624 dense",
    });
  }
  rows.push_back({
      .vendor = "nvidia",
      .model = "A30",
      .family = "Ampere",
      .arch = "sm_80",
      .pci_device_ids = {0x20b7},
      .name_patterns = {"a30"},
      .units = 56,
      .boost_clock_mhz = 1440,
      .fp64_vector = boost(64, 5.2),
      .fp64_matrix = boost(128, 10.3),
      .fp32_vector = boost(128, 10.3),
      .tf32_matrix = boost(1024, 82),
      .fp16_vector = arch(512, "GA100 SM: FP16x2 at four times the FP32 rate (no A30 figure)"),
      .fp16_matrix = boost(2048, 165),
      .bf16_matrix = boost(2048, 165),
      .int8_matrix = boost(4096, 330),
      .not_supported = {P::fp8},
      .source = "NVIDIA A30 datasheet: 56 SMs, 1440 MHz; FP64 5.2, FP64 tensor 10.3, FP32 10.3, "
                "TF32 82, FP16/BF16 165, INT8 330 dense",
  });

  // --- Ampere GA102 / Ada AD102: 2 FP64 units per SM (1/64 of FP32), FP16
  // non-tensor at the FP32 rate; professional parts have full-rate FP32
  // accumulate in the tensor cores.
  const std::string ga102_fp64 = "2 FP64 units per SM, 1/64 of FP32 (no datasheet figure)";
  const std::string ga102_fp16 = "non-tensor FP16 runs at the FP32 rate (no datasheet figure)";
  rows.push_back({
      .vendor = "nvidia",
      .model = "A40",
      .family = "Ampere",
      .arch = "sm_86",
      .pci_device_ids = {0x2235},
      .name_patterns = {"a40"},
      .units = 84,
      .boost_clock_mhz = 1740,
      .fp64_vector = arch(4, ga102_fp64),
      .fp32_vector = boost(256, 37.4),
      .tf32_matrix = boost(512, 74.8),
      .fp16_vector = arch(256, ga102_fp16),
      .fp16_matrix = boost(1024, 149.7),
      .bf16_matrix = boost(1024, 149.7),
      .int8_matrix = boost(2048, 299.3),
      .not_supported = {P::fp8},
      .source = "NVIDIA A40 datasheet: 84 SMs, 1740 MHz; FP32 37.4, TF32 74.8, FP16/BF16 149.7, "
                "INT8 299.3 dense",
  });
  rows.push_back({
      .vendor = "nvidia",
      .model = "L40S",
      .family = "Ada Lovelace",
      .arch = "sm_89",
      .pci_device_ids = {0x26b9},
      .name_patterns = {"l40s"},
      .units = 142,
      .boost_clock_mhz = 2520,
      .fp64_vector = arch(4, ga102_fp64),
      .fp32_vector = boost(256, 91.6),
      .tf32_matrix = boost(512, 183),
      .fp16_vector = arch(256, ga102_fp16),
      .fp16_matrix = boost(1024, 366.5, "733 sparse / 2; the dense column prints 362.05"),
      .bf16_matrix = boost(1024, 366.5, "733 sparse / 2; the dense column prints 362.05"),
      .fp8_matrix = boost(2048, 733),
      .int8_matrix = boost(2048, 733),
      .source = "NVIDIA L40S datasheet: 142 SMs, 2520 MHz; FP32 91.6, TF32 183, FP16/BF16 733 "
                "sparse, FP8 733, INT8 733 dense",
  });

  // --- Hopper GH100 (sm_90).
  rows.push_back(gh100_sxm("H100 SXM5", {0x2330}, {"h100 sxm5", "h100 sxm", "h100 80gb hbm3"},
                           "NVIDIA H100 whitepaper and datasheet: SXM5, 132 SMs, 1980 MHz (1830 "
                           "for tensor); FP64 33.5 (datasheet 34), FP64 tensor 66.9, FP32 66.9, "
                           "TF32 494.7, FP16/BF16 989.4, FP8 1978.9, INT8 1978.9 dense"));
  rows.push_back({
      .vendor = "nvidia",
      .model = "H100 PCIe",
      .family = "Hopper",
      .arch = "sm_90",
      .pci_device_ids = {0x2331},
      .name_patterns = {"h100 pcie"},
      .units = 114,
      .boost_clock_mhz = 1755,
      .fp64_vector = boost(128, 25.6, "the product datasheet rounds 25.6 up to 26"),
      .fp64_matrix = boost(256, 51.2),
      .fp32_vector = boost(256, 51.2),
      .tf32_matrix = at(2048, 1620, 378, "tensor figures imply 1620 MHz (756.5 / (114 x 4096))"),
      .fp16_vector = boost(512, 102.4, "FP16x2 (HFMA2), whitepaper non-tensor FP16"),
      .fp16_matrix = at(4096, 1620, 756.5, "tensor figures imply 1620 MHz"),
      .bf16_matrix = at(4096, 1620, 756.5, "tensor figures imply 1620 MHz"),
      .fp8_matrix = at(8192, 1620, 1513, "tensor figures imply 1620 MHz"),
      .int8_matrix = at(8192, 1620, 1513, "tensor figures imply 1620 MHz"),
      .source = "NVIDIA H100 whitepaper and datasheet: PCIe, 114 SMs, 1755 MHz; FP64 25.6 "
                "(datasheet 26), FP64 tensor 51, FP32 51, TF32 756, FP16/BF16 1513, FP8 3026, "
                "INT8 3026 sparse",
  });
  const std::string nvl_tc = "tensor figures imply 1545 MHz (835.5 / (132 x 4096))";
  rows.push_back({
      .vendor = "nvidia",
      .model = "H100 NVL",
      .family = "Hopper",
      .arch = "sm_90",
      .pci_device_ids = {0x2321},
      .name_patterns = {"h100 nvl", "h100l"},
      .units = 132,
      .boost_clock_mhz = 1785,
      .fp64_vector = boost(128, 30),
      .fp64_matrix = boost(256, 60),
      .fp32_vector = boost(256, 60),
      .tf32_matrix = at(2048, 1545, 417.5, nvl_tc),
      .fp16_matrix = at(4096, 1545, 835.5, nvl_tc),
      .bf16_matrix = at(4096, 1545, 835.5, nvl_tc),
      .fp8_matrix = at(8192, 1545, 1670.5, nvl_tc),
      .int8_matrix = at(8192, 1545, 1670.5, nvl_tc),
      .source = "NVIDIA H100 datasheet, H100 NVL per GPU: 132 SMs, 1785 MHz; FP64 30, FP64 "
                "tensor 60, FP32 60, TF32 835, FP16/BF16 1671, FP8 3341, INT8 3341 sparse",
  });
  rows.push_back(gh100_sxm("H200 SXM", {0x2335}, {"h200", "h200 sxm"},
                           "NVIDIA H200 datasheet: SXM, 132 SMs, 1980 MHz (1830 for tensor); FP64 "
                           "34 (33.5 exactly), FP64 tensor 67, FP32 67, TF32 989, FP16/BF16 1979, "
                           "FP8 3958, INT8 3958 sparse"));
  const std::string h200nvl_v =
      "NVIDIA publishes no H200 NVL clock; 1776 MHz is implied by FP64 "
      "30 TF / (132 x 128)";
  rows.push_back({
      .vendor = "nvidia",
      .model = "H200 NVL",
      .family = "Hopper",
      .arch = "sm_90",
      .pci_device_ids = {0x233b},
      .name_patterns = {"h200 nvl"},
      .units = 132,
      .fp64_vector = at(128, 1776, 30, h200nvl_v),
      .fp64_matrix = at(256, 1776, 60, h200nvl_v),
      .fp32_vector = at(256, 1776, 60, h200nvl_v),
      .tf32_matrix = at(2048, 1545, 417.5, nvl_tc),
      .fp16_matrix = at(4096, 1545, 835.5, nvl_tc),
      .bf16_matrix = at(4096, 1545, 835.5, nvl_tc),
      .fp8_matrix = at(8192, 1545, 1670.5, nvl_tc),
      .int8_matrix = at(8192, 1545, 1670.5, nvl_tc),
      .source = "NVIDIA H200 datasheet, H200 NVL: 132 SMs; FP64 30, FP64 tensor 60, FP32 60, "
                "TF32 835, FP16/BF16 1671, FP8 3341, INT8 3341 sparse",
  });
  rows.push_back(gh100_sxm("GH200", {0x2342, 0x2348}, {"gh200"},
                           "NVIDIA GH200 datasheet: Hopper GPU with 132 SMs, 1980 MHz (1830 for "
                           "tensor); FP64 34 (33.5 exactly), FP64 tensor 67, FP32 67, TF32 494, "
                           "FP16/BF16 990, FP8 1979, INT8 1979 dense"));

  // The export-limited H20 reports 78 SMs, and its SMs do not run GH100's
  // per-SM rates (FP16 tensor is ~1/4 of H100's per SM, FP64 a few FLOP/clk).
  // NVIDIA publishes neither SM count nor clocks, so every per-SM rate is the
  // datasheet total divided by (78 SMs x 1980 MHz, GH100's boost): exact at
  // that clock, and scaled by a measured one.
  const std::string h20 = "derived: datasheet / (78 SMs x 1980 MHz), not an architectural rate";
  rows.push_back({
      .vendor = "nvidia",
      .model = "H20",
      .family = "Hopper",
      .arch = "sm_90",
      .pci_device_ids = {0x2329},
      .name_patterns = {"h20"},
      .units = 78,
      .boost_clock_mhz = 1980,
      .fp64_vector = derived(1, 78, 1980, h20),
      .fp32_vector = derived(44, 78, 1980, h20),
      .tf32_matrix = derived(74, 78, 1980, h20),
      .fp16_matrix = derived(148, 78, 1980, h20),
      .bf16_matrix = derived(148, 78, 1980, h20),
      .fp8_matrix = derived(296, 78, 1980, h20),
      .int8_matrix = derived(296, 78, 1980, h20),
      .source = "NVIDIA HGX H20 product brief: FP64 1, FP32 44, TF32 74, FP16/BF16 148, FP8 296, "
                "INT8 296 dense; 78 SMs as CUDA reports them (NVIDIA publishes no SM count or "
                "clock). The name also matches H20-3e (0x232c, HBM3e), not separately tabled",
  });

  // --- Blackwell GB100 (sm_100). NVIDIA publishes no B200 clock: 2111.5 MHz
  // is implied by FP64 40 TF / (148 SMs x 128), 1855.7 MHz by FP16 2.25 PF /
  // (148 x 8192). FP64 tensor runs at the FP64 FMA rate on Blackwell.
  const std::string b200_v = "vector figures imply 2111.5 MHz";
  const std::string b200_tc = "tensor figures imply 1855.7 MHz";
  rows.push_back({
      .vendor = "nvidia",
      .model = "B200",
      .family = "Blackwell",
      .arch = "sm_100",
      .pci_device_ids = {0x2901, 0x2909},
      .name_patterns = {"b200"},
      .units = 148,
      .fp64_vector = at(128, 2111.5, 40, b200_v),
      .fp64_matrix = at(128, 2111.5, 40, b200_v),
      .fp32_vector = at(256, 2111.5, 80, b200_v),
      .tf32_matrix =
          at(4096, 1855.7, 1125, b200_tc + "; the datasheet rounds 2.25 PF sparse / 2 to 1.1 PF"),
      .fp16_matrix = at(8192, 1855.7, 2250, b200_tc),
      .bf16_matrix = at(8192, 1855.7, 2250, b200_tc),
      .fp8_matrix = at(16384, 1855.7, 4500, b200_tc),
      .int8_matrix = at(16384, 1855.7, 4500, b200_tc),
      .source = "NVIDIA HGX/DGX B200 datasheet (1000 W), per GPU: 148 SMs; FP64 and FP64 tensor "
                "40, FP32 80, TF32 2.2 PF, FP16/BF16 4.5 PF, FP8 9 PF, INT8 9 POPS sparse",
  });

  return rows;
}

}  // namespace

const std::vector<GpuSpec>& nvidia_gpus() {
  static const std::vector<GpuSpec> rows = make_rows();
  return rows;
}

}  // namespace flopscope::gpu
