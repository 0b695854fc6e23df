// flopscope's own packed GEMM on the CPU, in the BLIS style: A and B are
// packed into MR-row and NR-column panels, cache blocks MC x KC x NC come
// from the cache sizes, a register-blocked micro-kernel per ISA family
// (intrinsics) computes MR x NR tiles of C, and OpenMP threads pinned one per
// core split the macro-loops. It is a self-contained library: the GEMM probe
// lists its variants beside the BLAS libraries and takes it when it is the
// fastest verified implementation.
//
// Semantics are those of BLAS xGEMM: C = alpha op(A) op(B) + beta C, with
// op(A) m x k, op(B) k x n, C m x n; C is not read when beta == 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/precision.h"

namespace flopscope::gemm::own {

enum class Layout { col_major, row_major };
enum class Trans { no, yes };

// The instruction-set family of a micro-kernel.
enum class IsaFamily { avx2, avx512, neon };
std::string_view to_string(IsaFamily f);

// One micro-kernel: a precision, an ISA family and its MR x NR register tile.
struct OwnGemmVariant {
  std::string name;  // "flopscope-avx2-8x6": family, then the tile MR x NR (rows x columns of C)
  Precision precision = Precision::fp64;
  IsaFamily isa = IsaFamily::avx2;
  int mr = 0, nr = 0;
};

// Whether this CPU (cpuid, OS-checked) can execute the variant's instructions.
bool can_run(const OwnGemmVariant& v, const flopscope::cpu::CpuIsa& isa);

// Every variant compiled in for a precision (fp64 or fp32), runnable here or not.
std::vector<OwnGemmVariant> all_own_gemm_variants(Precision p);

// The variants this CPU can run, widest ISA first; empty for precisions other than fp64/fp32 and
// for CPUs without AVX2+FMA (x86) or NEON (aarch64).
std::vector<OwnGemmVariant> own_gemm_variants(const flopscope::cpu::CpuIsa& isa, Precision p);

// Cache sizes the blocking is derived from (per core for L1d/L2, the whole L3).
struct CacheSizes {
  uint64_t l1d_bytes_per_core = 0;
  uint64_t l2_bytes_per_core = 0;
  uint64_t l3_bytes_total = 0;
};

// The cache blocks: KC (depth of the packed panels), MC (rows of a packed A block), NC (columns of
// a packed B block), and how they were derived.
struct OwnGemmBlocking {
  int64_t mc = 0, kc = 0, nc = 0;
  std::string derivation;
};

// From the BLIS analytical model (Low et al., "Analytical modeling is enough for high-performance
// BLIS", TOMS 2016), see own_blocking.cpp. A cache size of 0 (unknown) falls back to a
// conservative one, and the derivation says so.
OwnGemmBlocking own_gemm_blocking(const OwnGemmVariant& v, const CacheSizes& caches);

struct OwnGemmConfig {
  OwnGemmVariant variant;
  OwnGemmBlocking blocking;
  std::vector<int> pus;  // one OpenMP thread pinned per PU; empty: one thread, unpinned

  int threads() const { return pus.empty() ? 1 : static_cast<int>(pus.size()); }
  // What a result names: "flopscope-avx2-8x6 mc=128 kc=256 nc=4092 threads=2".
  std::string implementation() const;
};

// The variant with blocking from the context's (sanity-checked) cache sizes and its PUs.
OwnGemmConfig own_gemm_config(const OwnGemmVariant& v, const flopscope::cpu::CpuContext& ctx);

// Reads back an implementation string ("flopscope-avx2-8x6 mc=128 kc=256 nc=8190", a trailing
// " threads=N" is ignored) for a precision: nullopt when the name is no variant of that precision
// this CPU can run, or a block size is missing or not a positive number. pus are left empty.
std::optional<OwnGemmConfig> parse_own_gemm_config(const std::string& text, Precision p,
                                                   const flopscope::cpu::CpuIsa& isa);

// C = alpha op(A) op(B) + beta C. Throws std::invalid_argument for a config of another precision
// or one whose ISA this CPU lacks, negative sizes, or leading dimensions too small for the layout.
void own_gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, double alpha,
              const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
              int64_t ldc, const OwnGemmConfig& config);
void own_gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, float alpha,
              const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
              int64_t ldc, const OwnGemmConfig& config);

}  // namespace flopscope::gemm::own
