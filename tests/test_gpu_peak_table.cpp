// The GPU peak table: every row's per-unit rates reproduce its datasheet
// figures, lookups by PCI id and by name pick the right SKU (H20 vs H200 vs
// H100 above all), and what the table does not know stays unknown.
#include "devices/gpu/gpu_peak_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

namespace flopscope::gpu {
namespace {

const GpuSpec& by_model(std::string_view model) {
  for (const auto& s : all_gpus()) {
    if (s.model == model) return s;
  }
  ADD_FAILURE() << "no row " << model;
  static const GpuSpec none;
  return none;
}

std::string model_of(const GpuSpec* s) {
  return s ? s->model : "(none)";
}

// The derived peak of one pipe, in TFLOP/s (TOP/s); NaN when absent.
double tera(const PeakTable& t, Precision p, Pipe pipe) {
  auto it = t.find(p);
  if (it == t.end()) return NAN;
  const auto& u = pipe == Pipe::vector ? it->second.vector : it->second.matrix;
  if (!u) return NAN;
  auto r = u->ops_per_second();
  return r ? *r / 1e12 : NAN;
}

TEST(GpuPeakTable, EveryRowReproducesItsDatasheet) {
  int checked = 0;
  for (const auto& spec : all_gpus()) {
    SCOPED_TRACE(spec.model);
    EXPECT_TRUE(spec.vendor == "nvidia" || spec.vendor == "amd");
    EXPECT_GT(spec.units, 0);
    EXPECT_FALSE(spec.source.empty());
    EXPECT_FALSE(spec.arch.empty());
    PeakTable t = gpu_peaks(spec, std::nullopt, std::nullopt);
    ASSERT_EQ(t.size(), kAllPrecisions.size());
    int rows_checked = 0;
    for (Precision p : kAllPrecisions) {
      for (Pipe pipe : {Pipe::vector, Pipe::matrix}) {
        const GpuRate* rate = rate_for(spec, p, pipe);
        if (!rate || !rate->present()) {
          const auto& u = pipe == Pipe::vector ? t[p].vector : t[p].matrix;
          EXPECT_FALSE(u.has_value()) << to_string(p) << " " << to_string(pipe);
          continue;
        }
        SCOPED_TRACE(std::string(to_string(p)) + " " + std::string(to_string(pipe)));
        double got = tera(t, p, pipe);
        ASSERT_FALSE(std::isnan(got)) << "no spec clock for a tabled rate";
        if (rate->datasheet_tera > 0) {
          EXPECT_NEAR(got / rate->datasheet_tera, 1.0, 0.015)
              << got << " T vs datasheet " << rate->datasheet_tera;
          ++rows_checked;
        }
      }
      // An absent precision always says why.
      if (!t[p].vector && !t[p].matrix) {
        EXPECT_FALSE(t[p].unknown_reason.empty());
      }
    }
    EXPECT_GE(rows_checked, 2) << "a row with almost no datasheet figure";
    checked += rows_checked;
  }
  EXPECT_GT(checked, 150);
}

// A row with tensor cores / MFMA accounts for every matrix precision: a rate,
// or "not supported". Catches a rate left out of a row by mistake.
TEST(GpuPeakTable, MatrixRowsAccountForEveryMatrixPrecision) {
  for (const auto& spec : all_gpus()) {
    if (!spec.fp16_matrix.present()) continue;
    for (Precision p :
         {Precision::tf32, Precision::fp16, Precision::bf16, Precision::fp8, Precision::int8}) {
      bool unsupported = false;
      for (Precision q : spec.not_supported) unsupported |= q == p;
      // Volta's INT8 is DP4A on the CUDA cores, which the table does not count.
      if (spec.arch == "sm_70" && p == Precision::int8) continue;
      EXPECT_TRUE(rate_for(spec, p, Pipe::matrix)->present() || unsupported)
          << spec.model << " " << to_string(p);
    }
  }
}

TEST(GpuPeakTable, PciIdsAreUniqueAndResolveToTheirRow) {
  std::set<std::pair<std::string, uint16_t>> seen;
  for (const auto& spec : all_gpus()) {
    uint16_t vendor_id = spec.vendor == "nvidia" ? 0x10de : 0x1002;
    for (uint16_t id : spec.pci_device_ids) {
      EXPECT_TRUE(seen.insert({spec.vendor, id}).second) << spec.model << " " << std::hex << id;
      EXPECT_EQ(find_gpu_by_pci_id(vendor_id, id), &spec) << spec.model;
    }
  }
}

TEST(GpuPeakTable, EveryPatternResolvesToItsOwnRow) {
  for (const auto& spec : all_gpus()) {
    for (const auto& pattern : spec.name_patterns) {
      EXPECT_EQ(pattern, normalize_gpu_name(pattern)) << "patterns are stored normalized";
      EXPECT_EQ(model_of(find_gpu_by_name(pattern)), spec.model) << pattern;
    }
  }
}

TEST(GpuPeakTable, FindByPciId) {
  const std::map<std::pair<uint16_t, uint16_t>, std::string> want = {
      {{0x10de, 0x15f9}, "P100 SXM2"},
      {{0x10de, 0x15f8}, "P100 PCIe"},
      {{0x10de, 0x1db1}, "V100 SXM2"},
      {{0x10de, 0x1db6}, "V100 PCIe"},
      {{0x10de, 0x20b0}, "A100 SXM4"},
      {{0x10de, 0x20b2}, "A100 SXM4"},
      {{0x10de, 0x20b5}, "A100 PCIe"},
      {{0x10de, 0x20b7}, "A30"},
      {{0x10de, 0x2235}, "A40"},
      {{0x10de, 0x26b9}, "L40S"},
      {{0x10de, 0x2330}, "H100 SXM5"},
      {{0x10de, 0x2331}, "H100 PCIe"},
      {{0x10de, 0x2321}, "H100 NVL"},
      {{0x10de, 0x2335}, "H200 SXM"},
      {{0x10de, 0x233b}, "H200 NVL"},
      {{0x10de, 0x2342}, "GH200"},
      {{0x10de, 0x2329}, "H20"},
      {{0x10de, 0x2901}, "B200"},
      {{0x1002, 0x738c}, "MI100"},
      {{0x1002, 0x740f}, "MI210"},
      {{0x1002, 0x740c}, "MI250X (per GCD)"},
      {{0x1002, 0x74a1}, "MI300X"},
      {{0x1002, 0x74a0}, "MI300A"},
      {{0x1002, 0x74a5}, "MI325X"},
      {{0x1002, 0x75a3}, "MI355X"},
  };
  for (const auto& [ids, model] : want) {
    EXPECT_EQ(model_of(find_gpu_by_pci_id(ids.first, ids.second)), model)
        << std::hex << ids.first << ":" << ids.second;
  }
  EXPECT_EQ(find_gpu_by_pci_id(0x1002, 0x2330), nullptr);  // NVIDIA id under AMD
  EXPECT_EQ(find_gpu_by_pci_id(0x8086, 0x0bd5), nullptr);  // vendor without a table
  EXPECT_EQ(find_gpu_by_pci_id(0x10de, 0x2324), nullptr);  // H800: not tabled
}

TEST(GpuPeakTable, FindByNameTellsH20H200AndH100Apart) {
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA H20")), "H20");
  EXPECT_EQ(model_of(find_gpu_by_name("GH100 [H20]")), "H20");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA H200")), "H200 SXM");
  EXPECT_EQ(model_of(find_gpu_by_name("nvidia h200")), "H200 SXM");
  EXPECT_EQ(model_of(find_gpu_by_name("GH100 [H200 SXM 141GB]")), "H200 SXM");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA H200 NVL")), "H200 NVL");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA H100 80GB HBM3")), "H100 SXM5");
  EXPECT_EQ(model_of(find_gpu_by_name("GH100 [H100 SXM5 80GB]")), "H100 SXM5");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA H100 PCIe")), "H100 PCIe");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA H100 NVL")), "H100 NVL");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA GH200 480GB")), "GH200");
  EXPECT_EQ(find_gpu_by_name("NVIDIA H800"), nullptr);
  EXPECT_EQ(find_gpu_by_name("NVIDIA H100"), nullptr);  // form factor unknown: no guess
  // Per-SM rates differ although all three are sm_90.
  auto h20 = gpu_peaks(by_model("H20"), std::nullopt, std::nullopt);
  auto h100 = gpu_peaks(by_model("H100 SXM5"), std::nullopt, std::nullopt);
  EXPECT_LT(h20[Precision::fp16].matrix->ops_per_cycle_per_unit,
            h100[Precision::fp16].matrix->ops_per_cycle_per_unit / 3);
  EXPECT_NEAR(tera(h20, Precision::fp16, Pipe::matrix), 148, 0.5);
  EXPECT_NEAR(tera(h20, Precision::fp8, Pipe::matrix), 296, 1);
  EXPECT_NEAR(tera(h20, Precision::fp64, Pipe::vector), 1, 0.01);
}

