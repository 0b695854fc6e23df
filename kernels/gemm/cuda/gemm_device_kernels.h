// Device helpers of the CUDA GEMM: seeded inputs, the checksums that verify
// every element of C, and element gathers for the host check. Host-callable,
// so gemm_cublas.cpp stays plain C++.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace flopscope::gemm::cuda {

enum class Element { f64, f32, f16, bf16, e4m3, i8, i32 };

// Pseudo-random values from (seed, index): uniform in [-1, 1) for floating
// formats (rounded to the format), uniform integers in [-64, 63] for int8.
// Never all zeros; no curand needed.
void fill_random(void* p, Element e, int64_t count, uint64_t seed, cudaStream_t s);

// For A stored k x m column-major (C = A^T B, the TN layout): w[l] = sum_i
// A[l, i] and w2[l] = sum_i A[l, i]^2, in FP64.
void row_sums(const void* a, Element e, int64_t k, int64_t m, double* w, double* w2,
              cudaStream_t s);

// For B stored k x n column-major: ref[j] = sum_l w[l] B[l, j] and ref2[j] =
// sum_l w2[l] B[l, j]^2: the column sums of C that a correct GEMM gives, and
// the squares that normalise the error.
void weighted_column_sums(const void* b, Element e, int64_t k, int64_t n, const double* w,
                          const double* w2, double* ref, double* ref2, cudaStream_t s);

// sums[j] = sum_i C[i, j] for C stored m x n column-major, in FP64.
void column_sums(const void* c, Element e, int64_t m, int64_t n, double* sums, cudaStream_t s);

// out[i] = p[index[i]] as FP64 (index and out on the device).
void gather(const void* p, Element e, const int64_t* index, int64_t count, double* out,
            cudaStream_t s);

// Writes NaN (floating formats) or INT32_MAX (int32) into element `index`.
void corrupt_element(void* p, Element e, int64_t index, cudaStream_t s);

}  // namespace flopscope::gemm::cuda
