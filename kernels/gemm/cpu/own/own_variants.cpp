// The micro-kernel variants compiled in, and which of them this CPU can run.
#include <string>

#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"

namespace flopscope::gemm::own {

namespace {

template <typename T>
void add_variant(std::vector<OwnGemmVariant>& out, Precision p, IsaFamily isa,
                 const MicroKernel<T>& k) {
  if (!k.fn) return;  // not compiled for this architecture
  OwnGemmVariant v;
  v.precision = p;
  v.isa = isa;
  v.mr = k.mr;
  v.nr = k.nr;
  v.name = "flopscope-" + std::string(to_string(isa)) + "-" + std::to_string(k.mr) + "x" +
           std::to_string(k.nr);
  out.push_back(std::move(v));
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
  if (p == Precision::fp64) {
    add_variant(out, p, IsaFamily::avx512, avx512_dgemm_micro_kernel());
    add_variant(out, p, IsaFamily::avx2, avx2_dgemm_micro_kernel());
    add_variant(out, p, IsaFamily::neon, neon_dgemm_micro_kernel());
  } else if (p == Precision::fp32) {
    add_variant(out, p, IsaFamily::avx512, avx512_sgemm_micro_kernel());
    add_variant(out, p, IsaFamily::avx2, avx2_sgemm_micro_kernel());
    add_variant(out, p, IsaFamily::neon, neon_sgemm_micro_kernel());
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
