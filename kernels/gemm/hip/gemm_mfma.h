// flopscope's own GEMM on AMD matrix units, for when rocBLAS is not found:
// C = op(A) B with A stored k x m and B stored k x n (both k-contiguous, the
// TN layout of the CUDA GEMM), C m x n column-major; FP16 and BF16 inputs
// with FP32 accumulation and FP32 C, and FP64 (gfx90a and later).
//
// Each workgroup (4 waves) computes one macro tile through LDS with the MFMA
// instruction kernels/gemm/hip/mfma_tile.h picks, using that header's lane
// mapping for operands and results (the mapping tests/test_mfma_tiles.cpp
// checks on the host). m and n must be multiples of the macro tile (128 for
// 16-bit, 64 for FP64) and k of its depth (32 or 16): other sizes are
// refused with a message, never padded.
//
// Inputs come from the host (uniform in [-1, 1) from the request's seed,
// rounded to the format, FP16 kept to normal numbers because MI200's FP16
// MFMA flushes denormals); the check copies C back and compares every
// column's sum with (e^T op(A)) B from the host, plus sampled elements
// (kernels/gemm/gpu/gemm_check.h).
#pragma once

#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::gemm::hip {

// True when c.arch has the MFMA instruction this GEMM uses for p
// (fp16, bf16: gfx908 and later CDNA; fp64: gfx90a and later).
bool has_mfma_gemm(const flopscope::gpu::GpuKernelContext& c, Precision p);

// The sizes the kernel takes: m, n multiples of mfma_gemm_tile_mn(p), k of
// mfma_gemm_tile_k(p); 0 for a precision it lacks.
int mfma_gemm_tile_mn(Precision p);
int mfma_gemm_tile_k(Precision p);

// nullptr with *unsupported set when the arch lacks the instruction, the
// size is not a multiple of the tile, or the matrices do not fit.
std::unique_ptr<KernelRun> make_mfma_gemm_run(const flopscope::gpu::GpuKernelContext& c,
                                              const KernelRequest& request,
                                              std::string* unsupported);

}  // namespace flopscope::gemm::hip
