// flopscope's own GEMM as a candidate of the CPU GEMM probe
// (kernels/gemm/cpu): the probe lists these candidates beside the library
// configurations, and a library worker process serves one through the
// GemmEngine interface, with the same inputs, timing and check as a library.
//
// To plug in (in kernels/gemm/cpu, whose owner wires it):
//  - plan_gemm: append own_gemm_candidates(ctx, request.precision) to the
//    library candidates (for fp64 and fp32; empty for other precisions);
//  - the worker's setup: a setup whose family is kOwnGemmFamily goes to
//    make_own_gemm_engine instead of make_blas_engine.
// A candidate's config is the implementation string without the thread
// count ("flopscope-avx2-8x6 mc=128 kc=256 nc=8190"): the blocking is chosen
// in the parent from the backend's cache sizes and travels to the worker.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/cpu_kernel_registry.h"
#include "kernels/gemm/cpu/gemm_engine.h"
#include "kernels/gemm/cpu/gemm_libraries.h"

namespace flopscope::gemm::own {

inline constexpr const char* kOwnGemmFamily = "flopscope";

// One candidate per variant this CPU can run (widest ISA first), for fp64
// and fp32; empty otherwise.
std::vector<gemm::cpu::GemmCandidate> own_gemm_candidates(const flopscope::cpu::CpuContext& ctx,
                                                          Precision p);

// In a worker: the engine for a setup of family kOwnGemmFamily, its threads
// pinned one per PU of the worker's CPU affinity. nullptr with *unsupported
// set when the config names no variant this CPU runs for the precision.
std::unique_ptr<gemm::cpu::GemmEngine> make_own_gemm_engine(const gemm::cpu::WorkerSetup& s,
                                                            std::string* unsupported);

}  // namespace flopscope::gemm::own
