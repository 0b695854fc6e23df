// What each precision means for the CUDA GEMM: storage, library, compute
// type and error model, and the sizes chosen for a device. Pure host code,
// unit-tested without a GPU.
#pragma once

#include <cstdint>
#include <string>

#include "harness/precision.h"
#include "kernels/gemm/gemm_spec.h"

namespace flopscope::gemm::cuda {

struct CudaGemmFormat {
  Precision precision;
  int input_bytes;   // A and B elements
  int output_bytes;  // C elements
  bool lt;           // cuBLASLt (else cublasDgemm / cublasSgemm)
  int min_compute_capability;
  std::string compute;  // recorded in the implementation string
  ErrorModel error;
};

const CudaGemmFormat& cuda_gemm_format(Precision p);

// Footprint of an m x n x k GEMM with `sets` rotating A/B pairs, one C, and
// the library workspace.
uint64_t gemm_footprint_bytes(const CudaGemmFormat& f, int64_t m, int64_t n, int64_t k, int sets);

// A/B pairs rotated so that the inputs of consecutive launches together span
// more than twice the L2: a launch never finds its inputs left in the L2.
int gemm_buffer_sets(const CudaGemmFormat& f, int64_t m, int64_t n, int64_t k, uint64_t l2_bytes);

// The default square size: large enough to reach the device's rate (16384
// on the tensor cores, TF32 included; 8192 quick / 16384 full for FP64 and
// FP32 through cublasDgemm/Sgemm), never
// under several times the L2, reduced in steps of 1024 until the footprint
// fits in a quarter of the memory. 0 when even 1024 does not fit.
int64_t default_gemm_n(const CudaGemmFormat& f, uint64_t memory_bytes, uint64_t l2_bytes,
                       bool quick);

// The library workspace (cuBLASLt heuristics pick kernels that use it).
inline constexpr uint64_t kWorkspaceBytes = 128ull << 20;

}  // namespace flopscope::gemm::cuda
