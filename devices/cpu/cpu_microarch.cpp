#include "devices/cpu/cpu_microarch.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <vector>

#include "harness/units.h"

namespace flopscope::cpu {

namespace {

const char* const kIntel = "GenuineIntel";
const char* const kAmd = "AuthenticAMD";
const char* const kArm = "ARM";

std::string hex(long v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%02lx", v);
  return buf;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// Lower case, trademarks and the words "cpu"/"processor" dropped, spaces collapsed:
// "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz" -> "intel xeon gold 6140 @ 2.30ghz".
std::string normalize_name(std::string_view name) {
  std::string s = lower(name);
  for (const char* junk : {"(r)", "(tm)"}) {
    for (size_t p; (p = s.find(junk)) != std::string::npos;) s.erase(p, std::strlen(junk));
  }
  std::string out;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && word != "cpu" && word != "processor") {
      if (!out.empty()) out += ' ';
      out += word;
    }
    word.clear();
  };
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

void join_to(std::string& out, std::string_view part, std::string_view sep = "; ") {
  if (part.empty()) return;
  if (!out.empty()) out += sep;
  out += part;
}

// "32 FLOP/cycle/core", "256 OP/cycle/core"
std::string per_cycle_text(double ops, Precision p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g %s/cycle/core", ops, counts_ops_not_flops(p) ? "OP" : "FLOP");
  return buf;
}

// ---------------------------------------------------------------------------------------------
// ISA presets
// ---------------------------------------------------------------------------------------------

CpuIsa x86_avx2() {
  CpuIsa i;
  i.sse2 = i.avx = i.avx2 = i.fma = true;
  return i;
}

CpuIsa x86_avx512(CpuIsa i = x86_avx2()) {
  i.avx512f = i.avx512dq = i.avx512bw = i.avx512vl = true;
  return i;
}

CpuIsa arm_v82() {  // Armv8.2 with the FP16 and dot-product extensions (Neoverse N1)
  CpuIsa i;
  i.neon = i.fp16_arith = i.dotprod = true;
  return i;
}

CpuIsa arm_sve(int bits, bool sve2) {  // Armv8.4+/v9 cores: SVE, BF16 and I8MM added
  CpuIsa i = arm_v82();
  i.sve = true;
  i.sve2 = sve2;
  i.sve_bits = bits;
  i.arm_bf16 = i.i8mm = true;
  return i;
}

Microarch entry(std::string name, const char* vendor, int pipes, int width, int narrow, CpuIsa isa,
                std::string notes) {
  Microarch m;
  m.name = std::move(name);
  m.vendor = vendor;
  m.fma_pipes = pipes;
  m.fma_width_bits = width;
  m.fma_pipes_narrow = narrow;
  m.isa = isa;
  m.notes = std::move(notes);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Intel
// ---------------------------------------------------------------------------------------------

Microarch haswell_class(std::string name) {
  // Haswell and Broadwell: FMA on ports 0 and 1, each 256 bits wide -> 2 x 4 lanes x 2 = 16.
  return entry(std::move(name), kIntel, 2, 256, 2, x86_avx2(),
               "2 x 256-bit FMA (ports 0 and 1): 16 FP64 FLOP/cycle; AVX code may run at the "
               "lower AVX base clock");
}

Microarch skylake_class(std::string name, CpuIsa isa) {
  // Skylake-SP: ports 0+1 fuse into one 512-bit FMA, port 5 adds a second 512-bit FMA on Gold
  // 6xxx/Platinum: 2 x 8 lanes x 2 = 32 FP64. 256-bit code uses ports 0 and 1: 16.
  Microarch m = entry(std::move(name), kIntel, 2, 512, 2, isa,
                      "2 x 512-bit FMA (ports 0+1 fused, port 5) on Gold 6xxx/Platinum: 32 FP64 "
                      "FLOP/cycle; AVX-512 runs at its own lower licence clocks, so the measured "
                      "clock is the fair denominator");
  m.bf16_vs_fp32 = 2;  // vdpbf16ps on the FMA ports (Cooper Lake: twice the FP32 rate)
  m.int8_vs_fp32 = 4;  // vpdpbusd on ports 0 and 5 like FMA (Cascade Lake onwards)
  return m;
}

Microarch icelake_sp() {
  CpuIsa isa = x86_avx512();
  isa.avx512_vnni = true;
  Microarch m = entry("Ice Lake-SP", kIntel, 2, 512, 2, isa,
                      "2 x 512-bit FMA on every Ice Lake-SP SKU: 32 FP64 FLOP/cycle; AVX-512 "
                      "licence clocks apply");
  m.int8_vs_fp32 = 4;
  return m;
}

Microarch sapphire_class(std::string name, bool amx_fp16) {
  CpuIsa isa = x86_avx512();
  isa.avx512_vnni = isa.avx512_bf16 = isa.avx512_fp16 = isa.avx_vnni = true;
  isa.amx_tile = isa.amx_bf16 = isa.amx_int8 = true;
  isa.amx_fp16 = amx_fp16;
  Microarch m = entry(std::move(name), kIntel, 2, 512, 2, isa,
                      "2 x 512-bit FMA (ports 0 and 5): 32 FP64 FLOP/cycle; AVX512_FP16 doubles "
                      "the FP32 lane count; AVX-512 and AMX licence clocks apply");
  m.fp16_vs_fp32 = 2;
  m.bf16_vs_fp32 = 2;
  m.int8_vs_fp32 = 4;
  // AMX TMUL: a 16x32 BF16 tile product retires 512 multiply-adds per cycle per core, INT8 twice
  // as many (Intel's figures: 1024 BF16 FLOP, 2048 INT8 OP per cycle per core).
  m.amx_bf16_per_cycle = 1024;
  m.amx_int8_per_cycle = 2048;
  if (amx_fp16) m.amx_fp16_per_cycle = 1024;
  return m;
}

Microarch sierra_forest() {
  CpuIsa isa = x86_avx2();
  isa.avx_vnni = true;
  // Crestmont E-cores: two 128-bit FMA pipes, 256-bit AVX2 ops split in two: 8 FP64.
  return entry("Sierra Forest (Crestmont)", kIntel, 2, 128, 2, isa,
               "2 x 128-bit FMA pipes, 256-bit AVX2 ops split in halves: 8 FP64 FLOP/cycle; no "
               "AVX-512");
}

Microarch knights_landing() {
  CpuIsa isa = x86_avx2();
  isa.avx512f = true;  // KNL has F/CD/ER/PF, not DQ/BW/VL
  return entry("Knights Landing", kIntel, 2, 512, 2, isa,
               "2 VPUs x 512-bit FMA per core: 32 FP64 FLOP/cycle; AVX-heavy code runs at the "
               "lower AVX frequency");
}

std::optional<Microarch> intel_0x55(int stepping, const std::string& norm) {
  CpuIsa skx = x86_avx512();
  CpuIsa clx = skx;
  clx.avx512_vnni = true;
  CpuIsa cpx = clx;
  cpx.avx512_bf16 = true;
  // Model 0x55 is three generations; the stepping tells them apart (0-4 Skylake-SP, 5-7
  // Cascade Lake, 10-11 Cooper Lake), else the Xeon Scalable generation digit in the name.
  if (stepping >= 0 && stepping <= 4) return skylake_class("Skylake-SP", skx);
  if (stepping >= 5 && stepping <= 7) return skylake_class("Cascade Lake", clx);
  if (stepping >= 10 && stepping <= 11) return skylake_class("Cooper Lake", cpx);
  std::smatch mt;
  static const std::regex kScalable(R"(xeon (bronze|silver|gold|platinum) \d(\d)\d\d([a-z+]*))");
  if (std::regex_search(norm, mt, kScalable)) {
    char gen = mt[2].str()[0];
    if (gen == '1') return skylake_class("Skylake-SP", skx);
    if (gen == '2') return skylake_class("Cascade Lake", clx);
    if (gen == '3') return skylake_class("Cooper Lake", cpx);
  }
  // Same FMA pipes across the three; VNNI/BF16 count only where cpuid shows them.
  return skylake_class("Skylake-SP/Cascade Lake (model 0x55, generation unknown)", skx);
}

std::optional<Microarch> by_intel(const CpuIdent& id, const std::string& norm, std::string& why) {
  if (id.family == 6) {
    switch (id.model) {
      case 0x3f:
        return haswell_class("Haswell-EP");
      case 0x4f:
      case 0x56:
        return haswell_class("Broadwell-EP/DE");
      case 0x55:
        return intel_0x55(id.stepping, norm);
      case 0x6a:
      case 0x6c:
        return icelake_sp();
      case 0x8f:
        return sapphire_class("Sapphire Rapids", false);
      case 0xcf:
        return sapphire_class("Emerald Rapids", false);
      case 0xad:
      case 0xae:
        return sapphire_class("Granite Rapids", true);
      case 0xaf:
        return sierra_forest();
      case 0x57:
        return knights_landing();
      case 0x85:
        why =
            "peak unknown: Knights Mill (family 0x06 model 0x85) is not in the "
            "microarchitecture table: its FP64 rate differs from Knights Landing";
        return std::nullopt;
    }
  }
  why = "peak unknown: CPU family " + hex(id.family) + " model " + hex(id.model) + " (" +
        id.vendor + (id.model_name.empty() ? "" : ", \"" + id.model_name + "\"") +
        ") is not in the microarchitecture table";
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// AMD
// ---------------------------------------------------------------------------------------------

Microarch zen1() {
  // Zen/Zen+: FP0 and FP1 are 128-bit FMA pipes; a 256-bit AVX op takes two: 2 x 2 x 2 = 8.
  return entry("Zen", kAmd, 2, 128, 2, x86_avx2(),
               "2 x 128-bit FMA pipes, 256-bit AVX ops split in halves: 8 FP64 FLOP/cycle");
}

Microarch zen23(std::string name) {
  // Zen 2 widened both FMA pipes to 256 bits: 2 x 4 lanes x 2 = 16 FP64; Zen 3 kept that.
  return entry(std::move(name), kAmd, 2, 256, 2, x86_avx2(),
               "2 x 256-bit FMA pipes: 16 FP64 FLOP/cycle; no AVX-512");
}

Microarch zen4() {
  CpuIsa isa = x86_avx512();
  isa.avx512_vnni = isa.avx512_bf16 = true;
  // AVX-512 on a 256-bit datapath: a 512-bit op occupies both halves, so the rate stays at
  // 2 x 256 bits: 16 FP64, 32 FP32, vdpbf16ps 64 BF16 FLOP, vpdpbusd 128 INT8 OP per cycle.
  Microarch m = entry("Zen 4", kAmd, 2, 256, 2, isa,
                      "AVX-512 on a 256-bit datapath (512-bit ops take both halves): 16 FP64 "
                      "FLOP/cycle, the same as AVX2; no AVX-512 clock drop");
  m.bf16_vs_fp32 = 2;
  m.int8_vs_fp32 = 4;
  return m;
}

Microarch zen5() {
  CpuIsa isa = x86_avx512();
  isa.avx512_vnni = isa.avx512_bf16 = isa.avx_vnni = true;
  // Server, desktop and Strix Halo Zen 5: full 512-bit datapath with 2 FMA pipes (plus 2 add
  // pipes): 2 x 8 x 2 = 32 FP64, 64 FP32, 128 BF16 (vdpbf16ps), 256 INT8 (vpdpbusd).
  Microarch m = entry("Zen 5", kAmd, 2, 512, 2, isa,
                      "full 512-bit datapath, 2 FMA pipes: 32 FP64, 64 FP32, 128 BF16, 256 INT8 "
                      "per cycle; AVX2-only code gets half; no AVX-512 clock drop");
  m.bf16_vs_fp32 = 2;
  m.int8_vs_fp32 = 4;
  return m;
}

// Zen 5 mobile dies (Strix Point, Krackan Point) execute AVX-512 on a 256-bit datapath like Zen 4.
Microarch zen5_256(Microarch m, std::string why) {
  m.name = "Zen 5 (256-bit datapath)";
  m.fma_width_bits = 256;
  m.notes = "AVX-512 on a 256-bit datapath (512-bit ops take both halves): 16 FP64 FLOP/cycle";
  m.sku_exception = std::move(why);
  return m;
}

std::optional<Microarch> by_amd(const CpuIdent& id, std::string& why) {
  int f = id.family, mo = id.model;
  auto in = [mo](int lo, int hi) { return mo >= lo && mo <= hi; };
  // Model ranges as the Linux kernel assigns X86_FEATURE_ZEN* (arch/x86/kernel/cpu/amd.c).
  if (f == 0x17 && in(0x00, 0x2f)) return zen1();
  if (f == 0x17 && (in(0x30, 0x7f) || in(0x90, 0x91) || in(0xa0, 0xaf))) return zen23("Zen 2");
  if (f == 0x19 && (in(0x00, 0x0f) || in(0x20, 0x5f))) return zen23("Zen 3");
  if (f == 0x19 && (in(0x10, 0x1f) || in(0x60, 0xaf))) return zen4();
  if (f == 0x1a && (in(0x20, 0x2f) || in(0x60, 0x6f)))
    return zen5_256(zen5(), "Zen 5 mobile die (model " + hex(mo) + "): 256-bit datapath");
  if (f == 0x1a && (in(0x00, 0x1f) || in(0x40, 0x4f) || in(0x70, 0x7f))) return zen5();
  why = "peak unknown: CPU family " + hex(f) + " model " + hex(mo) + " (" + id.vendor +
        (id.model_name.empty() ? "" : ", \"" + id.model_name + "\"") +
        ") is not in the microarchitecture table";
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Arm
// ---------------------------------------------------------------------------------------------

Microarch arm_entry(std::string name, int pipes, int width, int narrow, CpuIsa isa,
                    std::string notes, bool sdot_known) {
  Microarch m = entry(std::move(name), kArm, pipes, width, narrow, isa, std::move(notes));
  m.fp16_vs_fp32 = 2;  // half-precision FMLA runs on the same pipes with twice the lanes
  // SDOT: 16 int8 multiply-adds per 128 bits = 32 OP vs 8 FLOP of FP32 FMLA, on the same pipes.
  if (sdot_known) m.int8_vs_fp32 = 4;
  return m;
}

std::optional<Microarch> arm_part(unsigned part) {
  switch (part) {
    case 0xd0c:
      return arm_entry("Neoverse N1", 2, 128, 2, arm_v82(),
                       "2 x 128-bit NEON FMA pipes: 8 FP64 FLOP/cycle", true);
    case 0xd40:
      return arm_entry("Neoverse V1", 2, 256, 4, arm_sve(256, false),
                       "2 x 256-bit SVE or 4 x 128-bit NEON FMA pipes: 16 FP64 FLOP/cycle either "
                       "way",
                       true);
    case 0xd49:
      return arm_entry("Neoverse N2", 2, 128, 2, arm_sve(128, true),
                       "2 x 128-bit SVE2/NEON FMA pipes: 8 FP64 FLOP/cycle", true);
    case 0xd4f:
      return arm_entry("Neoverse V2", 4, 128, 4, arm_sve(128, true),
                       "4 x 128-bit SVE2/NEON FMA pipes: 16 FP64 FLOP/cycle", true);
    case 0xd85:
      // Arm's published six 128-bit SIMD/FP pipes; check against the peak kernel.
      return arm_entry("Cortex-X925", 6, 128, 6, arm_sve(128, true),
                       "6 x 128-bit SIMD/FP pipes (Arm's figure): 24 FP64 FLOP/cycle", false);
    case 0xd87:
      return arm_entry("Cortex-A725", 2, 128, 2, arm_sve(128, true),
                       "2 x 128-bit SIMD/FP FMA pipes: 8 FP64 FLOP/cycle", false);
  }
  return std::nullopt;
}

std::optional<Microarch> by_arm(const CpuIdent& id, std::string& why) {
  if (id.arm_implementer == 0x41 || id.arm_implementer == 0) {
    if (auto m = arm_part(id.arm_part)) return m;
  }
  why = "peak unknown: Arm CPU implementer " + hex(id.arm_implementer) + " part " +
        hex(id.arm_part) + " is not in the microarchitecture table";
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// By model name (recordings without family/model)
// ---------------------------------------------------------------------------------------------

std::optional<Microarch> by_name(const std::string& model_name, std::string& why) {
  std::string n = normalize_name(model_name);
  std::smatch mt;
  static const std::regex kEpyc(R"(epyc (?:embedded )?\d\d\d(\d))");
  static const std::regex kThreadripper(R"(threadripper (?:pro )?(\d)\d\d\d)");
  static const std::regex kScalable(R"(xeon (bronze|silver|gold|platinum) \d(\d)\d\d([a-z+]*))");
  static const std::regex kXeon6(R"(xeon 6\d\d\d([pe]))");
  static const std::regex kPhi(R"(xeon phi 72\d(\d))");
  static const std::regex kE5(R"(xeon e[57]-\d{4}\w* v([34]))");
  if (std::regex_search(n, mt, kEpyc)) {
    // The last digit of an EPYC model number is its generation: 7601 Zen, 7742 Zen 2, 7763
    // Zen 3, 9654 Zen 4, 9755 Zen 5 (all EPYC Zen 5 parts have the full 512-bit datapath).
    switch (mt[1].str()[0]) {
      case '1':
        return zen1();
      case '2':
        return zen23("Zen 2");
      case '3':
        return zen23("Zen 3");
      case '4':
        return zen4();
      case '5':
        return zen5();
    }
  } else if (std::regex_search(n, mt, kThreadripper)) {
    switch (mt[1].str()[0]) {  // 1xxx/2xxx Zen(+), 3xxx Zen 2, 5xxx Zen 3, 7xxx Zen 4, 9xxx Zen 5
      case '1':
      case '2':
        return zen1();
      case '3':
        return zen23("Zen 2");
      case '5':
        return zen23("Zen 3");
      case '7':
        return zen4();
      case '9':
        return zen5();
    }
  } else if (contains(n, "ryzen ai max")) {
    return zen5();  // Strix Halo: desktop-class Zen 5 CCDs with the 512-bit datapath
  } else if (contains(n, "ryzen ai")) {
    return zen5_256(zen5(), "Zen 5 mobile part (\"" + model_name + "\"): 256-bit datapath");
  } else if (std::regex_search(n, mt, kScalable)) {
    switch (mt[2].str()[0]) {
      case '1':
      case '2':
        return intel_0x55(-1, n);
      case '3':
        // 3rd generation: Cooper Lake parts carry an H suffix (8380H), the rest are Ice Lake-SP.
        if (!mt[3].str().empty() && mt[3].str()[0] == 'h') return intel_0x55(10, n);
        return icelake_sp();
      case '4':
        return sapphire_class("Sapphire Rapids", false);
      case '5':
        return sapphire_class("Emerald Rapids", false);
    }
  } else if (std::regex_search(n, mt, kXeon6)) {
    if (mt[1] == "p") return sapphire_class("Granite Rapids", true);
    return sierra_forest();
  } else if (std::regex_search(n, mt, kPhi)) {
    if (mt[1] == "0") return knights_landing();  // 7210/7230/7250/7290; 72x5 is Knights Mill
  } else if (std::regex_search(n, mt, kE5)) {
    return haswell_class(mt[1] == "3" ? "Haswell-EP" : "Broadwell-EP/DE");
  } else if (contains(n, "xeon d-15")) {
    return haswell_class("Broadwell-EP/DE");
  } else {
    static const std::regex kNeoverse(R"(neoverse[- ]?([nv])([12]))");
    if (std::regex_search(n, mt, kNeoverse)) {
      std::string k = mt[1].str() + mt[2].str();
      return arm_part(k == "n1" ? 0xd0c : k == "v1" ? 0xd40 : k == "n2" ? 0xd49 : 0xd4f);
    }
    if (contains(n, "graviton2") || (contains(n, "altra") && !contains(n, "ampereone")))
      return arm_part(0xd0c);
    if (contains(n, "graviton3")) return arm_part(0xd40);
    if (contains(n, "graviton4") || contains(n, "grace")) return arm_part(0xd4f);
    if (contains(n, "cortex-x925")) return arm_part(0xd85);
    if (contains(n, "cortex-a725")) return arm_part(0xd87);
  }
  why = model_name.empty()
            ? "peak unknown: CPU not identified (no vendor, family/model or model name)"
            : "peak unknown: CPU \"" + model_name +
                  "\" (no family/model) is not in the microarchitecture table";
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Per-cycle derivation
// ---------------------------------------------------------------------------------------------

// What both the CPU exposes and the microarchitecture implements: the table has figures only
// for the latter, and the former caps them.
CpuIsa effective_isa(const Microarch& m, const CpuIsa& live) {
  CpuIsa e;
  const CpuIsa& t = m.isa;
  e.sse2 = live.sse2 && t.sse2;
  e.avx = live.avx && t.avx;
  e.avx2 = live.avx2 && t.avx2;
  e.fma = live.fma && t.fma;
  e.avx512f = live.avx512f && t.avx512f;
  e.avx512dq = live.avx512dq && t.avx512dq;
  e.avx512bw = live.avx512bw && t.avx512bw;
  e.avx512vl = live.avx512vl && t.avx512vl;
  e.avx512_vnni = live.avx512_vnni && t.avx512_vnni && e.avx512f;
  e.avx512_bf16 = live.avx512_bf16 && t.avx512_bf16 && e.avx512f;
  e.avx512_fp16 = live.avx512_fp16 && t.avx512_fp16 && e.avx512f;
  e.avx_vnni = live.avx_vnni && t.avx_vnni;
  e.amx_tile = live.amx_tile && t.amx_tile;
  e.amx_bf16 = live.amx_bf16 && t.amx_bf16 && e.amx_tile;
  e.amx_int8 = live.amx_int8 && t.amx_int8 && e.amx_tile;
  e.amx_fp16 = live.amx_fp16 && t.amx_fp16 && e.amx_tile;
  e.neon = live.neon && t.neon;
  e.sve = live.sve && t.sve;
  e.sve2 = live.sve2 && t.sve2;
  e.fp16_arith = live.fp16_arith && t.fp16_arith;
  e.dotprod = live.dotprod && t.dotprod;
  e.arm_bf16 = live.arm_bf16 && t.arm_bf16;
  e.i8mm = live.i8mm && t.i8mm;
  if (e.sve) e.sve_bits = live.sve_bits > 0 ? live.sve_bits : t.sve_bits;
  return e;
}

bool is_arm(const Microarch& m) {
  return m.vendor == kArm;
}

// FMA throughput in bits per cycle for ops `width` bits wide, with the wording for the table entry.
struct Lanes {
  double bits = 0;
  std::string how;
};

Lanes fma_lanes(const Microarch& m, int width, const std::string& isa_name) {
  Lanes l;
  if (width <= 0 || m.fma_pipes <= 0) return l;
  char buf[160];
  if (width > m.fma_width_bits) {
    l.bits = m.fma_pipes * m.fma_width_bits;
    std::snprintf(buf, sizeof buf, "%d x %d-bit FMA pipes, %d-bit %s ops split in halves",
                  m.fma_pipes, m.fma_width_bits, width, isa_name.c_str());
  } else if (width == m.fma_width_bits) {
    l.bits = m.fma_pipes * width;
    std::snprintf(buf, sizeof buf, "%d x %d-bit FMA pipe%s (%s)", m.fma_pipes, width,
                  m.fma_pipes == 1 ? "" : "s", isa_name.c_str());
  } else {
    l.bits = m.fma_pipes_narrow * width;
    std::snprintf(buf, sizeof buf, "%d x %d-bit FMA (%s) on %d-bit pipes", m.fma_pipes_narrow,
                  width, isa_name.c_str(), m.fma_width_bits);
  }
  l.how = buf;
  return l;
}

// The widest FMA form the effective ISA allows; on Arm the better of NEON and SVE.
Lanes best_fp_lanes(const Microarch& m, const CpuIsa& e) {
  if (is_arm(m)) {
    Lanes best;
    if (e.neon) best = fma_lanes(m, 128, "NEON");
    if (e.sve && e.sve_bits > 0) {
      Lanes s = fma_lanes(m, e.sve_bits, "SVE");
      if (s.bits > best.bits) best = s;
    }
    return best;
  }
  if (e.avx512f) return fma_lanes(m, 512, "AVX-512");
  if (e.avx && e.fma) return fma_lanes(m, 256, "AVX2/FMA");
  return {};
}

std::string no_fma_reason(const Microarch& m) {
  return is_arm(m) ? "no NEON or SVE visible on this CPU"
                   : "no FMA visible in cpuid (hidden by the hypervisor?); the table has FMA "
                     "rates only";
}

PerCycle scaled(const Lanes& l, double ops_per_32bit_lane, double factor, std::string what) {
  PerCycle pc;
  pc.ops = l.bits / 32.0 * ops_per_32bit_lane * factor;
  pc.how = l.how + ", " + what;
  return pc;
}

}  // namespace

PerCycle vector_per_cycle(const Microarch& m, const CpuIsa& isa, Precision p) {
  CpuIsa e = effective_isa(m, isa);
  PerCycle none;
  Lanes fp = best_fp_lanes(m, e);
  const bool arm = is_arm(m);
  switch (p) {
    case Precision::fp64:
    case Precision::fp32: {
      if (fp.bits <= 0) {
        none.reason = no_fma_reason(m);
        return none;
      }
      PerCycle pc;
      pc.ops = fp.bits / (p == Precision::fp64 ? 64.0 : 32.0) * 2;
      pc.how = fp.how;
      return pc;
    }
    case Precision::tf32:
      none.reason = "no TF32 arithmetic on CPUs";
      return none;
    case Precision::fp8:
      none.reason = "no FP8 arithmetic on " + m.name + " in the table";
      return none;
    case Precision::fp16: {
      bool has = arm ? e.fp16_arith : e.avx512_fp16;
      if (!has) {
        none.reason = arm ? "no FP16 arithmetic (FEAT_FP16) on this CPU: no FP16 vector peak"
                          : "no AVX512_FP16 on this CPU (FP16 is converted to FP32): no FP16 "
                            "vector peak";
        return none;
      }
      if (m.fp16_vs_fp32 <= 0) break;
      Lanes l = arm ? fp : fma_lanes(m, 512, "AVX512_FP16");
      return scaled(l, 2, m.fp16_vs_fp32, "FP16 FMA at twice the FP32 lanes");
    }
    case Precision::bf16: {
      bool has = arm ? e.arm_bf16 : e.avx512_bf16;
      if (!has) {
        none.reason = arm ? "no BF16 (FEAT_BF16) on this CPU: no BF16 vector peak"
                          : "no AVX512_BF16 (vdpbf16ps) on this CPU: no BF16 vector peak";
        if (!arm && isa.avx512_bf16 && !m.isa.avx512_bf16)
          none.reason = "the table has no BF16 figure for " + m.name;
        return none;
      }
      if (m.bf16_vs_fp32 <= 0) break;
      Lanes l = arm ? fp : fma_lanes(m, 512, "AVX512_BF16");
      return scaled(l, 2, m.bf16_vs_fp32,
                    arm ? "BFDOT" : "vdpbf16ps: 4 FLOP per 32-bit lane (2 products, 2 adds)");
    }
    case Precision::int8: {
      if (arm) {
        if (!e.dotprod) {
          none.reason =
              "no dot-product instructions (FEAT_DotProd) on this CPU: no INT8 vector "
              "peak";
          return none;
        }
        if (m.int8_vs_fp32 <= 0) break;
        return scaled(fp, 2, m.int8_vs_fp32, "SDOT: 4 multiply-adds per 32-bit lane");
      }
      Lanes l;
      if (e.avx512_vnni) {
        l = fma_lanes(m, 512, "AVX512_VNNI");
      } else if (e.avx_vnni) {
        l = fma_lanes(m, 256, "AVX-VNNI");
      } else {
        none.reason = "no AVX512_VNNI or AVX-VNNI (vpdpbusd) on this CPU: no INT8 vector peak";
        return none;
      }
      if (m.int8_vs_fp32 <= 0) break;
      return scaled(l, 2, m.int8_vs_fp32, "vpdpbusd: 4 multiply-adds (8 OP) per 32-bit lane");
    }
  }
  none.reason = "no per-cycle " + std::string(to_string(p)) + " figure for " + m.name +
                " in the microarchitecture table";
  return none;
}

PerCycle matrix_per_cycle(const Microarch& m, const CpuIsa& isa, Precision p) {
  CpuIsa e = effective_isa(m, isa);
  PerCycle pc;
  double table = 0;
  bool usable = false;
  const char* ext = "";
  switch (p) {
    case Precision::bf16:
      table = m.amx_bf16_per_cycle, usable = e.amx_bf16, ext = "AMX-BF16";
      break;
    case Precision::fp16:
      table = m.amx_fp16_per_cycle, usable = e.amx_fp16, ext = "AMX-FP16";
      break;
    case Precision::int8:
      table = m.amx_int8_per_cycle, usable = e.amx_int8, ext = "AMX-INT8";
      break;
    default:
      return pc;  // no CPU matrix unit computes FP64, FP32, TF32 or FP8
  }
  if (table <= 0) return pc;
  if (!usable) {
    pc.reason = std::string(ext) + " not usable (cpuid or the OS's XCR0 does not enable it)";
    return pc;
  }
  pc.ops = table;
  pc.how = std::string("AMX TMUL (") + ext + ")";
  return pc;
}

Microarch apply_sku_exceptions(Microarch m, std::string_view model_name) {
  std::string n = normalize_name(model_name);
  if (m.name == "Skylake-SP" || m.name == "Cascade Lake" ||
      m.name.rfind("Skylake-SP/Cascade Lake", 0) == 0) {
    static const std::regex kScalable(
        R"(xeon (bronze|silver|gold|platinum) (\d)(\d\d\d)([a-z+]*))");
    std::smatch mt;
    if (!std::regex_search(n, mt, kScalable)) return m;
    std::string tier = mt[1].str();
    std::string sku = mt[2].str() + mt[3].str();
    std::string shown = "Xeon " + std::string(1, static_cast<char>(std::toupper(tier[0]))) +
                        tier.substr(1) + " " + sku;
    for (char c : mt[4].str()) shown += static_cast<char>(std::toupper(c));
    // Intel's "# of AVX-512 FMA units" is 1 on Bronze, Silver and Gold 5xxx of the first two
    // Xeon Scalable generations, except Gold 5122 and 5222; port 5's second 512-bit FMA is fused
    // off, so AVX-512 code runs no faster than AVX2 (still 2 x 256 bits on ports 0 and 1).
    bool gold5 = tier == "gold" && mt[2] == "5";
    bool exempt = gold5 && (sku == "5122" || sku == "5222");
    if (tier == "bronze" || tier == "silver" || (gold5 && !exempt)) {
      m.fma_pipes = 1;
      m.notes =
          "AVX-512 runs at its own lower licence clocks, so the measured clock is the fair "
          "denominator";
      m.sku_exception = "SKU exception: " + shown +
                        " has one 512-bit FMA unit (Xeon Bronze/Silver and Gold 5xxx except "
                        "5122/5222): AVX-512 runs at the AVX2 rate, 16 FP64 FLOP/cycle";
    } else if (exempt) {
      m.sku_exception = shown + " is the Gold 5xxx exception with two 512-bit FMA units";
    }
    return m;
  }
  if (m.name == "Zen 5") {
    // Ryzen AI (Strix Point, Krackan Point) cores execute AVX-512 on a 256-bit datapath; EPYC,
    // Threadripper, desktop Ryzen 9000 and Ryzen AI Max (Strix Halo) have the full 512 bits.
    if (contains(n, "ryzen ai") && !contains(n, "ryzen ai max"))
      return zen5_256(m, "SKU exception: Zen 5 mobile part (\"" + std::string(model_name) +
                             "\"): 256-bit datapath, 16 FP64 FLOP/cycle");
  }
  return m;
}

std::optional<Microarch> identify_microarch(const CpuIdent& id, std::string* reason_if_unknown) {
  std::string why;
  std::optional<Microarch> m;
  std::string norm = normalize_name(id.model_name);
  bool have_fm = id.family >= 0 && id.model >= 0;
  if (id.arm_part != 0) {
    m = by_arm(id, why);
  } else if (have_fm && id.vendor == kIntel) {
    m = by_intel(id, norm, why);
  } else if (have_fm && id.vendor == kAmd) {
    m = by_amd(id, why);
  } else if (!have_fm) {
    m = by_name(id.model_name, why);
  } else {
    why = "peak unknown: CPU vendor \"" + id.vendor + "\" family " + hex(id.family) + " model " +
          hex(id.model) + " is not in the microarchitecture table";
  }
  if (!m) {
    if (reason_if_unknown) *reason_if_unknown = why;
    return std::nullopt;
  }
  return apply_sku_exceptions(*m, id.model_name);
}

CpuIsa implied_isa(const Microarch& m) {
  return m.isa;
}

PeakTable cpu_peaks(const Microarch& arch, const CpuIsa& isa, int cores, double clock_hz,
                    ClockSource clock_source, std::string model_name) {
  Microarch m = apply_sku_exceptions(arch, model_name);
  // ISA features the microarchitecture has but this CPU hides: named in the note of any figure
  // they lower, so a hypervisor that masks AVX-512 is visible in the derivation.
  CpuIsa e = effective_isa(m, isa);
  std::string missing;
  std::vector<std::string> have = e.names();
  for (const std::string& nm : m.isa.names()) {
    if (std::find(have.begin(), have.end(), nm) == have.end()) join_to(missing, nm, ", ");
  }
  const bool clock_known = clock_hz > 0;
  PeakTable table;
  for (Precision p : kAllPrecisions) {
    PrecisionPeak pp;
    if (cores <= 0) {
      pp.unknown_reason = "peak unknown: core count unknown";
      table[p] = pp;
      continue;
    }
    auto make = [&](const PerCycle& pc, bool vector) {
      UnitPeak u;
      u.units = cores;
      u.ops_per_cycle_per_unit = pc.ops;
      u.clock_hz = clock_known ? clock_hz : 0;
      u.clock_source = clock_known ? clock_source : ClockSource::none;
      u.table_entry = m.name + ": " + pc.how;
      join_to(u.note, m.sku_exception);
      if (vector) {
        PerCycle full = vector_per_cycle(m, m.isa, p);
        if (full.ops > pc.ops)
          join_to(u.note, "capped by the ISA this CPU exposes (missing " + missing +
                              "); with the "
                              "full ISA " +
                              m.name + " does " + per_cycle_text(full.ops, p));
        join_to(u.note, m.notes);
      }
      return u;
    };
    PerCycle v = vector_per_cycle(m, isa, p);
    PerCycle x = matrix_per_cycle(m, isa, p);
    if (v.ops > 0) pp.vector = make(v, true);
    if (x.ops > 0) pp.matrix = make(x, false);
    if (!pp.vector && !pp.matrix) {
      std::string why;
      join_to(why, v.reason);
      join_to(why, x.reason);
      pp.unknown_reason = "peak unknown: " + why;
      if (!missing.empty() && vector_per_cycle(m, m.isa, p).ops > 0)
        pp.unknown_reason += " (this CPU hides " + missing + ")";
    } else if (!clock_known) {
      pp.unknown_reason = "no clock known: the peak is given per GHz";
    }
    table[p] = pp;
  }
  return table;
}

PeakTable unknown_cpu_peaks(const std::string& reason) {
  PeakTable table;
  for (Precision p : kAllPrecisions) table[p].unknown_reason = reason;
  return table;
}

// ---------------------------------------------------------------------------------------------
// Spec clocks
// ---------------------------------------------------------------------------------------------

std::optional<double> parse_name_clock_hz(std::string_view model_name) {
  static const std::regex kAt(R"(@\s*([0-9]+(?:\.[0-9]+)?)\s*([gm])hz)", std::regex::icase);
  std::string s(model_name);
  std::smatch mt;
  if (!std::regex_search(s, mt, kAt)) return std::nullopt;
  double v = std::strtod(mt[1].str().c_str(), nullptr);
  if (v <= 0) return std::nullopt;
  return v * (std::tolower(static_cast<unsigned char>(mt[2].str()[0])) == 'g' ? 1e9 : 1e6);
}

namespace {

struct SkuClock {
  const char* name;  // as it appears in the model name, trademarks dropped
  double base_ghz, boost_ghz;
};

// Vendor datasheet base and maximum boost clocks of common server parts.
constexpr SkuClock kSkuClocks[] = {
    {"EPYC 7451", 2.3, 3.2},           {"EPYC 7601", 2.2, 3.2},
    {"EPYC 7702", 2.0, 3.35},          {"EPYC 7742", 2.25, 3.4},
    {"EPYC 7713", 2.0, 3.675},         {"EPYC 7763", 2.45, 3.5},
    {"EPYC 9654", 2.4, 3.7},           {"EPYC 9754", 2.25, 3.1},
    {"EPYC 9755", 2.7, 4.1},           {"EPYC 9965", 2.25, 3.7},
    {"Xeon Gold 6140", 2.3, 3.7},      {"Xeon Gold 6148", 2.4, 3.7},
    {"Xeon Platinum 8180", 2.5, 3.8},  {"Xeon Silver 4214", 2.2, 3.2},
    {"Xeon Gold 5218", 2.3, 3.9},      {"Xeon Gold 6230", 2.1, 3.9},
    {"Xeon Gold 6248", 2.5, 3.9},      {"Xeon Platinum 8280", 2.7, 4.0},
    {"Xeon Platinum 8380", 2.3, 3.4},  {"Xeon Platinum 8480+", 2.0, 3.8},
    {"Xeon Platinum 8592+", 1.9, 3.9}, {"Xeon 6980P", 2.0, 3.9},
    {"Xeon Phi 7210", 1.3, 1.5},       {"Xeon Phi 7250", 1.4, 1.6},
    {"Xeon E5-2690 v3", 2.6, 3.5},     {"Xeon E5-2699 v4", 2.2, 3.6},
};

const SkuClock* find_sku(const std::string& norm) {
  for (const SkuClock& row : kSkuClocks) {
    std::string key = lower(row.name);
    for (size_t at = norm.find(key); at != std::string::npos; at = norm.find(key, at + 1)) {
      size_t end = at + key.size();
      bool word_start = at == 0 || norm[at - 1] == ' ';
      bool word_end = end == norm.size() || norm[end] == ' ';
      if (word_start && word_end) return &row;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<SpecClock> spec_clock(const CpuIdent& id) {
  const SkuClock* row = find_sku(normalize_name(id.model_name));
  std::optional<double> at = parse_name_clock_hz(id.model_name);
  if (!row && !at) return std::nullopt;
  SpecClock c;
  if (row) {
    c.base_hz = row->base_ghz * 1e9;
    c.boost_hz = row->boost_ghz * 1e9;
  }
  if (at) {
    c.base_hz = *at;  // the vendor's own base clock, printed in the brand string
    c.source = "base " + format_ghz(c.base_hz) + " from the model name";
    if (row)
      c.source += ", boost " + format_ghz(c.boost_hz) + " from the SKU table (" + row->name + ")";
  } else {
    c.source = "SKU table (" + std::string(row->name) + "): base " + format_ghz(c.base_hz) +
               ", boost " + format_ghz(c.boost_hz);
  }
  return c;
}

}  // namespace flopscope::cpu
