// What every GPU FFT library (cuFFT, rocFFT) runs: the shapes, the default
// and user sizes, and the host half of the check. Complex-to-complex forward
// transforms, FP64 and FP32, batched 1-D ("1d": n, batch) and 3-D ("3d":
// nx, ny, nz, row-major with z fastest). FLOPs and tolerance are
// kernels/fft/fft_spec.h's, the same as the CPU's. Pure host code.
#pragma once

#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/kernel_run.h"

namespace flopscope::fft::gpu {

struct FftShape {
  bool three_d = false;
  int64_t n = 0, batch = 1;        // 1-D
  int64_t nx = 0, ny = 0, nz = 0;  // 3-D
  int64_t points() const { return three_d ? nx * ny * nz : n; }
  int64_t transforms() const { return three_d ? 1 : batch; }
  int64_t elements() const { return points() * transforms(); }
};

// Defaults: 1-D 2^20 points x a batch filling 1 GiB (FP64) or 256 MiB
// (quick), and 3-D 256^3; halved while three buffers overflow a quarter of
// the memory.
std::vector<ProblemSize> default_fft_sizes(const flopscope::gpu::GpuKernelContext& c, Precision p,
                                           bool quick);
// 1 dim: 1-D of that length (batch up to 2^26 points); 2: 1-D n, batch; 3: 3-D.
std::vector<ProblemSize> fft_sizes_from_user(const std::vector<int64_t>& dims);

// The shape a request asks for; nullopt with *why when the precision is not
// fp64/fp32, the shape is degenerate, or three buffers do not fit in 80% of
// `memory_bytes`.
std::optional<FftShape> fft_shape(const KernelRequest& request, uint64_t memory_bytes,
                                  std::string* why);

// Output bin (kx, ky, kz) of the first transform of `x` by a direct DFT in
// long double (1-D: kz is the bin).
std::complex<long double> direct_bin(const std::vector<std::complex<double>>& x, const FftShape& s,
                                     int64_t kx, int64_t ky, int64_t kz);

// The bins the check compares (spread over the spectrum, bin 1 included).
inline constexpr int kCheckedBins = 4;
void checked_bin(const FftShape& s, int b, int64_t* kx, int64_t* ky, int64_t* kz, int64_t* index);

}  // namespace flopscope::fft::gpu
