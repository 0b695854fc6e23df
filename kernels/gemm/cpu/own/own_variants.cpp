// The micro-kernel variants compiled in, and which of them this CPU can run.
#include <string>

#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own {

template <>
MicroKernel<double> compiled_micro_kernel<double>(IsaFamily f, int tile) {
  switch (f) {
    case IsaFamily::avx512:
      return avx512_dgemm_micro_kernel(tile);
    case IsaFamily::avx2:
      return avx2_dgemm_micro_kernel(tile);
    case IsaFamily::neon:
      return neon_dgemm_micro_kernel(tile);
  }
  return {};
}

template <>
MicroKernel<float> compiled_micro_kernel<float>(IsaFamily f, int tile) {
  switch (f) {
    case IsaFamily::avx512:
      return avx512_sgemm_micro_kernel(tile);
    case IsaFamily::avx2:
      return avx2_sgemm_micro_kernel(tile);
    case IsaFamily::neon:
      return neon_sgemm_micro_kernel(tile);
  }
  return {};
}

namespace {

// Widest first: the order own_gemm_variants promises.
constexpr IsaFamily kFamilies[] = {IsaFamily::avx512, IsaFamily::avx2, IsaFamily::neon};

void add_variant(std::vector<OwnGemmVariant>& out, Precision p, IsaFamily isa, int mr, int nr) {
  OwnGemmVariant v;
  v.precision = p;
  v.isa = isa;
  v.mr = mr;
  v.nr = nr;
  v.name = "flopscope-" + std::string(to_string(isa)) + "-" + std::to_string(mr) + "x" +
           std::to_string(nr);
  out.push_back(std::move(v));
}

// The family's tiles, its default first; none when it is not compiled for
// this architecture.
template <typename T>
void add_variants(std::vector<OwnGemmVariant>& out, Precision p, IsaFamily isa) {
  for (int tile = 0;; ++tile) {
    const MicroKernel<T> k = compiled_micro_kernel<T>(isa, tile);
    if (!k.fn) return;
    add_variant(out, p, isa, k.mr, k.nr);
  }
}

}  // namespace

std::string_view to_string(IsaFamily f) {
  switch (f) {
    case IsaFamily::avx2:
      return "avx2";
    case IsaFamily::avx512:
      return "avx512";
    case IsaFamily::neon:
      return "neon";
  }
  return "unknown";
}

bool can_run(const OwnGemmVariant& v, const flopscope::cpu::CpuIsa& isa) {
  switch (v.isa) {
    case IsaFamily::avx2:
      return isa.avx2 && isa.fma;
    case IsaFamily::avx512:
      return isa.avx512f;
    case IsaFamily::neon:
      return isa.neon;
  }
  return false;
}

std::vector<OwnGemmVariant> all_own_gemm_variants(Precision p) {
  std::vector<OwnGemmVariant> out;
  for (IsaFamily f : kFamilies) {
    if (p == Precision::fp64) add_variants<double>(out, p, f);
    if (p == Precision::fp32) add_variants<float>(out, p, f);
  }
  return out;
}

std::vector<OwnGemmVariant> own_gemm_variants(const flopscope::cpu::CpuIsa& isa, Precision p) {
  std::vector<OwnGemmVariant> out;
  for (auto& v : all_own_gemm_variants(p))
    if (can_run(v, isa)) out.push_back(std::move(v));
  return out;
}

}  // namespace flopscope::gemm::own
