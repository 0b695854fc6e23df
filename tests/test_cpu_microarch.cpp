// Recorded CPUs must derive the right per-cycle figures; the live ISA detection must agree with
// what the kernel reports in /proc/cpuinfo.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "devices/arm_implementers.h"
#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_microarch.h"

namespace flopscope::cpu {
namespace {

CpuIsa avx2_only() {
  CpuIsa i;
  i.sse2 = i.avx = i.avx2 = i.fma = true;
  return i;
}

CpuIdent x86(const char* vendor, int family, int model, int stepping, std::string name) {
  CpuIdent id;
  id.vendor = vendor;
  id.family = family;
  id.model = model;
  id.stepping = stepping;
  id.model_name = std::move(name);
  return id;
}

Microarch must_identify(const CpuIdent& id) {
  std::string why;
  auto m = identify_microarch(id, &why);
  EXPECT_TRUE(m.has_value()) << why;
  return m.value_or(Microarch{});
}

double vec(const PeakTable& t, Precision p) {
  const PrecisionPeak& pp = t.at(p);
  return pp.vector ? pp.vector->ops_per_cycle_per_unit : 0;
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// One table of Arm implementer codes for cpuinfo/MIDR and hwloc alike.
TEST(CpuIdentity, ArmImplementerVendors) {
  using flopscope::cpu::arm_implementer_vendor;
  EXPECT_EQ(arm_implementer_vendor(0x41), "ARM");  // as the microarchitecture table spells it
  EXPECT_EQ(arm_implementer_vendor(0x4e), "NVIDIA");
  EXPECT_EQ(arm_implementer_vendor(0x53), "Samsung");
  EXPECT_EQ(arm_implementer_vendor(0xc0), "Ampere");
  EXPECT_EQ(arm_implementer_vendor(0x7), "Arm implementer 0x07");
  // /proc/cpuinfo goes through the same table.
  EXPECT_EQ(flopscope::cpu::parse_arm_cpuinfo("CPU implementer : 0x53\nCPU part : 0x002\n").vendor,
            "Samsung");
}

// This development machine as recorded: cpuid says AuthenticAMD family 25 model 1 "AMD EPYC",
// with AVX2 and FMA but no AVX-512.
TEST(CpuMicroarch, DevMachineRecordingIsZen3) {
  CpuIdent id = x86("AuthenticAMD", 25, 1, 1, "AMD EPYC");
  Microarch m = must_identify(id);
  EXPECT_EQ(m.name, "Zen 3");
  PeakTable t =
      cpu_peaks(m, avx2_only(), 2, 3.0e9, ClockSource::measured_under_load, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 16);
  EXPECT_EQ(vec(t, Precision::fp32), 32);
  EXPECT_DOUBLE_EQ(*t.at(Precision::fp64).best(), 2 * 3.0e9 * 16);
  EXPECT_TRUE(has(t.at(Precision::fp64).vector->table_entry, "Zen 3"));
  // No BF16, FP16 or INT8 dot-product instructions: unknown, with the missing ISA named.
  EXPECT_FALSE(t.at(Precision::bf16).vector);
  EXPECT_TRUE(has(t.at(Precision::bf16).unknown_reason, "AVX512_BF16"));
  EXPECT_TRUE(has(t.at(Precision::int8).unknown_reason, "VNNI"));
  EXPECT_TRUE(has(t.at(Precision::fp16).unknown_reason, "AVX512_FP16"));
  EXPECT_TRUE(has(t.at(Precision::tf32).unknown_reason, "TF32"));
}

TEST(CpuMicroarch, Zen5EpycFull512) {
  CpuIdent id = x86("AuthenticAMD", 0x1a, 0x02, 1, "AMD EPYC 9755 128-Core Processor");
  Microarch m = must_identify(id);
  EXPECT_EQ(m.name, "Zen 5");
  CpuIsa isa = implied_isa(m);
  EXPECT_TRUE(isa.avx512f && isa.avx512_bf16 && isa.avx512_vnni);
  PeakTable t = cpu_peaks(m, isa, 128, 0, ClockSource::none, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 32);
  EXPECT_EQ(vec(t, Precision::fp32), 64);
  EXPECT_EQ(vec(t, Precision::bf16), 128);
  EXPECT_EQ(vec(t, Precision::int8), 256);
  EXPECT_FALSE(t.at(Precision::fp16).vector);  // Zen 5 has no AVX512_FP16
  // No clock: the figure stays per GHz and says so.
  EXPECT_FALSE(t.at(Precision::fp64).best());
  EXPECT_TRUE(has(t.at(Precision::fp64).unknown_reason, "no clock"));
  EXPECT_DOUBLE_EQ(t.at(Precision::fp64).vector->ops_per_ghz(), 128 * 32 * 1e9);
  // The development VM's name (DESIGN.md) carries no "EPYC" and must not look like a mobile part.
  Microarch vm =
      must_identify(x86("AuthenticAMD", 0x1a, 0x02, 1, "Oxide Virtual Turin-like Processor"));
  EXPECT_EQ(vec(cpu_peaks(vm, implied_isa(vm), 2, 0, ClockSource::none,
                          "Oxide Virtual Turin-like Processor"),
                Precision::fp64),
            32);
}

TEST(CpuMicroarch, Zen5WithAvx512HiddenGetsAvx2Rate) {
  CpuIdent id = x86("AuthenticAMD", 0x1a, 0x02, 1, "AMD EPYC 9755 128-Core Processor");
  Microarch m = must_identify(id);
  PeakTable t = cpu_peaks(m, avx2_only(), 4, 3e9, ClockSource::measured_under_load, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 16);
  const std::string& note = t.at(Precision::fp64).vector->note;
  EXPECT_TRUE(has(note, "capped")) << note;
  EXPECT_TRUE(has(note, "AVX-512F")) << note;
  EXPECT_FALSE(t.at(Precision::bf16).vector);
  EXPECT_TRUE(has(t.at(Precision::bf16).unknown_reason, "AVX512_BF16"));
}

TEST(CpuMicroarch, Zen5MobileHas256BitDatapath) {
  CpuIdent id = x86("AuthenticAMD", 0x1a, 0x24, 0, "AMD Ryzen AI 9 HX 370 w/ Radeon 890M");
  Microarch m = must_identify(id);
  EXPECT_EQ(m.fma_width_bits, 256);
  EXPECT_FALSE(m.sku_exception.empty());
  PeakTable t = cpu_peaks(m, implied_isa(m), 12, 0, ClockSource::none, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 16);
  EXPECT_EQ(vec(t, Precision::bf16), 64);
  // From the name alone (no family/model), and applied again by cpu_peaks without harm.
  CpuIdent by_name;
  by_name.model_name = id.model_name;
  Microarch n = must_identify(by_name);
  EXPECT_EQ(
      vec(cpu_peaks(n, implied_isa(n), 1, 0, ClockSource::none, id.model_name), Precision::fp64),
      16);
  // Desktop Zen 5 (Granite Ridge) keeps the full datapath.
  Microarch d = must_identify(x86("AuthenticAMD", 0x1a, 0x44, 0, "AMD Ryzen 9 9950X 16-Core"));
  EXPECT_EQ(vec(cpu_peaks(d, implied_isa(d), 1, 0, ClockSource::none, ""), Precision::fp64), 32);
}

TEST(CpuMicroarch, Zen4Is16Fp64) {
  CpuIdent id = x86("AuthenticAMD", 0x19, 0x11, 1, "AMD EPYC 9654 96-Core Processor");
  Microarch m = must_identify(id);
  EXPECT_EQ(m.name, "Zen 4");
  PeakTable t = cpu_peaks(m, implied_isa(m), 96, 2.4e9, ClockSource::spec_base, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 16);
  EXPECT_EQ(vec(t, Precision::fp32), 32);
  EXPECT_EQ(vec(t, Precision::bf16), 64);
  EXPECT_EQ(vec(t, Precision::int8), 128);
}

TEST(CpuMicroarch, OlderZenAndIntel) {
  EXPECT_EQ(vec(cpu_peaks(must_identify(x86("AuthenticAMD", 0x17, 0x01, 2, "AMD EPYC 7451")),
                          avx2_only(), 1, 0, ClockSource::none, ""),
                Precision::fp64),
            8);
  EXPECT_EQ(must_identify(x86("AuthenticAMD", 0x17, 0x31, 0, "")).name, "Zen 2");
  Microarch hsw = must_identify(x86("GenuineIntel", 6, 0x3f, 2, ""));
  EXPECT_EQ(vec(cpu_peaks(hsw, implied_isa(hsw), 1, 0, ClockSource::none, ""), Precision::fp64),
            16);
  Microarch knl = must_identify(x86("GenuineIntel", 6, 0x57, 1, "Intel(R) Xeon Phi(TM) CPU 7210"));
  EXPECT_EQ(knl.name, "Knights Landing");
  EXPECT_EQ(vec(cpu_peaks(knl, implied_isa(knl), 64, 0, ClockSource::none, ""), Precision::fp64),
            32);
}

TEST(CpuMicroarch, XeonGold6140HasTwoFmaUnits) {
  CpuIdent id = x86("GenuineIntel", 6, 0x55, 4, "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz");
  Microarch m = must_identify(id);
  EXPECT_EQ(m.name, "Skylake-SP");
  EXPECT_TRUE(m.sku_exception.empty());
  PeakTable t = cpu_peaks(m, implied_isa(m), 18, 2.3e9, ClockSource::spec_base, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 32);
  EXPECT_EQ(vec(t, Precision::fp32), 64);
  EXPECT_TRUE(has(t.at(Precision::int8).unknown_reason, "VNNI"));  // Skylake-SP has no VNNI
  auto c = spec_clock(id);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->base_hz, 2.3e9);
  EXPECT_DOUBLE_EQ(c->boost_hz, 3.7e9);
  EXPECT_TRUE(has(c->source, "model name")) << c->source;
}

TEST(CpuMicroarch, XeonSilver4214HasOneFmaUnit) {
  CpuIdent id = x86("GenuineIntel", 6, 0x55, 7, "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz");
  Microarch m = must_identify(id);
  EXPECT_EQ(m.name, "Cascade Lake");
  PeakTable t = cpu_peaks(m, implied_isa(m), 12, 2.2e9, ClockSource::spec_base, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 16);
  EXPECT_EQ(vec(t, Precision::int8), 128);  // vpdpbusd on the one 512-bit unit
  const std::string& note = t.at(Precision::fp64).vector->note;
  EXPECT_TRUE(has(note, "SKU exception")) << note;
  EXPECT_TRUE(has(note, "Xeon Silver 4214")) << note;
  EXPECT_TRUE(has(note, "one 512-bit FMA unit")) << note;
  // With AVX-512 hidden the rate is the same 2 x 256 bits, and no cap is claimed.
  PeakTable a = cpu_peaks(m, avx2_only(), 12, 2.2e9, ClockSource::spec_base, id.model_name);
  EXPECT_EQ(vec(a, Precision::fp64), 16);
  EXPECT_FALSE(has(a.at(Precision::fp64).vector->note, "capped"));
}

TEST(CpuMicroarch, XeonGold5xxxSingleFmaExceptFor5122) {
  CpuIdent id = x86("GenuineIntel", 6, 0x55, 7, "Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz");
  Microarch m = must_identify(id);
  EXPECT_EQ(m.fma_pipes, 1);
  EXPECT_TRUE(has(m.sku_exception, "Gold 5218"));
  EXPECT_EQ(
      vec(cpu_peaks(m, implied_isa(m), 16, 0, ClockSource::none, id.model_name), Precision::fp64),
      16);
  CpuIdent g5122 = x86("GenuineIntel", 6, 0x55, 4, "Intel(R) Xeon(R) Gold 5122 CPU @ 3.60GHz");
  Microarch e = must_identify(g5122);
  EXPECT_EQ(
      vec(cpu_peaks(e, implied_isa(e), 4, 0, ClockSource::none, g5122.model_name), Precision::fp64),
      32);
  EXPECT_TRUE(has(e.sku_exception, "two 512-bit FMA units"));
}

TEST(CpuMicroarch, SapphireRapidsAmxAndNameOnly) {
  CpuIdent id;
  id.model_name = "Intel(R) Xeon(R) Platinum 8480+";
  Microarch m = must_identify(id);
  EXPECT_EQ(m.name, "Sapphire Rapids");
  PeakTable t = cpu_peaks(m, implied_isa(m), 56, 2.0e9, ClockSource::spec_base, id.model_name);
  EXPECT_EQ(vec(t, Precision::fp64), 32);
  EXPECT_EQ(vec(t, Precision::fp16), 128);
  ASSERT_TRUE(t.at(Precision::bf16).matrix);
  EXPECT_EQ(t.at(Precision::bf16).matrix->ops_per_cycle_per_unit, 1024);
  EXPECT_EQ(t.at(Precision::int8).matrix->ops_per_cycle_per_unit, 2048);
  EXPECT_DOUBLE_EQ(*t.at(Precision::bf16).best(), 56 * 2.0e9 * 1024);
  // AMX hidden (no XCR0 tile state): vector BF16 only.
  CpuIsa no_amx = implied_isa(m);
  no_amx.amx_tile = no_amx.amx_bf16 = no_amx.amx_int8 = false;
  PeakTable v = cpu_peaks(m, no_amx, 56, 2.0e9, ClockSource::spec_base, id.model_name);
  EXPECT_FALSE(v.at(Precision::bf16).matrix);
  EXPECT_EQ(vec(v, Precision::bf16), 128);
  auto c = spec_clock(id);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->boost_hz, 3.8e9);
}

TEST(CpuMicroarch, NeoverseV2) {
  CpuIdent id = parse_arm_cpuinfo(
      "processor\t: 0\nBogoMIPS\t: 2000.00\nFeatures\t: fp asimd sve2\n"
      "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\n"
      "CPU part\t: 0xd4f\nCPU revision\t: 0\n");
  EXPECT_EQ(id.vendor, "ARM");
  EXPECT_EQ(id.arm_part, 0xd4fu);
  Microarch m = must_identify(id);
  EXPECT_EQ(m.name, "Neoverse V2");
  PeakTable t = cpu_peaks(m, implied_isa(m), 72, 3.1e9, ClockSource::user_given, "");
  EXPECT_EQ(vec(t, Precision::fp64), 16);
  EXPECT_EQ(vec(t, Precision::fp32), 32);
  EXPECT_EQ(vec(t, Precision::fp16), 64);
  EXPECT_EQ(vec(t, Precision::int8), 128);
  EXPECT_TRUE(has(t.at(Precision::bf16).unknown_reason, "Neoverse V2"));
  Microarch n1 = must_identify(parse_arm_cpuinfo("CPU implementer : 0x41\nCPU part : 0xd0c\n"));
  EXPECT_EQ(vec(cpu_peaks(n1, implied_isa(n1), 1, 0, ClockSource::none, ""), Precision::fp64), 8);
  Microarch v1 = must_identify(parse_arm_cpuinfo("CPU implementer : 0x41\nCPU part : 0xd40\n"));
  EXPECT_EQ(vec(cpu_peaks(v1, implied_isa(v1), 1, 0, ClockSource::none, ""), Precision::fp64), 16);
}

TEST(CpuMicroarch, UnknownCpuGivesReasonNeverAGuess) {
  std::string why;
  EXPECT_FALSE(identify_microarch(x86("AuthenticAMD", 0x1b, 0x02, 0, "AMD EPYC 9999"), &why));
  EXPECT_TRUE(has(why, "family 0x1b model 0x02")) << why;
  EXPECT_TRUE(has(why, "not in the microarchitecture table")) << why;
  EXPECT_FALSE(
      identify_microarch(parse_arm_cpuinfo("CPU implementer : 0xc0\nCPU part : 0xac3\n"), &why));
  EXPECT_TRUE(has(why, "0xc0")) << why;
  EXPECT_FALSE(identify_microarch(x86("GenuineIntel", 6, 0x85, 0, ""), &why));  // Knights Mill
  EXPECT_FALSE(identify_microarch(CpuIdent{}, nullptr));
  PeakTable t = unknown_cpu_peaks("peak unknown: test");
  EXPECT_EQ(t.size(), kAllPrecisions.size());
  for (const auto& [p, pp] : t) {
    EXPECT_FALSE(pp.vector);
    EXPECT_FALSE(pp.matrix);
    EXPECT_EQ(pp.unknown_reason, "peak unknown: test");
  }
}

TEST(CpuMicroarch, SpecClocks) {
  EXPECT_DOUBLE_EQ(*parse_name_clock_hz("Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz"), 2.3e9);
  EXPECT_DOUBLE_EQ(*parse_name_clock_hz("Some CPU @ 1300MHz"), 1.3e9);
  EXPECT_FALSE(parse_name_clock_hz("AMD EPYC 7763 64-Core Processor"));
  CpuIdent epyc;
  epyc.model_name = "AMD EPYC 7763 64-Core Processor";
  auto c = spec_clock(epyc);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->base_hz, 2.45e9);
  EXPECT_DOUBLE_EQ(c->boost_hz, 3.5e9);
  EXPECT_TRUE(has(c->source, "SKU table")) << c->source;
  EXPECT_EQ(must_identify(epyc).name, "Zen 3");
  CpuIdent phi;
  phi.model_name = "Intel(R) Xeon Phi(TM) CPU 7210 @ 1.30GHz";
  c = spec_clock(phi);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->base_hz, 1.3e9);
  EXPECT_DOUBLE_EQ(c->boost_hz, 1.5e9);
  CpuIdent unknown;
  unknown.model_name = "AMD EPYC";
  EXPECT_FALSE(spec_clock(unknown));
}

