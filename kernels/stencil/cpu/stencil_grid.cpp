#include "kernels/stencil/cpu/stencil_grid.h"

namespace flopscope::stencil::cpu {

GridLayout make_layout(int64_t nx, int64_t ny, int64_t nz, int radius, int element_bytes) {
  GridLayout g;
  g.radius = radius;
  g.nx = nx;
  g.ny = ny;
  g.nz = nz;
  // x = 0 sits at element `line` of its row, so the x halo (radius <= line)
  // fits in front of it.
  const int64_t line = 64 / element_bytes;
  const int64_t r = radius;
  g.pitch = (line + nx + r + line - 1) / line * line;
  if (g.pitch * element_bytes % 4096 == 0) g.pitch += line;
  g.plane = g.pitch * (ny + 2 * r);
  if (g.plane * element_bytes % 4096 == 0) g.plane += line;
  g.origin = r * g.plane + r * g.pitch + line;
  g.elements = g.plane * (nz + 2 * r);
  return g;
}

}  // namespace flopscope::stencil::cpu
