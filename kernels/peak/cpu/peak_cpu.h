// The peak kernel on the CPU: FMA chains on every pinned OpenMP thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "harness/kernel_run.h"

namespace flopscope::peak::cpu {

enum class ChainIsa { avx512, avx2, neon, scalar };
std::string_view to_string(ChainIsa isa);

// The widest chain ISA the CPU can run; the flags come from cpuid (with the
// OS's xgetbv support check) or the Arm hwcaps, never from the build.
ChainIsa best_chain_isa(bool has_avx512f, bool has_avx2_fma, bool has_neon);
inline ChainIsa best_chain_isa(const flopscope::cpu::CpuIsa& isa) {
  return best_chain_isa(isa.avx512f, isa.avx2 && isa.fma, isa.neon);
}

// Default chain rounds per iteration: about 8 ms of work at 3 GHz, so the
// parallel region and timer around each iteration cost well under 0.5%.
inline constexpr int64_t kDefaultRounds = 1024;

// nullptr when the precision has no CPU chain (only fp64 and fp32 here).
std::unique_ptr<KernelRun> make_cpu_peak_run(Precision p, ChainIsa isa, std::vector<int> pus,
                                             int64_t rounds);

}  // namespace flopscope::peak::cpu