// --- live machine ---------------------------------------------------------------------------

std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string k = line.substr(0, colon);
    k.erase(k.find_last_not_of(" \t") + 1);
    if (k == key) {
      std::string v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "";
}

std::set<std::string> cpuinfo_flags(const std::string& key) {
  std::istringstream in(cpuinfo_field(key));
  std::set<std::string> out;
  for (std::string f; in >> f;) out.insert(f);
  return out;
}

TEST(CpuIsaLive, AgreesWithProcCpuinfo) {
  CpuIsa isa = detect_cpu_isa();
#if defined(__x86_64__)
  std::set<std::string> flags = cpuinfo_flags("flags");
  if (flags.empty()) GTEST_SKIP() << "/proc/cpuinfo has no flags line";
  EXPECT_EQ(isa.avx2, flags.count("avx2") == 1);
  EXPECT_EQ(isa.fma, flags.count("fma") == 1);
  EXPECT_EQ(isa.avx512f, flags.count("avx512f") == 1);
  EXPECT_EQ(isa.avx512_bf16, flags.count("avx512_bf16") == 1);
  EXPECT_EQ(isa.amx_tile, flags.count("amx_tile") == 1);
  EXPECT_TRUE(isa.sse2);
  CpuIdent id = detect_cpu_ident();
  EXPECT_EQ(id.vendor, cpuinfo_field("vendor_id"));
  EXPECT_EQ(std::to_string(id.family), cpuinfo_field("cpu family"));
  EXPECT_EQ(std::to_string(id.model), cpuinfo_field("model"));
  // The brand string is not compared: the kernel read it once at boot, and a
  // VM's can change under it afterwards (this project's Zen 5 VM reads
  // "Oxide Virtual Turin-like Processor" from cpuid while /proc/cpuinfo still
  // says "AMD EPYC"). flopscope reads cpuid when it runs.
  EXPECT_FALSE(id.model_name.empty());
#elif defined(__aarch64__)
  std::set<std::string> flags = cpuinfo_flags("Features");
  if (flags.empty()) GTEST_SKIP() << "/proc/cpuinfo has no Features line";
  EXPECT_EQ(isa.neon, flags.count("asimd") == 1);
  EXPECT_EQ(isa.sve, flags.count("sve") == 1);
  EXPECT_EQ(isa.dotprod, flags.count("asimddp") == 1);
#else
  GTEST_SKIP() << "no ISA detection on this architecture";
#endif
  // Whatever this machine is, the table either knows it or says why not.
  std::string why;
  auto m = identify_microarch(detect_cpu_ident(), &why);
  EXPECT_TRUE(m || !why.empty());
  std::vector<std::string> names = isa.names();
  EXPECT_FALSE(names.empty());
}

}  // namespace
}  // namespace flopscope::cpu

// The tier the stream loops and stencil sweeps are built for: never one the
// CPU lacks (AVX2 without FMA is generic), generic for a bare CPU.
TEST(CpuIsa, NeverChoosesAVectorTierTheCpuLacks) {
  using flopscope::cpu::VectorTier;
  const auto isa = flopscope::cpu::detect_cpu_isa();
  const VectorTier chosen = flopscope::cpu::best_vector_tier(isa);
  if (!isa.avx512f) {
    EXPECT_NE(chosen, VectorTier::avx512);
  }
  if (!(isa.avx2 && isa.fma)) {
    EXPECT_EQ(chosen, VectorTier::generic);
  }
  flopscope::cpu::CpuIsa avx2_only;
  avx2_only.avx2 = true;
  EXPECT_EQ(flopscope::cpu::best_vector_tier(avx2_only), VectorTier::generic);
  EXPECT_EQ(flopscope::cpu::best_vector_tier(flopscope::cpu::CpuIsa{}), VectorTier::generic);
  EXPECT_EQ(to_string(VectorTier::avx2), "avx2");
}
