#include "devices/cpu/cpu_isa.h"

#include "devices/arm_implementers.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#include <sys/prctl.h>
#endif

namespace flopscope::cpu {

std::vector<std::string> CpuIsa::names() const {
  std::vector<std::string> out;
  auto add = [&](bool f, const char* n) {
    if (f) out.emplace_back(n);
  };
  add(sse2, "SSE2");
  add(avx, "AVX");
  add(avx2, "AVX2");
  add(fma, "FMA");
  add(avx512f, "AVX-512F");
  add(avx512dq, "AVX-512DQ");
  add(avx512bw, "AVX-512BW");
  add(avx512vl, "AVX-512VL");
  add(avx512_vnni, "AVX512_VNNI");
  add(avx512_bf16, "AVX512_BF16");
  add(avx512_fp16, "AVX512_FP16");
  add(avx_vnni, "AVX-VNNI");
  add(amx_tile, "AMX-TILE");
  add(amx_bf16, "AMX-BF16");
  add(amx_int8, "AMX-INT8");
  add(amx_fp16, "AMX-FP16");
  add(neon, "NEON");
  add(fp16_arith, "FP16");
  add(dotprod, "DOTPROD");
  add(arm_bf16, "BF16");
  add(i8mm, "I8MM");
  if (sve) out.push_back(sve_bits > 0 ? "SVE (" + std::to_string(sve_bits) + "-bit)" : "SVE");
  add(sve2, "SVE2");
  return out;
}

namespace {

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

[[maybe_unused]] std::string read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#if defined(__x86_64__) || defined(__i386__)
struct Regs {
  unsigned a = 0, b = 0, c = 0, d = 0;
};

// __get_cpuid_count checks the maximum leaf itself and fails for leaves beyond it.
Regs cpuid(unsigned leaf, unsigned sub = 0) {
  Regs r;
  if (!__get_cpuid_count(leaf, sub, &r.a, &r.b, &r.c, &r.d)) r = Regs{};
  return r;
}

bool bit(unsigned v, int n) {
  return (v >> n) & 1u;
}

// XCR0 says which register state the OS saves on a context switch. A CPU flag without the
// matching XCR0 bits means the instructions fault (or the hypervisor hid the state), so the
// feature is unusable. Raw opcode form so no -mxsave is needed.
uint64_t xgetbv0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}
#endif

}  // namespace

CpuIsa detect_cpu_isa() {
  CpuIsa isa;
#if defined(__x86_64__) || defined(__i386__)
  unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 1) return isa;
  Regs l1 = cpuid(1);
  isa.sse2 = bit(l1.d, 26);
  bool osxsave = bit(l1.c, 27);
  uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  // XCR0 bit 1 SSE, 2 AVX (upper YMM); 5 opmask, 6 ZMM_Hi256, 7 Hi16_ZMM; 17 XTILECFG,
  // 18 XTILEDATA. (Linux also wants a per-process arch_prctl request before the first AMX
  // instruction; that is the kernel's caller's job, XCR0 already says the OS supports AMX.)
  bool os_avx = osxsave && (xcr0 & 0x6) == 0x6;
  bool os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0;
  bool os_amx = osxsave && (xcr0 & 0x60000) == 0x60000;
  isa.avx = os_avx && bit(l1.c, 28);
  isa.fma = isa.avx && bit(l1.c, 12);
  if (max_leaf >= 7) {
    Regs l7 = cpuid(7, 0);
    isa.avx2 = isa.avx && bit(l7.b, 5);
    isa.avx512f = os_avx512 && bit(l7.b, 16);
    isa.avx512dq = isa.avx512f && bit(l7.b, 17);
    isa.avx512bw = isa.avx512f && bit(l7.b, 30);
    isa.avx512vl = isa.avx512f && bit(l7.b, 31);
    isa.avx512_vnni = isa.avx512f && bit(l7.c, 11);
    isa.avx512_fp16 = isa.avx512f && bit(l7.d, 23);
    isa.amx_tile = os_amx && bit(l7.d, 24);
    isa.amx_bf16 = isa.amx_tile && bit(l7.d, 22);
    isa.amx_int8 = isa.amx_tile && bit(l7.d, 25);
    if (l7.a >= 1) {  // sub-leaf 1 exists
      Regs l71 = cpuid(7, 1);
      isa.avx_vnni = isa.avx && bit(l71.a, 4);
      isa.avx512_bf16 = isa.avx512f && bit(l71.a, 5);
      isa.amx_fp16 = isa.amx_tile && bit(l71.a, 21);
    }
  }
