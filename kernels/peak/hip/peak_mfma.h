// The peak kernel on AMD matrix units: chains of dependent MFMA instructions
// per wave, several independent accumulators each (their results feed the
// next instruction of the same chain, so no instruction can be dropped), in
// the instruction kernels/gemm/hip/mfma_tile.h picks for the precision and
// gfx target: FP16, BF16, INT8, FP8 (gfx94x/gfx950) with FP32 (INT32)
// accumulation, and FP64 (gfx90a and later).
//
// The HIP backend calls this for the precisions without a vector FMA chain
// (bf16, int8, fp8), and may call it for fp16 and fp64 as well to measure the
// matrix peak (e.g. when request.implementation is kMfmaImplementation):
// make_mfma_peak_run builds whatever precision it is asked for.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::peak::hip {

// --implementation value a backend may use to route fp16/fp64 peaks here.
inline constexpr const char* kMfmaImplementation = "mfma";

// Accumulator tiles per wave, chained through their own MFMA each step: four
// cover the few cycles an MFMA result takes before the next one can read it,
// and the waves on each SIMD cover the rest.
inline constexpr int kMfmaChains = 4;
inline constexpr int kMfmaStepsPerRound = 1024;
// Steps per chain at most, so that FP32 accumulators (whole numbers or
// halves, at most 4 added per step) stay below 2^24 and exact, and INT32 ones
// (at most 96 per step) far from overflow.
inline constexpr int64_t kMaxMfmaSteps = int64_t{1} << 21;

// True when c.arch has a matrix instruction for p (CDNA only).
bool has_mfma_chain(const flopscope::gpu::GpuKernelContext& c, Precision p);

// Rounds of kMfmaStepsPerRound steps per timed iteration: a few ms on an
// MI250X GCD (quick: the same; the harness runs fewer iterations instead).
int64_t default_mfma_rounds(Precision p, bool quick);

// The value every accumulator element gains per instruction (A all a, B all
// b: K a b), for the precision's instruction on `arch`; 0 when it has none.
double mfma_increment(const std::string& arch, Precision p);

// nullptr with *unsupported set (e.g. "gfx1030 has no MFMA units") when the
// device's arch has no matrix instruction for the precision.
std::unique_ptr<KernelRun> make_mfma_peak_run(const flopscope::gpu::GpuKernelContext& c,
                                              const KernelRequest& request,
                                              std::string* unsupported);

}  // namespace flopscope::peak::hip
