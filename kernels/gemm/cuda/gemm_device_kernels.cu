#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <type_traits>

#include "devices/gpu_shim/gpu_check.h"
#include "kernels/gemm/cuda/gemm_device_kernels.h"

namespace flopscope::gemm::cuda {

namespace {

constexpr int kThreads = 256;

__device__ inline uint64_t mix(uint64_t x) {
  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

template <typename T>
__device__ inline T from_unit(double u);  // u in [-1, 1)
template <>
__device__ inline double from_unit<double>(double u) {
  return u;
}
template <>
__device__ inline float from_unit<float>(double u) {
  return static_cast<float>(u);
}
template <>
__device__ inline __half from_unit<__half>(double u) {
  return __double2half(u);
}
template <>
__device__ inline __nv_bfloat16 from_unit<__nv_bfloat16>(double u) {
  return __double2bfloat16(u);
}
template <>
__device__ inline __nv_fp8_e4m3 from_unit<__nv_fp8_e4m3>(double u) {
  return __nv_fp8_e4m3(static_cast<float>(u));
}
template <>
__device__ inline int8_t from_unit<int8_t>(double u) {
  return static_cast<int8_t>(floor(u * 64.0));
}
template <>
__device__ inline int32_t from_unit<int32_t>(double u) {
  return static_cast<int32_t>(floor(u * 64.0));
}

template <typename T>
__device__ inline double to_double(T v) {
  return static_cast<double>(v);
}
template <>
__device__ inline double to_double<__half>(__half v) {
  return static_cast<double>(__half2float(v));
}
template <>
__device__ inline double to_double<__nv_bfloat16>(__nv_bfloat16 v) {
  return static_cast<double>(__bfloat162float(v));
}
template <>
__device__ inline double to_double<__nv_fp8_e4m3>(__nv_fp8_e4m3 v) {
  return static_cast<double>(static_cast<float>(v));
}

template <typename T>
__global__ void fill_kernel(T* p, int64_t count, uint64_t seed) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    const uint64_t h = mix(seed ^ mix(static_cast<uint64_t>(i)));
    const double u = static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
    p[i] = from_unit<T>(u);
  }
}

// One thread per row l, a slice of the columns per block row; partial sums
// meet in FP64 atomics (sm_60 and later).
template <typename T>
__global__ void row_sums_kernel(const T* a, int64_t k, int64_t m, int64_t cols_per_slice, double* w,
                                double* w2) {
  const int64_t l = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (l >= k) return;
  const int64_t i0 = blockIdx.y * cols_per_slice;
  const int64_t i1 = min(m, i0 + cols_per_slice);
  double s = 0, s2 = 0;
  for (int64_t i = i0; i < i1; ++i) {
    const double v = to_double(a[l + i * k]);
    s += v;
    s2 += v * v;
  }
  atomicAdd(&w[l], s);
  atomicAdd(&w2[l], s2);
}

__device__ inline void block_sum2(double& a, double& b) {
  __shared__ double sa[kThreads], sb[kThreads];
  sa[threadIdx.x] = a;
  sb[threadIdx.x] = b;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      sa[threadIdx.x] += sa[threadIdx.x + stride];
      sb[threadIdx.x] += sb[threadIdx.x + stride];
    }
    __syncthreads();
  }
  a = sa[0];
  b = sb[0];
}

// One block per column j.
template <typename T>
__global__ void weighted_column_sums_kernel(const T* b, int64_t k, const double* w,
                                            const double* w2, double* ref, double* ref2) {
  const int64_t j = blockIdx.x;
  double s = 0, s2 = 0;
  for (int64_t l = threadIdx.x; l < k; l += blockDim.x) {
    const double v = to_double(b[l + j * k]);
    s += w[l] * v;
    s2 += w2[l] * v * v;
  }
  block_sum2(s, s2);
  if (threadIdx.x == 0) {
    ref[j] = s;
    ref2[j] = s2;
  }
}

