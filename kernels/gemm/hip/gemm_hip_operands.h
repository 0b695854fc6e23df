// The operands of a GEMM on an AMD GPU, made on the host, and the check of
// its output: used by every HIP GEMM (rocBLAS and flopscope's own MFMA
// kernel), so both are verified the same way. Pure host code, unit-tested.
//
// C = A B with A m x k and B k x n, column-major. Inputs are seeded and
// uniform in [-1, 1) on the format's grid (k / 2^p with p the format's
// significand bits: 53, 24, 11 and 8), so they are exact in their format;
// int8 inputs are integers in [-64, 63]. The check is
// kernels/gemm/gpu/gemm_check.h's: every column's checksum against
// (e^T A) B, and sampled elements against long-double dot products.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/kernel_run.h"
#include "kernels/gemm/gemm_spec.h"

namespace flopscope::gemm::hip {

enum class Element { f64, f32, f16, bf16, i8, i32 };
int element_bytes(Element e);
const char* element_name(Element e);

// What a precision stores and how its check tolerates rounding: inputs,
// output, the unit roundoffs of each step (FP32 accumulation for 16-bit
// inputs, exact integers for int8).
struct HipGemmFormat {
  Precision precision;
  Element input, output;
  ErrorModel error;
};
// nullptr for precisions no HIP GEMM runs (tf32, fp8 without hipBLASLt).
const HipGemmFormat* hip_gemm_format(Precision p);
// flopscope's own MFMA GEMM stores its accumulators: FP16/BF16 inputs, FP32
// C; FP64 in and out. nullptr for other precisions.
const HipGemmFormat* mfma_gemm_format(Precision p);

// The default square size: 16384 (8192 quick) for 16-bit and narrower
// inputs, 8192 (quick 4096) for FP64/FP32, reduced in steps of 1024 until A,
// B and C fit in a quarter of the memory; 0 when even 1024 does not.
int64_t default_hip_gemm_n(const HipGemmFormat& f, uint64_t memory_bytes, bool quick);

// Host operands in device storage, and what the check needs of them.
struct GemmOperands {
  int64_t m = 0, n = 0, k = 0;
  std::vector<unsigned char> a, b;  // raw, in the input format
  // want[j] = sum_l (sum_i A[i,l]) B[l,j]; sum_sq[j] = sum_l (sum_i A[i,l]^2) B[l,j]^2.
  std::vector<double> want, sum_sq;
  // Sampled elements of C: (row, column), with that row of A and column of B.
  std::vector<int64_t> sample_row, sample_col;
  std::vector<double> sample_a, sample_b;  // k values per sample
};
// How A is stored: m x k column-major (rocBLAS, no transpose), or k x m
// column-major, each row of op(A) contiguous in k (the TN layout of the own
// MFMA GEMM and cuBLASLt).
enum class ALayout { m_by_k, k_by_m };
GemmOperands make_gemm_operands(const HipGemmFormat& f, int64_t m, int64_t n, int64_t k,
                                uint64_t seed, ALayout layout = ALayout::m_by_k);

// The value of element `index` of raw storage in format e.
double element_value(const unsigned char* raw, Element e, int64_t index);

// Checks C (m x n column-major, raw, in the output format) copied back from
// the device: every column's checksum and the sampled elements.
Verification check_gemm_output(const HipGemmFormat& f, const GemmOperands& ops,
                               const std::vector<unsigned char>& c);

}  // namespace flopscope::gemm::hip
