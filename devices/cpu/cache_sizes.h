// The cache sizes CPU kernels block for (own GEMM, stencil, stream sizes),
// read from the hwloc topology and sanity-checked.
#pragma once

#include "devices/cpu/cpu_kernel_registry.h"
#include "devices/topology/topology.h"

namespace flopscope::cpu {

// Sets ctx's L1d, L2 (per core) and L3 (total) sizes from the topology's
// data and unified caches, and ctx.cache_source to "hwloc" or, where a
// size was replaced, "hwloc, corrected: " and why.
void set_cache_sizes(const topo::Topology& t, CpuContext& ctx);

}  // namespace flopscope::cpu
