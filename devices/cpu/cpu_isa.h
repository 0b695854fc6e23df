// Runtime ISA detection and CPU identity: what the running CPU can execute (cpuid plus the OS
// state-saving checks on x86, auxv hwcaps on Arm) and which part it is (vendor, family, model,
// brand string, or Arm MIDR implementer/part).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flopscope::cpu {

// A flag is true only when the CPU has the feature AND the OS saves its register state: a
// hypervisor or kernel that hides AVX-512 leaves avx512f false, and the peak follows.
struct CpuIsa {
  // x86
  bool sse2 = false, avx = false, avx2 = false, fma = false;
  bool avx512f = false, avx512dq = false, avx512bw = false, avx512vl = false;
  bool avx512_vnni = false, avx512_bf16 = false, avx512_fp16 = false, avx_vnni = false;
  bool amx_tile = false, amx_bf16 = false, amx_int8 = false, amx_fp16 = false;
  // Arm (aarch64)
  bool neon = false, sve = false, sve2 = false;
  bool fp16_arith = false;  // FEAT_FP16: half-precision FMLA (hwcap "asimdhp")
  bool dotprod = false;     // FEAT_DotProd: SDOT/UDOT (hwcap "asimddp")
  bool arm_bf16 = false;    // FEAT_BF16: BFDOT/BFMMLA (hwcap2 "bf16")
  bool i8mm = false;        // FEAT_I8MM: SMMLA/UMMLA (hwcap2 "i8mm")
  int sve_bits = 0;         // SVE vector length; 0 when unknown or no SVE

  // Display names, e.g. {"SSE2", "AVX", "AVX2", "FMA", "AVX-512F", "AVX512_BF16"}.
  std::vector<std::string> names() const;
};

// The live ISA of the calling thread's CPU. Compiles on x86-64 and aarch64; elsewhere all false.
CpuIsa detect_cpu_isa();

// The instruction-set tiers of the kernels built once per x86 tier (one
// source file each, with that tier's flags) and picked by cpuid at run time:
// the stream loops and the stencil sweeps. "generic" is portable C++, the
// only tier on other architectures.
enum class VectorTier { avx512, avx2, generic };
std::string_view to_string(VectorTier t);  // "avx512", "avx2", "generic"

// The widest tier `isa` can run (AVX2 needs FMA too); generic off x86.
VectorTier best_vector_tier(const CpuIsa& isa);

struct CpuIdent {
  std::string vendor;  // "AuthenticAMD", "GenuineIntel", "ARM" (other Arm implementers by name)
  int family = -1, model = -1;   // x86 display family/model (extended bits folded in)
  int stepping = -1;             // x86: tells Skylake-SP / Cascade Lake / Cooper Lake apart
  std::string model_name;        // brand string, trimmed
  unsigned arm_implementer = 0;  // MIDR implementer, e.g. 0x41 (Arm Ltd)
  unsigned arm_part = 0;         // MIDR part, e.g. 0xd0c (Neoverse N1)
};

// Live identity: cpuid leaves 0, 1 and 0x80000002-4 on x86; /proc/cpuinfo (or MIDR_EL1 in
// sysfs) on Arm.
CpuIdent detect_cpu_ident();

// Parses Arm /proc/cpuinfo text ("CPU implementer : 0x41", "CPU part : 0xd0c", "model name").
// Exposed so recordings and tests can use it.
CpuIdent parse_arm_cpuinfo(std::string_view text);

}  // namespace flopscope::cpu
