// What each precision means for the CPU GEMM: element storage, which
// library family can run it, and the error model its check uses.
#pragma once

#include "harness/precision.h"
#include "kernels/gemm/gemm_spec.h"

namespace flopscope::gemm::cpu {

// Which libraries can run a precision: BLAS libraries (sgemm/dgemm) and
// oneDNN's matmul (f32, bf16, f16, u8 x s8 -> s32).
struct CpuGemmFormat {
  Precision precision;
  int input_bytes;      // A and B elements
  int output_bytes;     // C elements
  bool blas;            // BLAS sgemm/dgemm can run it
  bool onednn;          // oneDNN matmul can run it
  const char* storage;  // "bf16 x bf16 -> f32", recorded in unsupported reasons
  ErrorModel error;
};

// nullptr for precisions no CPU library computes natively (tf32, fp8).
const CpuGemmFormat* cpu_gemm_format(Precision p);

// Bytes of A, B and C, and of oneDNN's pre-packed copy of B where used.
double gemm_footprint_bytes(const CpuGemmFormat& f, int64_t m, int64_t n, int64_t k);

}  // namespace flopscope::gemm::cpu
