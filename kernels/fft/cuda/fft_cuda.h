// Complex-to-complex forward FFTs on NVIDIA GPUs through cuFFT, FP64 (Z2Z)
// and FP32 (C2C): batched 1-D ("1d": n, batch) and 3-D ("3d": nx, ny, nz).
// Plans are made outside the timed region; transforms are out of place.
//
// FLOP: the conventional 5 N log2 N per complex transform of N points (what
// FFTW and vendors report; the actual count depends on the algorithm).
// Checks: a round trip (inverse of the output, scaled by 1/N, against the
// input, every element, on the device) and a few output bins of the first
// transform against a direct DFT on the host in long double.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::fft::cuda {

inline double fft_flop(double points_per_transform, double transforms) {
  return 5.0 * points_per_transform * std::log2(points_per_transform) * transforms;
}

// Largest error, relative to the input's largest magnitude (round trip) or
// its root sum of squares (a bin): rounding errors of an FFT grow with
// log2 N; 8 eps log2 N leaves room and still fails FP32 arithmetic checked
// as FP64.
inline double fft_tolerance(double epsilon, double points) {
  return 8.0 * epsilon * std::log2(points);
}

// Defaults: 1-D 2^20 points x a batch filling 1 GiB (FP64) or 256 MiB
// (quick), and 3-D 256^3; halved while three buffers overflow a quarter of
// the memory.
std::vector<ProblemSize> default_fft_sizes(const flopscope::gpu::GpuKernelContext& c, Precision p,
                                           bool quick);
// 1 dim: 1-D of that length (batch filling 1 GiB); 2: 1-D n, batch; 3: 3-D.
std::vector<ProblemSize> fft_sizes_from_user(const std::vector<int64_t>& dims);

std::unique_ptr<KernelRun> make_cufft_run(const flopscope::gpu::GpuKernelContext& c,
                                          const KernelRequest& request, std::string* unsupported);

}  // namespace flopscope::fft::cuda
