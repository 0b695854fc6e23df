// Host-side pieces of the HIP backend, tested without an AMD GPU: the device
// record and its peaks for recorded GPUs (MI250X GCD, MI300X whole and as a
// CPX partition, RX 6900 XT, an unknown GPU), CU counting in WGP mode, and
// ROCm SMI's bus id decoding.
#include <gtest/gtest.h>

#include "devices/hip/hip_device_info.h"
#include "devices/hip/rocm_smi_library.h"

using namespace flopscope;
using flopscope::hip::HipDeviceInfo;

namespace {

HipDeviceInfo mi250x_gcd() {
  HipDeviceInfo i;
  i.ordinal = 1;
  i.name = "AMD Instinct MI250X";
  i.gcn_arch_name = "gfx90a:sramecc+:xnack-";
  i.compute_units = i.multiprocessors = 110;
  i.wave_size = 64;
  i.pci_bus_id = "0000:c1:00.0";
  i.pci_device_id = 0x740c;
  i.memory_bytes = uint64_t{64} << 30;
  i.l2_bytes = 8 << 20;
  i.rocm_smi_unavailable = "librocm_smi64.so not found";
  return i;
}

HipDeviceInfo mi300x(int cus) {
  HipDeviceInfo i;
  i.name = "AMD Instinct MI300X";
  i.gcn_arch_name = "gfx942:sramecc+:xnack-";
  i.compute_units = i.multiprocessors = cus;
  i.pci_bus_id = "0000:0c:00.0";
  i.pci_device_id = 0x74a1;
  return i;
}

// TFLOP/s of one pipe of one precision.
double tera(const Device& d, Precision p, bool matrix = false) {
  const PrecisionPeak& peak = d.peaks.at(p);
  const auto& unit = matrix ? peak.matrix : peak.vector;
  if (!unit || !unit->ops_per_second()) return -1;
  return *unit->ops_per_second() / 1e12;
}

}  // namespace

TEST(HipDevice, Mi250xGcdHasHalfThePackagePeak) {
  const Device d = hip::describe_hip_device(mi250x_gcd());
  EXPECT_EQ(d.id, "hip:1");
  EXPECT_EQ(d.kind, "hip");
  EXPECT_EQ(d.identity.pci_bus_id, "0000:c1:00.0");
  EXPECT_EQ(d.details["table_entry"]["matched_by"], "PCI device id");
  EXPECT_EQ(d.details["table_entry"]["model"], "MI250X (per GCD)");
  EXPECT_EQ(d.details["arch"], "gfx90a");
  EXPECT_EQ(d.details["gcn_arch_name"], "gfx90a:sramecc+:xnack-");
  EXPECT_EQ(d.details["cus"], 110);
  EXPECT_EQ(d.details["wave_size"], 64);
  EXPECT_EQ(d.details["pci_device_id"], "1002:740c");
  EXPECT_EQ(d.details["rocm_smi"], "unavailable: librocm_smi64.so not found");
  // 110 CUs x 1.7 GHz x 128 FLOP/clk = 23.94 TFLOP/s: the datasheet's 47.9
  // for the package of two GCDs, halved.
  EXPECT_NEAR(tera(d, Precision::fp64), 110 * 128 * 1.7e9 / 1e12, 1e-9);
  EXPECT_NEAR(tera(d, Precision::fp64), 47.9 / 2, 0.05);
  EXPECT_NEAR(tera(d, Precision::fp64, true), 95.7 / 2, 0.05);
  EXPECT_NEAR(tera(d, Precision::fp16, true), 383.0 / 2, 0.3);
  EXPECT_FALSE(d.peaks.at(Precision::fp8).best());  // CDNA2 has no FP8
}