TEST(GpuPeakTable, FindByNameOtherVendorsAndSpellings) {
  EXPECT_EQ(model_of(find_gpu_by_name("Tesla P100-SXM2-16GB")), "P100 SXM2");
  EXPECT_EQ(model_of(find_gpu_by_name("GP100GL [Tesla P100 SXM2 16GB]")), "P100 SXM2");
  EXPECT_EQ(model_of(find_gpu_by_name("Tesla P100-PCIE-12GB")), "P100 PCIe");
  EXPECT_EQ(model_of(find_gpu_by_name("Tesla V100-SXM2-32GB")), "V100 SXM2");
  EXPECT_EQ(model_of(find_gpu_by_name("Tesla V100-PCIE-16GB")), "V100 PCIe");
  EXPECT_EQ(model_of(find_gpu_by_name("Tesla V100S-PCIE-32GB")), "V100S PCIe");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA A100-SXM4-80GB")), "A100 SXM4");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA A100 80GB PCIe")), "A100 PCIe");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA A100-PCIE-40GB")), "A100 PCIe");
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA L40S")), "L40S");
  EXPECT_EQ(find_gpu_by_name("NVIDIA L40"), nullptr);
  EXPECT_EQ(model_of(find_gpu_by_name("NVIDIA B200")), "B200");
  EXPECT_EQ(find_gpu_by_name("NVIDIA GB200"), nullptr);

  EXPECT_EQ(model_of(find_gpu_by_name("AMD Instinct MI300X")), "MI300X");
  EXPECT_EQ(model_of(find_gpu_by_name("Aqua Vanjaram [Instinct MI300X]")), "MI300X");
  EXPECT_EQ(model_of(find_gpu_by_name("AMD Instinct MI300A")), "MI300A");
  EXPECT_EQ(model_of(find_gpu_by_name("AMD Instinct MI250X")), "MI250X (per GCD)");
  EXPECT_EQ(model_of(find_gpu_by_name("AMD Instinct MI250")), "MI250 (per GCD)");
  EXPECT_EQ(model_of(find_gpu_by_name("AMD Instinct MI210")), "MI210");
  EXPECT_EQ(model_of(find_gpu_by_name("AMD Radeon RX 7900 XTX")), "Radeon RX 7900 XTX");
  EXPECT_EQ(model_of(find_gpu_by_name("Navi 21 [Radeon RX 6900 XT]")), "Radeon RX 6900 XT");
  // pci.ids names for ids shared by several SKUs must not pick one of them.
  EXPECT_EQ(find_gpu_by_name("Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]"), nullptr);
  EXPECT_EQ(find_gpu_by_name("Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]"), nullptr);

  // gfx names: unique only for gfx908; a bare gfx90a is three SKUs.
  EXPECT_EQ(model_of(find_gpu_by_name("gfx908:sramecc+:xnack-")), "MI100");
  EXPECT_EQ(find_gpu_by_name("gfx90a"), nullptr);
  EXPECT_EQ(find_gpu_by_name("gfx942"), nullptr);
  EXPECT_EQ(find_gpus_by_arch("gfx90a:sramecc+:xnack-").size(), 3u);
  EXPECT_EQ(find_gpus_by_arch("gfx942").size(), 3u);
  EXPECT_EQ(find_gpus_by_arch("SM_90").size(), 7u);  // H100 x3, H200 x2, GH200, H20
  EXPECT_TRUE(find_gpus_by_arch("gfx1201").empty());

  EXPECT_EQ(find_gpu_by_name(""), nullptr);
  EXPECT_EQ(find_gpu_by_name("---"), nullptr);
  EXPECT_EQ(normalize_gpu_name("  NVIDIA  A100-SXM4-80GB "), "nvidia a100 sxm4 80gb");
}

