// The GPU stream copy, written once for CUDA and HIP: the stream kernel's
// copy pass (stream_gpu.cu) and the copy the GPU stencil times between its
// repetitions to set its own roofline (stencil_gpu.cu) are this one kernel,
// so the two bounds move the same bytes the same way. Device code: include
// it only from files nvcc or hipcc compile.
#pragma once

#include <cstdint>

#include "devices/gpu_shim/gpu_runtime.h"

namespace flopscope::stream::gpu {

inline constexpr int kStreamThreads = 256;

// Vector types: 16-byte loads and stores.
template <typename T>
struct Vec;
template <>
struct Vec<double> {
  using type = double2;
  static constexpr int lanes = 2;
};
template <>
struct Vec<float> {
  using type = float4;
  static constexpr int lanes = 4;
};

// Blocks per launch at most: 2^30 threads. One element per thread below
// that (every array the defaults choose); a grid-stride loop above it,
// since HIP refuses or truncates launches of more than 2^32 threads.
inline constexpr int64_t kStreamMaxBlocks = int64_t{1} << 22;

template <typename V>
__global__ void stream_copy_kernel(V* __restrict__ a, const V* __restrict__ b, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    a[i] = b[i];
}

inline unsigned stream_blocks(int64_t n) {
  const int64_t blocks = (n + kStreamThreads - 1) / kStreamThreads;
  return static_cast<unsigned>(blocks < kStreamMaxBlocks ? blocks : kStreamMaxBlocks);
}

// a[0, n) = b[0, n) on the current device and stream: 16-byte accesses for
// all whole vectors, one element per thread for the rest. a and b must be
// 16-byte aligned (every device allocation is).
template <typename T>
void launch_stream_copy(T* a, const T* b, int64_t n) {
  using V = typename Vec<T>::type;
  constexpr int L = Vec<T>::lanes;
  const int64_t nv = n / L, tail = n - nv * L;
  if (nv > 0)
    stream_copy_kernel<V><<<stream_blocks(nv), kStreamThreads>>>(reinterpret_cast<V*>(a),
                                                                 reinterpret_cast<const V*>(b), nv);
  if (tail > 0) stream_copy_kernel<T><<<1, kStreamThreads>>>(a + nv * L, b + nv * L, tail);
}

}  // namespace flopscope::stream::gpu
