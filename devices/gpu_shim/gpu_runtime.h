// The few runtime calls flopscope's own GPU kernels need, spelled once for
// CUDA and HIP, so that stream, stencil and the FMA chains are written once
// (kernels/<k>/gpu/) and compiled by nvcc here and by hipcc for AMD.
// Vendor libraries (cuBLAS, rocBLAS, cuFFT, ...) stay in their backend folder.
#pragma once

#include <stdexcept>
#include <string>

#if defined(__HIPCC__) || defined(FLOPSCOPE_GPU_HIP)
#include <hip/hip_fp16.h>
#include <hip/hip_runtime.h>
using gpuError_t = hipError_t;
using gpuEvent_t = hipEvent_t;
using gpuStream_t = hipStream_t;
inline constexpr gpuError_t gpuSuccess = hipSuccess;
#define gpuDeviceSynchronize hipDeviceSynchronize
#define gpuEventCreate hipEventCreate
#define gpuEventDestroy hipEventDestroy
#define gpuEventElapsedTime hipEventElapsedTime
#define gpuEventRecord hipEventRecord
#define gpuEventSynchronize hipEventSynchronize
#define gpuFree hipFree
#define gpuGetDevice hipGetDevice
#define gpuGetErrorString hipGetErrorString
#define gpuGetLastError hipGetLastError
#define gpuMalloc hipMalloc
#define gpuMemcpy hipMemcpy
#define gpuMemcpyDeviceToHost hipMemcpyDeviceToHost
#define gpuMemcpyHostToDevice hipMemcpyHostToDevice
#define gpuMemset hipMemset
#define gpuSetDevice hipSetDevice
#define gpuMemcpyAsync hipMemcpyAsync
#define gpuMemsetAsync hipMemsetAsync
#define gpuStreamCreateWithFlags hipStreamCreateWithFlags
#define gpuStreamDestroy hipStreamDestroy
#define gpuStreamNonBlocking hipStreamNonBlocking
#define gpuStreamSynchronize hipStreamSynchronize
inline constexpr const char* kGpuRuntimeName = "HIP";
// Launch shapes are tuned for CDNA's 64-wide wavefronts (gfx9); RDNA's
// wave32 runs a 64-thread row as two halves.
inline constexpr int kGpuWavefront = 64;
#else
#include <cuda_fp16.h>
#include <cuda_runtime.h>
using gpuError_t = cudaError_t;
using gpuEvent_t = cudaEvent_t;
using gpuStream_t = cudaStream_t;
inline constexpr gpuError_t gpuSuccess = cudaSuccess;
#define gpuDeviceSynchronize cudaDeviceSynchronize
#define gpuEventCreate cudaEventCreate
#define gpuEventDestroy cudaEventDestroy
#define gpuEventElapsedTime cudaEventElapsedTime
#define gpuEventRecord cudaEventRecord
#define gpuEventSynchronize cudaEventSynchronize
#define gpuFree cudaFree
#define gpuGetDevice cudaGetDevice
#define gpuGetErrorString cudaGetErrorString
#define gpuGetLastError cudaGetLastError
#define gpuMalloc cudaMalloc
#define gpuMemcpy cudaMemcpy
#define gpuMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define gpuMemcpyHostToDevice cudaMemcpyHostToDevice
#define gpuMemset cudaMemset
#define gpuSetDevice cudaSetDevice
#define gpuMemcpyAsync cudaMemcpyAsync
#define gpuMemsetAsync cudaMemsetAsync
#define gpuStreamCreateWithFlags cudaStreamCreateWithFlags
#define gpuStreamDestroy cudaStreamDestroy
#define gpuStreamNonBlocking cudaStreamNonBlocking
#define gpuStreamSynchronize cudaStreamSynchronize
inline constexpr const char* kGpuRuntimeName = "CUDA";
inline constexpr int kGpuWavefront = 32;  // a warp
#endif