TEST(GpuPeakTable, H200Derivation) {
  const GpuSpec* h200 = find_gpu_by_pci_id(0x10de, 0x2335);
  ASSERT_NE(h200, nullptr);
  PeakTable t = gpu_peaks(*h200, std::nullopt, std::nullopt);
  EXPECT_NEAR(tera(t, Precision::fp64, Pipe::vector), 33.45, 0.05);
  EXPECT_NEAR(tera(t, Precision::fp64, Pipe::matrix), 66.9, 0.1);
  EXPECT_NEAR(tera(t, Precision::fp32, Pipe::vector), 66.9, 0.1);
  EXPECT_NEAR(tera(t, Precision::tf32, Pipe::matrix), 494.7, 0.5);
  EXPECT_NEAR(tera(t, Precision::bf16, Pipe::matrix), 989.4, 0.5);
  EXPECT_NEAR(tera(t, Precision::fp8, Pipe::matrix), 1978.9, 1);
  EXPECT_NEAR(tera(t, Precision::int8, Pipe::matrix), 1978.9, 1);
  EXPECT_NEAR(*t[Precision::fp16].best() / 1e12, 989.4, 0.5);

  const UnitPeak& tc = *t[Precision::fp16].matrix;
  EXPECT_EQ(tc.units, 132);
  EXPECT_EQ(tc.ops_per_cycle_per_unit, 4096);
  EXPECT_EQ(tc.clock_hz, 1830e6);  // NVIDIA's tensor clock, not the 1980 MHz boost
  EXPECT_EQ(tc.clock_source, ClockSource::spec_boost);
  EXPECT_NE(tc.table_entry.find("nvidia table: H200 SXM (sm_90)"), std::string::npos);
  EXPECT_NE(tc.table_entry.find("4096 dense FP16 FLOP/clk/SM tensor"), std::string::npos);
  EXPECT_EQ(t[Precision::fp16].vector->clock_hz, 1980e6);
  std::string d = tc.derivation("SM", rate_unit(Precision::fp16));
  EXPECT_NE(d.find("132 SMs x 1.830 GHz (spec boost) x 4096"), std::string::npos) << d;
  EXPECT_NE(t[Precision::int8].matrix->table_entry.find("INT8 OP/clk/SM"), std::string::npos);
}

