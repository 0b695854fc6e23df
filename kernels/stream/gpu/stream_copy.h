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

template <typename V>
__global__ void stream_copy_kernel(V* __restrict__ a, const V* __restrict__ b, int64_t n) {
  const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (i < n) a[i] = b[i];
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
    stream_copy_kernel<V>
        <<<static_cast<unsigned>((nv + kStreamThreads - 1) / kStreamThreads), kStreamThreads>>>(
            reinterpret_cast<V*>(a), reinterpret_cast<const V*>(b), nv);
  if (tail > 0) stream_copy_kernel<T><<<1, kStreamThreads>>>(a + nv * L, b + nv * L, tail);
}

}  // namespace flopscope::stream::gpu
