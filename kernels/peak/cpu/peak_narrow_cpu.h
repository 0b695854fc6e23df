// The peak kernel's narrow chains on the CPU: BF16 dot products into FP32
// (vdpbf16ps) and INT8 dot products into INT32 (vpdpbusd) on every pinned
// OpenMP thread, where the CPU has those instructions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "harness/kernel_run.h"

namespace flopscope::peak::cpu {

enum class NarrowIsa {
  avx512_bf16,  // vdpbf16ps zmm
  avx512_vnni,  // vpdpbusd zmm
  avx_vnni,     // vpdpbusd ymm (VEX)
  neon_sdot,    // Arm SDOT on 128-bit vectors (FEAT_DotProd)
  neon_bfdot,   // Arm BFDOT on 128-bit vectors (FEAT_BF16)
  emulated,     // scalar host emulation: tests only, never selected
};
std::string_view to_string(NarrowIsa isa);

// The chain for a precision on this CPU (bf16: AVX512_BF16; int8:
// AVX512_VNNI, else AVX-VNNI, or SDOT on Arm), from cpuid with the OS's
// register-state check or the Arm hwcaps; nullopt with *why ("needs
// AVX512_BF16") when the CPU has none.
std::optional<NarrowIsa> narrow_chain_isa(Precision p, const flopscope::cpu::CpuIsa& isa,
                                          std::string* why);

// nullptr for precisions other than bf16 and int8, or an ISA that does not
// compute that precision.
std::unique_ptr<KernelRun> make_cpu_narrow_peak_run(Precision p, NarrowIsa isa,
                                                    std::vector<int> pus, int64_t rounds);

}  // namespace flopscope::peak::cpu
