// Registers the stencil kernel with the CPU backend: 7- and 25-point stars,
// FP64 and FP32, 256^3 updated points by default (192^3 with --quick).
#include <unistd.h>

#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/errors.h"
#include "kernels/stencil/cpu/stencil_cpu.h"
#include "kernels/stencil/cpu/stencil_grid.h"

namespace flopscope::stencil::cpu {

namespace {

using flopscope::cpu::CpuContext;

constexpr int64_t kDefaultEdge = 256;
// Two grids of 194^3 FP64 are 2 x 58 MiB: still well beyond a server's L3
// per core share, so even the quick figure is memory-bound.
constexpr int64_t kQuickEdge = 192;

bool has_sweep(Precision p) {
  return p == Precision::fp64 || p == Precision::fp32;
}

ProblemSize make_size(Star s, int64_t nx, int64_t ny, int64_t nz) {
  return ProblemSize{{{"nx", nx}, {"ny", ny}, {"nz", nz}}, variant_name(s)};
}

std::vector<ProblemSize> both_stars(int64_t nx, int64_t ny, int64_t nz) {
  return {make_size(Star::point7, nx, ny, nz), make_size(Star::point25, nx, ny, nz)};
}

// --sizes N (a cube) or NxMxK, refused when the two grids would need more
// than half of this machine's memory.
std::vector<ProblemSize> sizes_from_user(const CpuContext&, Precision p,
                                         const std::vector<int64_t>& dims) {
  if (dims.size() != 1 && dims.size() != 3)
    throw UsageError("--sizes for stencil: N (a cube of N^3 updated points) or NxMxK");
  const int64_t nx = dims[0], ny = dims.size() == 3 ? dims[1] : dims[0],
                nz = dims.size() == 3 ? dims[2] : dims[0];
  for (int64_t d : {nx, ny, nz})
    if (d < 1 || d > kMaxUserEdge)
      throw UsageError("--sizes for stencil: edges are 1.." + std::to_string(kMaxUserEdge) +
                       ", not " + std::to_string(d));
  const int element = p == Precision::fp32 ? 4 : 8;
  const GridLayout g = make_layout(nx, ny, nz, radius(Star::point25), element);
  const double need = 2.0 * static_cast<double>(g.elements) * element;
  const double memory =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  if (need > 0.5 * memory)
    throw UsageError("--sizes for stencil: " + std::to_string(nx) + "x" + std::to_string(ny) + "x" +
                     std::to_string(nz) + " needs " +
                     std::to_string(static_cast<int64_t>(need / (1 << 20))) +
                     " MiB for its two grids, more than half of this machine's memory");
  return both_stars(nx, ny, nz);
}

const flopscope::cpu::CpuKernelRegistrar kRegistrar({
    KernelKind::stencil,
    [](const CpuContext&, Precision p, bool quick) {
      const int64_t n = quick ? kQuickEdge : kDefaultEdge;
      // A precision without a sweep gets one entry, reported unsupported once.
      if (!has_sweep(p)) return std::vector<ProblemSize>{make_size(Star::point7, n, n, n)};
      return both_stars(n, n, n);
    },
    [](const CpuContext& c, Precision p, const std::vector<int64_t>& dims) {
      return sizes_from_user(c, p, dims).front();
    },
    [](const CpuContext& c, const KernelRequest& r,
       std::string* unsupported) -> std::unique_ptr<KernelRun> {
      auto fail = [&](const std::string& why) {
        if (unsupported) *unsupported = why;
        return nullptr;
      };
      if (!has_sweep(r.precision))
        return fail("no CPU stencil sweep for " + std::string(to_string(r.precision)));
      StencilConfig config;
      if (r.size.variant.empty() || r.size.variant == variant_name(Star::point7))
        config.star = Star::point7;
      else if (r.size.variant == variant_name(Star::point25))
        config.star = Star::point25;
      else
        return fail("no stencil variant '" + r.size.variant + "' (7-point, 25-point)");
      config.precision = r.precision;
      config.nx = r.size.get("nx", kDefaultEdge);
      config.ny = r.size.get("ny", config.nx);
      config.nz = r.size.get("nz", config.nx);
      config.isa = flopscope::cpu::best_vector_tier(c.isa);
      config.pus = c.pus;
      config.l2_bytes_per_core = c.l2_bytes_per_core;
      config.l3_bytes_total = c.l3_bytes_total;
      config.seed = r.seed;
      return make_cpu_stencil_run(config);
    },
    sizes_from_user,
});

}  // namespace
}  // namespace flopscope::stencil::cpu
