// Written once for CUDA and HIP (compiled by nvcc and by hipcc).
#include <cmath>

#include "devices/gpu_shim/gpu_check.h"
#include "kernels/fft/gpu/fft_gpu_kernels.h"

namespace flopscope::fft::gpu {

namespace {

__device__ inline double unit_value(uint64_t seed, uint64_t i) {
  uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
}

template <typename T>
__global__ void fill_kernel(T* p, int64_t count, uint64_t seed) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    p[2 * i] = static_cast<T>(unit_value(seed, 2 * i));
    p[2 * i + 1] = static_cast<T>(unit_value(seed, 2 * i + 1));
  }
}

template <typename T>
__global__ void diff_kernel(const T* back, const T* orig, int64_t values, double scale,
                            unsigned long long* max_bits) {
  double local = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < values;
       i += int64_t(gridDim.x) * blockDim.x) {
    const double e = fabs(scale * double(back[i]) - double(orig[i]));
    local = e != e ? INFINITY : fmax(local, e);
  }
  atomicMax(max_bits, static_cast<unsigned long long>(__double_as_longlong(local)));
}

constexpr int kThreads = 256, kBlocks = 4096;

}  // namespace

void fill_complex(void* p, bool fp64, int64_t count, uint64_t seed, gpuStream_t s) {
  if (fp64)
    fill_kernel<double><<<kBlocks, kThreads, 0, s>>>(static_cast<double*>(p), count, seed);
  else
    fill_kernel<float><<<kBlocks, kThreads, 0, s>>>(static_cast<float*>(p), count, seed);
  flopscope::gpu::check_launch("fill_complex");
}

void max_scaled_difference(const void* back, const void* orig, bool fp64, int64_t count,
                           double scale, double* max_error, gpuStream_t s) {
  auto* bits = reinterpret_cast<unsigned long long*>(max_error);
  flopscope::gpu::check(gpuMemsetAsync(bits, 0, sizeof *bits, s), "clearing the round-trip error");
  if (fp64)
    diff_kernel<double><<<kBlocks, kThreads, 0, s>>>(
        static_cast<const double*>(back), static_cast<const double*>(orig), 2 * count, scale, bits);
  else
    diff_kernel<float><<<kBlocks, kThreads, 0, s>>>(
        static_cast<const float*>(back), static_cast<const float*>(orig), 2 * count, scale, bits);
  flopscope::gpu::check_launch("max_scaled_difference");
}

}  // namespace flopscope::fft::gpu