TEST(HipDevice, Mi300xAndACpxPartition) {
  const Device whole = hip::describe_hip_device(mi300x(304));
  EXPECT_EQ(whole.details["table_entry"]["model"], "MI300X");
  EXPECT_NEAR(tera(whole, Precision::fp64), 81.7, 0.05);
  EXPECT_NEAR(tera(whole, Precision::fp16, true), 1307.4, 0.5);
  EXPECT_NEAR(tera(whole, Precision::fp8, true), 2614.9, 1.0);
  // CPX mode: eight devices of 38 CUs each; the per-CU rate stays.
  const Device part = hip::describe_hip_device(mi300x(38));
  EXPECT_NEAR(tera(part, Precision::fp64), 38 * 128 * 2.1e9 / 1e12, 1e-9);
  EXPECT_NEAR(tera(part, Precision::fp64), tera(whole, Precision::fp64) / 8, 1e-9);
}

TEST(HipDevice, RadeonMatchedByNameWhenThePciIdIsShared) {
  HipDeviceInfo i;
  i.name = "AMD Radeon RX 6900 XT";
  i.gcn_arch_name = "gfx1030";
  i.multiprocessors = 40;  // WGPs, as HIP counts them on RDNA
  i.compute_units = hip::compute_units_from_runtime("gfx1030", 40, true);
  i.wave_size = 32;
  i.pci_device_id = 0x73bf;  // RX 6800 / 6800 XT / 6900 XT: not in the table by id
  const Device d = hip::describe_hip_device(i);
  EXPECT_EQ(d.details["table_entry"]["matched_by"], "name");
  EXPECT_EQ(d.details["table_entry"]["model"], "Radeon RX 6900 XT");
  EXPECT_EQ(d.details["cus"], 80);
  EXPECT_EQ(d.details["hip_multiprocessors"], 40);
  EXPECT_NEAR(tera(d, Precision::fp32), 23.04, 0.01);
  EXPECT_NEAR(tera(d, Precision::fp16), 46.08, 0.01);
  EXPECT_FALSE(d.peaks.at(Precision::bf16).best());  // no matrix units
}

TEST(HipDevice, UnknownGpuHasUnknownPeaksWithAReason) {
  HipDeviceInfo i;
  i.ordinal = 0;
  i.name = "AMD Mystery Accelerator";
  i.gcn_arch_name = "gfx90a:sramecc+:xnack-";  // three table rows: not enough
  i.compute_units = 104;
  i.pci_device_id = 0x7fff;
  const Device d = hip::describe_hip_device(i);
  for (Precision p : kAllPrecisions) {
    EXPECT_FALSE(d.peaks.at(p).best()) << to_string(p);
    EXPECT_NE(d.peaks.at(p).unknown_reason.find("no table entry for AMD Mystery Accelerator"),
              std::string::npos)
        << d.peaks.at(p).unknown_reason;
  }
  EXPECT_EQ(d.details["table_entry"], "none: measured, peak unknown");
  EXPECT_EQ(d.details["pci_device_id"], "1002:7fff");
}

TEST(HipDevice, AGfxTargetWithOneTableRowIsEnough) {
  HipDeviceInfo i;
  i.name = "Device 738c";  // what old runtimes report without a marketing name
  i.gcn_arch_name = "gfx908:sramecc+:xnack-";
  i.compute_units = 120;
  const Device d = hip::describe_hip_device(i);
  EXPECT_EQ(d.details["table_entry"]["model"], "MI100");
  EXPECT_NE(d.details["table_entry"]["matched_by"].get<std::string>().find("gfx target"),
            std::string::npos);
  EXPECT_NEAR(tera(d, Precision::fp64), 11.5, 0.05);
}

TEST(HipDevice, ComputeUnitsFromTheRuntimesCount) {
  EXPECT_EQ(hip::compute_units_from_runtime("gfx1030", 40, true), 80);
  EXPECT_EQ(hip::compute_units_from_runtime("gfx1100", 48, true), 96);
  EXPECT_EQ(hip::compute_units_from_runtime("gfx1030", 80, false), 80);  // CU mode
  EXPECT_EQ(hip::compute_units_from_runtime("gfx90a", 110, true), 110);
  EXPECT_EQ(hip::compute_units_from_runtime("gfx942", 304, true), 304);
  EXPECT_EQ(hip::compute_units_from_runtime("gfx908", 120, true), 120);
}

