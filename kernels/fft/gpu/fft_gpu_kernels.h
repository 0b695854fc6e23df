// Device helpers of the GPU FFT runs, written once for CUDA and HIP: seeded
// complex inputs and the round-trip comparison. Host-callable, so the run
// (fft_gpu_run.cpp) stays plain C++.
#pragma once

#include <cstdint>

#include "devices/gpu_shim/gpu_runtime.h"

namespace flopscope::fft::gpu {

// Real and imaginary parts uniform in [-1, 1) from (seed, index).
void fill_complex(void* p, bool fp64, int64_t count, uint64_t seed, gpuStream_t s);

// max_i |scale * back[i] - orig[i]| over complex elements (both parts), as
// FP64, written to *max_error (device). NaN counts as infinite.
void max_scaled_difference(const void* back, const void* orig, bool fp64, int64_t count,
                           double scale, double* max_error, gpuStream_t s);

}  // namespace flopscope::fft::gpu