template <typename T>
__global__ void column_sums_kernel(const T* c, int64_t m, double* sums) {
  const int64_t j = blockIdx.x;
  double s = 0, unused = 0;
  for (int64_t i = threadIdx.x; i < m; i += blockDim.x) s += to_double(c[i + j * m]);
  block_sum2(s, unused);
  if (threadIdx.x == 0) sums[j] = s;
}

template <typename T>
__global__ void gather_kernel(const T* p, const int64_t* index, int64_t count, double* out) {
  const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (i < count) out[i] = to_double(p[index[i]]);
}

template <typename T>
__global__ void corrupt_kernel(T* p, int64_t index) {
  if constexpr (std::is_integral_v<T>)
    p[index] = static_cast<T>(sizeof(T) == 1 ? SCHAR_MAX : INT_MAX);
  else
    p[index] = from_unit<T>(nan(""));
}

// Calls f with a null pointer of the element's C++ type.
template <typename F>
void dispatch(Element e, F&& f) {
  switch (e) {
    case Element::f64:
      return f(static_cast<double*>(nullptr));
    case Element::f32:
      return f(static_cast<float*>(nullptr));
    case Element::f16:
      return f(static_cast<__half*>(nullptr));
    case Element::bf16:
      return f(static_cast<__nv_bfloat16*>(nullptr));
    case Element::e4m3:
      return f(static_cast<__nv_fp8_e4m3*>(nullptr));
    case Element::i8:
      return f(static_cast<int8_t*>(nullptr));
    case Element::i32:
      return f(static_cast<int32_t*>(nullptr));
  }
}

unsigned blocks_for(int64_t count) {
  return static_cast<unsigned>(std::min<int64_t>((count + kThreads - 1) / kThreads, 1 << 20));
}

}  // namespace

void fill_random(void* p, Element e, int64_t count, uint64_t seed, cudaStream_t s) {
  dispatch(e, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    fill_kernel<T><<<blocks_for(count), kThreads, 0, s>>>(static_cast<T*>(p), count, seed);
  });
  gpu::check_launch("fill_random");
}

void row_sums(const void* a, Element e, int64_t k, int64_t m, double* w, double* w2,
              cudaStream_t s) {
  gpu::check(cudaMemsetAsync(w, 0, k * sizeof(double), s), "clearing row sums");
  gpu::check(cudaMemsetAsync(w2, 0, k * sizeof(double), s), "clearing row sums");
  const int64_t slices = std::min<int64_t>(m, 256);
  const int64_t per_slice = (m + slices - 1) / slices;
  dim3 grid(static_cast<unsigned>((k + kThreads - 1) / kThreads), static_cast<unsigned>(slices));
  dispatch(e, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    row_sums_kernel<T><<<grid, kThreads, 0, s>>>(static_cast<const T*>(a), k, m, per_slice, w, w2);
  });
  gpu::check_launch("row_sums");
}

void weighted_column_sums(const void* b, Element e, int64_t k, int64_t n, const double* w,
                          const double* w2, double* ref, double* ref2, cudaStream_t s) {
  dispatch(e, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    weighted_column_sums_kernel<T><<<static_cast<unsigned>(n), kThreads, 0, s>>>(
        static_cast<const T*>(b), k, w, w2, ref, ref2);
  });
  gpu::check_launch("weighted_column_sums");
}

void column_sums(const void* c, Element e, int64_t m, int64_t n, double* sums, cudaStream_t s) {
  dispatch(e, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    column_sums_kernel<T>
        <<<static_cast<unsigned>(n), kThreads, 0, s>>>(static_cast<const T*>(c), m, sums);
  });
  gpu::check_launch("column_sums");
}

void gather(const void* p, Element e, const int64_t* index, int64_t count, double* out,
            cudaStream_t s) {
  dispatch(e, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    gather_kernel<T>
        <<<blocks_for(count), kThreads, 0, s>>>(static_cast<const T*>(p), index, count, out);
  });
  gpu::check_launch("gather");
}

void corrupt_element(void* p, Element e, int64_t index, cudaStream_t s) {
  dispatch(e, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    corrupt_kernel<T><<<1, 1, 0, s>>>(static_cast<T*>(p), index);
  });
  gpu::check_launch("corrupt_element");
}

}  // namespace flopscope::gemm::cuda
