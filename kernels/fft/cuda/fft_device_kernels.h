// Device helpers of the cuFFT kernel: seeded complex inputs and the
// round-trip comparison, host-callable so fft_cufft.cpp stays plain C++.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace flopscope::fft::cuda {

// Real and imaginary parts uniform in [-1, 1) from (seed, index).
void fill_complex(void* p, bool fp64, int64_t count, uint64_t seed, cudaStream_t s);

// max_i |scale * back[i] - orig[i]| over complex elements (both parts), as
// FP64, written to *max_error (device). NaN counts as infinite.
void max_scaled_difference(const void* back, const void* orig, bool fp64, int64_t count,
                           double scale, double* max_error, cudaStream_t s);

}  // namespace flopscope::fft::cuda
