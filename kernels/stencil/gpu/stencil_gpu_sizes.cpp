#include "kernels/stencil/gpu/stencil_gpu.h"
#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::gpu {

int64_t default_stencil_edge(uint64_t memory_bytes, uint64_t l2_bytes, int element_bytes,
                             bool quick) {
  int64_t n = quick ? 384 : 512;
  auto grid_bytes = [&](int64_t e) {
    const uint64_t side = static_cast<uint64_t>(e + 8);  // the widest halo
    return side * side * side * static_cast<uint64_t>(element_bytes);
  };
  while (n > 64 && 2 * grid_bytes(n) > memory_bytes / 4) n -= 64;
  while (grid_bytes(n) < 8 * l2_bytes) n += 64;
  return n;
}

std::vector<ProblemSize> stencil_sizes(int64_t nx, int64_t ny, int64_t nz) {
  std::vector<ProblemSize> out;
  for (Star s : {Star::point7, Star::point25})
    out.push_back(ProblemSize{{{"nx", nx}, {"ny", ny}, {"nz", nz}}, variant_name(s)});
  return out;
}

std::vector<ProblemSize> default_stencil_sizes(const flopscope::gpu::GpuKernelContext& c,
                                               Precision p, bool quick) {
  const int64_t n =
      default_stencil_edge(c.memory_bytes, c.l2_bytes, p == Precision::fp32 ? 4 : 8, quick);
  return stencil_sizes(n, n, n);
}

}  // namespace flopscope::stencil::gpu
