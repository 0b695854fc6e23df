// cuBLAS, cuBLASLt and cuFFT status codes become flopscope::DeviceError
// (exit 3) naming the call; CUDA runtime errors go through gpu::check.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cufft.h>

#include <string>

#include "devices/gpu_shim/gpu_check.h"

namespace flopscope::cuda {

inline void check_cublas(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw DeviceError(std::string("cuBLAS: ") + what + ": " + cublasGetStatusString(s));
}

inline void check_cufft(cufftResult r, const char* what) {
  if (r != CUFFT_SUCCESS)
    throw DeviceError(std::string("cuFFT: ") + what + ": error " + std::to_string(int(r)));
}

}  // namespace flopscope::cuda
