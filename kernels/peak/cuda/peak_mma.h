// The peak kernel on NVIDIA tensor cores: chains of warp-level mma.sync
// (FP16 and BF16 with FP32 accumulation, INT8 with INT32, FP8 e4m3 with FP32
// on sm_89 and later). mma.sync reaches most of Ampere's tensor peak but
// only part of Hopper's (wgmma is Hopper's full-rate path): the figure is
// what this instruction reaches, named as such.
#pragma once

#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::peak::cuda {

// Accumulators per warp, each a 16 x 8 tile chained through mma.sync.
inline constexpr int kMmaChains = 4;
inline constexpr int kMmaStepsPerRound = 1024;
// mma.sync per warp-chain at most, so FP32 accumulators of whole numbers stay
// exact (below 2^24).
inline constexpr int64_t kMaxMmaSteps = int64_t{1} << 21;

// FLOP (OP for int8) of one warp-level mma: 2 x 16 x 8 x K.
double mma_flop(Precision p);

// The value every accumulator element holds after `steps` chained mma from
// `start` (A all a, B all b, so each mma adds K a b).
double mma_expected(Precision p, double start, int64_t steps);

std::unique_ptr<KernelRun> make_mma_peak_run(const flopscope::gpu::GpuKernelContext& c,
                                             const KernelRequest& request,
                                             std::string* unsupported);

}  // namespace flopscope::peak::cuda