TEST(HipDevice, ArchDropsTargetFeatures) {
  HipDeviceInfo i;
  i.gcn_arch_name = "gfx90a:sramecc+:xnack-";
  EXPECT_EQ(i.arch(), "gfx90a");
  i.gcn_arch_name = "gfx1030";
  EXPECT_EQ(i.arch(), "gfx1030");
}

TEST(RocmSmi, BdfIdDecodesToHwlocsBusId) {
  EXPECT_EQ(hip::bus_id_from_rsmi_bdfid(0x3b00), "0000:3b:00.0");
  // Domain 1, bus 0xc1, device 0x1f, function 7.
  EXPECT_EQ(hip::bus_id_from_rsmi_bdfid((uint64_t{1} << 32) | (0xc1 << 8) | (0x1f << 3) | 7),
            "0001:c1:1f.7");
  // ROCm 6 puts a partition id in bits 31..28: not part of the bus id.
  EXPECT_EQ(hip::bus_id_from_rsmi_bdfid((uint64_t{3} << 28) | 0x3b00), "0000:3b:00.0");
}

TEST(RocmSmi, ReadingSaysWhatIsMissing) {
  hip::RocmSmiReading r;
  r.power_w = 300.5;
  r.clock_unavailable = "rsmi_dev_gpu_clk_freq_get failed (status 2)";
  const auto j = r.to_json();
  EXPECT_EQ(j["power_w"], 300.5);
  EXPECT_EQ(j["sys_clock_mhz"], "unavailable: rsmi_dev_gpu_clk_freq_get failed (status 2)");
  EXPECT_EQ(j["throttle_status"], "not read");
  EXPECT_FALSE(j.contains("temperature_edge_c"));
}

// rsmi_frequencies_t as ROCm 5 lays it out (32 levels) and as ROCm 6 does
// (a leading bool has_deep_sleep, 33 levels).
struct V5Table {
  uint32_t num_supported, current;
  uint64_t frequency[32];
};
struct V6Table {
  bool has_deep_sleep;
  uint32_t num_supported, current;
  uint64_t frequency[33];
};

TEST(RocmSmi, FrequencyTableInEitherLayout) {
  V5Table v5{};
  v5.num_supported = 3;
  v5.current = 1;
  v5.frequency[0] = 500'000'000;
  v5.frequency[1] = 1'400'000'000;
  v5.frequency[2] = 1'700'000'000;
  std::string why;
  auto c = hip::decode_rsmi_frequencies(&v5, sizeof v5, &why);
  ASSERT_TRUE(c) << why;
  EXPECT_DOUBLE_EQ(c->current_mhz, 1400);
  EXPECT_DOUBLE_EQ(c->highest_mhz, 1700);

  for (bool deep_sleep : {false, true}) {
    V6Table v6{};
    v6.has_deep_sleep = deep_sleep;
    v6.num_supported = 4;
    v6.current = 3;
    v6.frequency[0] = 100'000'000;
    v6.frequency[1] = 500'000'000;
    v6.frequency[2] = 1'500'000'000;
    v6.frequency[3] = 2'100'000'000;
    c = hip::decode_rsmi_frequencies(&v6, sizeof v6, &why);
    ASSERT_TRUE(c) << why;
    EXPECT_DOUBLE_EQ(c->current_mhz, 2100);
    EXPECT_DOUBLE_EQ(c->highest_mhz, 2100);
  }

  V5Table empty{};
  EXPECT_FALSE(hip::decode_rsmi_frequencies(&empty, sizeof empty, &why));
  EXPECT_NE(why.find("neither"), std::string::npos) << why;
}
