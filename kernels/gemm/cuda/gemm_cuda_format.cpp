#include "kernels/gemm/cuda/gemm_cuda_format.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flopscope::gemm::cuda {

namespace {

constexpr double u(int bits) {
  return std::ldexp(1.0, -bits);
}

}  // namespace

const CudaGemmFormat& cuda_gemm_format(Precision p) {
  // FP64 sums of the check: 2^-53 per addition.
  static const CudaGemmFormat kFormats[] = {
      {Precision::fp64,
       8,
       8,
       false,
       0,
       "cublasDgemm, CUBLAS_COMPUTE_64F (default math)",
       {0, u(53), 0, u(53)}},
      {Precision::fp32,
       4,
       4,
       false,
       0,
       "cublasSgemm, CUBLAS_COMPUTE_32F_PEDANTIC (pedantic math: TF32 off, no emulation)",
       {0, u(24), u(24), u(53)}},
      {Precision::tf32,
       4,
       4,
       true,
       80,
       "cublasLt, CUBLAS_COMPUTE_32F_FAST_TF32, FP32 in/out",
       {u(11), u(24), u(24), u(53)}},
      {Precision::fp16,
       2,
       2,
       true,
       70,
       "cublasLt, FP16 in/out, CUBLAS_COMPUTE_32F",
       {0, u(24), u(11), u(53)}},
      {Precision::bf16,
       2,
       2,
       true,
       80,
       "cublasLt, BF16 in/out, CUBLAS_COMPUTE_32F",
       {0, u(24), u(8), u(53)}},
      // Hopper's FP8 tensor cores keep about 14 accumulator bits, and fast
      // accumulation promotes to FP32 less often: 2^-12 per sqrt(k) covers
      // the few-percent errors reported at k = 4096 (DeepSeek-V3 report).
      {Precision::fp8,
       1,
       2,
       true,
       89,
       "cublasLt, FP8 e4m3 in (TN, unit scale pointers), BF16 out, CUBLAS_COMPUTE_32F, fast "
       "accumulation",
       {0, u(12), u(8), u(53)}},
      // Integer products and int32 sums are exact; FP64 check sums of
      // integers below 2^53 are exact too.
      {Precision::int8,
       1,
       4,
       true,
       75,
       "cublasLt, INT8 in (TN), INT32 out, CUBLAS_COMPUTE_32I",
       {0, 0, 0, 0}},
  };
  for (const auto& f : kFormats)
    if (f.precision == p) return f;
  throw std::logic_error("no CUDA GEMM format for a precision");
}

uint64_t gemm_footprint_bytes(const CudaGemmFormat& f, int64_t m, int64_t n, int64_t k, int sets) {
  const uint64_t ab = static_cast<uint64_t>(f.input_bytes) *
                      (static_cast<uint64_t>(m) * k + static_cast<uint64_t>(k) * n);
  const uint64_t c = static_cast<uint64_t>(f.output_bytes) * static_cast<uint64_t>(m) * n;
  return static_cast<uint64_t>(sets) * ab + c + kWorkspaceBytes;
}

int gemm_buffer_sets(const CudaGemmFormat& f, int64_t m, int64_t n, int64_t k, uint64_t l2_bytes) {
  const uint64_t ab = static_cast<uint64_t>(f.input_bytes) *
                      (static_cast<uint64_t>(m) * k + static_cast<uint64_t>(k) * n);
  if (ab == 0) return 1;
  return static_cast<int>(std::min<uint64_t>(2 * l2_bytes / ab + 1, 64));
}

int64_t default_gemm_n(const CudaGemmFormat& f, uint64_t memory_bytes, uint64_t l2_bytes,
                       bool quick) {
  // The quick size is cut only for the formats on the FP64/FP32 pipes
  // (cublasDgemm/Sgemm), whose 16384^3 call takes 0.2-1 s. On the tensor
  // cores every format keeps 16384: TF32 at 8192 ran 3.3 ms calls on an H200,
  // short enough that clock steps moved its median (cv 5.2%, 0.949 x the
  // bare program running the same cuBLASLt algorithm).
  int64_t n = quick && !f.lt ? 8192 : 16384;
  // Never under several (4) times the L2 per matrix.
  while (static_cast<uint64_t>(n) * n * f.input_bytes < 4 * l2_bytes) n += 1024;
  for (; n >= 1024; n -= 1024) {
    const int sets = gemm_buffer_sets(f, n, n, n, l2_bytes);
    if (gemm_footprint_bytes(f, n, n, n, sets) <= memory_bytes / 4) return n;
  }
  return 0;
}

}  // namespace flopscope::gemm::cuda