TEST(GpuPeakTable, UnsupportedPrecisionsSaySo) {
  auto reason = [](std::string_view model, Precision p) {
    PeakTable t = gpu_peaks(by_model(model), std::nullopt, std::nullopt);
    EXPECT_FALSE(t[p].vector.has_value());
    EXPECT_FALSE(t[p].matrix.has_value());
    EXPECT_FALSE(t[p].best().has_value());
    return t[p].unknown_reason;
  };
  EXPECT_EQ(reason("A100 SXM4", Precision::fp8), "not supported by sm_80 (A100 SXM4)");
  EXPECT_EQ(reason("V100 SXM2", Precision::tf32), "not supported by sm_70 (V100 SXM2)");
  EXPECT_EQ(reason("V100 SXM2", Precision::fp8), "not supported by sm_70 (V100 SXM2)");
  EXPECT_EQ(reason("P100 SXM2", Precision::bf16), "not supported by sm_60 (P100 SXM2)");
  EXPECT_EQ(reason("MI100", Precision::tf32), "not supported by gfx908 (MI100)");
  EXPECT_EQ(reason("MI250X (per GCD)", Precision::fp8),
            "not supported by gfx90a (MI250X (per GCD))");
  EXPECT_EQ(reason("MI355X", Precision::tf32), "not supported by gfx950 (MI355X)");
  // Not recorded is not the same as not supported.
  EXPECT_NE(reason("V100 SXM2", Precision::int8).find("no dense INT8 figure"), std::string::npos);
  // A precision with a vector rate only has no matrix peak, and no reason.
  PeakTable mi100 = gpu_peaks(by_model("MI100"), std::nullopt, std::nullopt);
  EXPECT_TRUE(mi100[Precision::fp64].vector.has_value());
  EXPECT_FALSE(mi100[Precision::fp64].matrix.has_value());
  EXPECT_TRUE(mi100[Precision::fp64].unknown_reason.empty());
}

TEST(GpuPeakTable, LiveUnitsReplaceTheTableCountNotThePerUnitRate) {
  const GpuSpec& h100 = by_model("H100 SXM5");
  PeakTable spec = gpu_peaks(h100, std::nullopt, std::nullopt);
  PeakTable mig = gpu_peaks(h100, 16, std::nullopt);  // e.g. a 2g MIG slice
  const UnitPeak& s = *spec[Precision::fp16].matrix;
  const UnitPeak& m = *mig[Precision::fp16].matrix;
  EXPECT_EQ(m.units, 16);
  EXPECT_EQ(m.ops_per_cycle_per_unit, s.ops_per_cycle_per_unit);
  EXPECT_EQ(m.clock_hz, s.clock_hz);
  EXPECT_NEAR(*m.ops_per_second() / *s.ops_per_second(), 16.0 / 132, 1e-12);
  EXPECT_NE(m.note.find("SM count from the runtime (table: 132)"), std::string::npos) << m.note;
  // The same count as the table adds no note about it.
  PeakTable same = gpu_peaks(h100, 132, std::nullopt);
  EXPECT_EQ(same[Precision::fp16].matrix->note.find("from the runtime"), std::string::npos);
  // Zero or negative counts are ignored rather than zeroing the peak.
  EXPECT_EQ(gpu_peaks(h100, 0, std::nullopt)[Precision::fp64].vector->units, 132);

  // MI300X in CPX mode: one partition of 38 CUs.
  PeakTable cpx = gpu_peaks(by_model("MI300X"), 38, std::nullopt);
  EXPECT_NEAR(tera(cpx, Precision::fp16, Pipe::matrix), 1307.4 * 38 / 304, 0.5);
  EXPECT_NE(cpx[Precision::fp16].matrix->table_entry.find("FLOP/clk/CU matrix (MFMA)"),
            std::string::npos);
}