#elif defined(__aarch64__)
  // Bit values from the kernel's uapi asm/hwcap.h, repeated for old headers.
  constexpr unsigned long kAsimd = 1ul << 1, kAsimdHp = 1ul << 10, kAsimdDp = 1ul << 20,
                          kSve = 1ul << 22;
  constexpr unsigned long kSve2 = 1ul << 1, kI8mm = 1ul << 13, kBf16 = 1ul << 14;
  unsigned long hw = getauxval(AT_HWCAP);
  unsigned long hw2 = getauxval(AT_HWCAP2);
  isa.neon = hw & kAsimd;
  isa.fp16_arith = hw & kAsimdHp;
  isa.dotprod = hw & kAsimdDp;
  isa.sve = hw & kSve;
  isa.sve2 = hw2 & kSve2;
  isa.i8mm = hw2 & kI8mm;
  isa.arm_bf16 = hw2 & kBf16;
  if (isa.sve) {
    // PR_SVE_GET_VL = 51 returns the vector length in bytes in the low 16 bits.
    int vl = prctl(51, 0, 0, 0, 0);
    if (vl > 0) isa.sve_bits = (vl & 0xffff) * 8;
  }
#endif
  return isa;
}

CpuIdent parse_arm_cpuinfo(std::string_view text) {
  CpuIdent id;
  std::istringstream in{std::string(text)};
  std::string line;
  // The first processor block is enough: heterogeneous (big.LITTLE) parts list the cores in
  // order, and the table lookup treats the first core as representative.
  bool have_impl = false, have_part = false;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(line.substr(0, colon));
    std::string val = trim(line.substr(colon + 1));
    if (key == "CPU implementer" && !have_impl) {
      id.arm_implementer = static_cast<unsigned>(std::strtoul(val.c_str(), nullptr, 0));
      have_impl = true;
    } else if (key == "CPU part" && !have_part) {
      id.arm_part = static_cast<unsigned>(std::strtoul(val.c_str(), nullptr, 0));
      have_part = true;
    } else if (key == "model name" && id.model_name.empty()) {
      id.model_name = val;
    }
  }
  if (have_impl) id.vendor = arm_implementer_vendor(id.arm_implementer);
  return id;
}

CpuIdent detect_cpu_ident() {
  CpuIdent id;
#if defined(__x86_64__) || defined(__i386__)
  Regs l0 = cpuid(0);
  char vendor[13] = {};
  std::memcpy(vendor, &l0.b, 4);
  std::memcpy(vendor + 4, &l0.d, 4);
  std::memcpy(vendor + 8, &l0.c, 4);
  id.vendor = vendor;
  if (l0.a >= 1) {
    Regs l1 = cpuid(1);
    int fam = (l1.a >> 8) & 0xf, mod = (l1.a >> 4) & 0xf;
    int ext_fam = (l1.a >> 20) & 0xff, ext_mod = (l1.a >> 16) & 0xf;
    // Display family/model as the vendors' manuals define them (and Linux prints them).
    id.family = fam == 0xf ? fam + ext_fam : fam;
    id.model = (fam == 6 || fam == 0xf) ? (ext_mod << 4) | mod : mod;
    id.stepping = static_cast<int>(l1.a & 0xf);
  }
  if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      Regs r = cpuid(0x80000002 + i);
      std::memcpy(brand + 16 * i, &r.a, 4);
      std::memcpy(brand + 16 * i + 4, &r.b, 4);
      std::memcpy(brand + 16 * i + 8, &r.c, 4);
      std::memcpy(brand + 16 * i + 12, &r.d, 4);
    }
    id.model_name = trim(brand);
  }
#elif defined(__aarch64__)
  id = parse_arm_cpuinfo(read_file("/proc/cpuinfo"));
  if (id.arm_part == 0) {
    // Some kernels/containers hide the cpuinfo fields; MIDR_EL1 in sysfs has the same bits.
    std::string midr = trim(read_file("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1"));
    if (!midr.empty()) {
      unsigned long v = std::strtoul(midr.c_str(), nullptr, 0);
      id.arm_implementer = (v >> 24) & 0xff;
      id.arm_part = (v >> 4) & 0xfff;
      id.vendor = arm_implementer_vendor(id.arm_implementer);
    }
  }
#endif
  return id;
}

std::string_view to_string(VectorTier t) {
  switch (t) {
    case VectorTier::avx512:
      return "avx512";
    case VectorTier::avx2:
      return "avx2";
    case VectorTier::generic:
      return "generic";
  }
  return "?";
}

VectorTier best_vector_tier(const CpuIsa& isa) {
#if defined(__x86_64__)
  if (isa.avx512f) return VectorTier::avx512;
  if (isa.avx2 && isa.fma) return VectorTier::avx2;
#else
  (void)isa;
#endif
  return VectorTier::generic;
}

}  // namespace flopscope::cpu