TEST(GpuPeakTable, LiveClockReplacesEveryDatasheetClock) {
  const GpuSpec& h100 = by_model("H100 SXM5");
  PeakTable t = gpu_peaks(h100, std::nullopt, 1500.0);
  for (Precision p : {Precision::fp64, Precision::fp16, Precision::int8}) {
    for (const auto* u : {&t[p].vector, &t[p].matrix}) {
      if (!*u) continue;
      EXPECT_EQ((*u)->clock_hz, 1500e6);
      EXPECT_EQ((*u)->clock_source, ClockSource::measured_under_load);
    }
  }
  EXPECT_NEAR(tera(t, Precision::fp64, Pipe::vector), 132 * 128 * 1.5e9 / 1e12, 1e-9);
  EXPECT_NE(t[Precision::fp16].matrix->note.find("datasheet clock 1830 MHz"), std::string::npos);
  PeakTable given = gpu_peaks(h100, std::nullopt, 1700.0, ClockSource::user_given);
  EXPECT_EQ(given[Precision::fp32].vector->clock_source, ClockSource::user_given);
}

TEST(GpuPeakTable, RowWithoutAClockIsUnknownUntilOneIsGiven) {
  GpuSpec spec = by_model("H100 SXM5");
  spec.boost_clock_mhz = 0;  // as for a SKU whose vendor publishes no clock
  PeakTable t = gpu_peaks(spec, std::nullopt, std::nullopt);
  EXPECT_FALSE(t[Precision::fp64].best().has_value());
  EXPECT_NE(t[Precision::fp64].unknown_reason.find("no published clock"), std::string::npos);
  EXPECT_EQ(t[Precision::fp64].vector->clock_source, ClockSource::none);
  // Its per-clock rate is still there for a recording without a clock.
  EXPECT_EQ(t[Precision::fp64].vector->ops_per_ghz(), 132 * 128 * 1e9);
  // The tensor rates carry their own clock.
  EXPECT_TRUE(t[Precision::fp16].best().has_value());
  PeakTable live = gpu_peaks(spec, std::nullopt, 1400.0);
  EXPECT_TRUE(live[Precision::fp64].best().has_value());
  EXPECT_TRUE(live[Precision::fp64].unknown_reason.empty());
}

TEST(GpuPeakTable, PerGcdRowsForMi250x) {
  const GpuSpec& mi250x = by_model("MI250X (per GCD)");
  EXPECT_EQ(mi250x.units, 110);  // HIP shows each GCD as a device
  PeakTable t = gpu_peaks(mi250x, 110, std::nullopt);
  EXPECT_NEAR(tera(t, Precision::fp64, Pipe::vector) * 2, 47.9, 0.1);
  EXPECT_NEAR(tera(t, Precision::fp64, Pipe::matrix) * 2, 95.7, 0.1);
  EXPECT_NEAR(tera(t, Precision::fp16, Pipe::matrix) * 2, 383, 0.5);
  EXPECT_NEAR(tera(t, Precision::int8, Pipe::matrix) * 2, 383, 0.5);
}

TEST(GpuPeakTable, UnknownGpu) {
  PeakTable t = unknown_gpu_peaks("no table entry for NVIDIA H800 (10de:2324)");
  ASSERT_EQ(t.size(), kAllPrecisions.size());
  for (Precision p : kAllPrecisions) {
    EXPECT_FALSE(t[p].vector.has_value());
    EXPECT_FALSE(t[p].matrix.has_value());
    EXPECT_FALSE(t[p].best().has_value());
    EXPECT_EQ(t[p].unknown_reason, "no table entry for NVIDIA H800 (10de:2324)");
  }
}

}  // namespace
}  // namespace flopscope::gpu
