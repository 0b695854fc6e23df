// The stencil kernel on the CPU: Jacobi sweeps of a 7- or 25-point star on
// every pinned OpenMP thread, each thread sweeping its own slab of planes in
// cache-sized blocks of rows, vectorised for the widest instruction set the
// CPU has, with streaming stores when the grid is far larger than the cache.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "harness/kernel_run.h"
#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::cpu {

// The sweep's instruction set: one file per tier (stencil_sweep_*.cpp), the
// widest the CPU runs chosen by cpu::best_vector_tier (from cpuid, never
// from the build). The same tiers as the stream loops, whose copy the
// sweep's roofline is timed with.
using SweepIsa = flopscope::cpu::VectorTier;

struct StencilConfig {
  Star star = Star::point7;
  Precision precision = Precision::fp64;
  int64_t nx = 0, ny = 0, nz = 0;  // updated points per axis (the halo is extra)
  SweepIsa isa = SweepIsa::generic;
  std::vector<int> pus;    // one thread per entry; empty: one unpinned thread
  int64_t block_rows = 0;  // rows per y-block; 0: choose from the cache sizes
  uint64_t l2_bytes_per_core = 0;
  uint64_t l3_bytes_total = 0;
  int streaming_stores = -1;  // -1: choose by grid size; 0 or 1 forces
  uint64_t seed = 20261128;
};

// Rows per y-block so that 2R+1 planes of a block fit in a third of the
// core's L2 (half of the thread's share of the L3 for a caller that knows no
// L2), never thinner than 8R rows: a block re-reads 2R halo rows. (A step of
// the sweep updates two planes, so 2R+2 are live: at 256^3 FP64 on Zen 5
// the 38 rows that would give and these 51 ran alike.) Interleaved
// runs on 2 Zen 5 cores (1 MiB L2) at 256^3, sweep against its own copy:
// with whole planes (the first rule: planes in half the L3 share) the
// 7-point star reached 0.63-0.66, with blocks in half the L2 (78 rows)
// 0.74-0.76, and once the x neighbours came from registers (sweep_row_shifted)
// blocks of 48-53 rows beat 78 in 6 of 7 alternating pairs (by -3 to +14%,
// median +2%): the smaller block leaves the L2 room for the streams running
// ahead of it. 25-point: 0.26-0.29 at 32 rows against 0.21-0.22 at 99. On
// Zen 3 (512 KiB L2) the sweep with its prefetch of plane z+R ran alike at
// 16 to 256 rows (0.71-0.72 of its copy); before that prefetch, 16-64 rows
// had been about 10% slower than whole planes there (9.6-10.5 GFLOP/s against
// 11.3-11.8). Elsewhere x-tiles that fit the L2 halved both stars (rows of
// 256-1024 B break the hardware prefetchers' streams). An early loop that
// swept 2 or 4 planes at once made the 25-point star slower on Zen 3 (14
// and 10 GFLOP/s against 17-20); the two-plane step of stencil_sweep_body.h,
// with x neighbours from registers, runs it alike on Zen 5 and the 7-point
// faster. `why` names the cache.
int64_t choose_block_rows(int radius, int64_t ny, int64_t pitch_bytes, uint64_t l2_per_core,
                          uint64_t l3_total, int threads, std::string* why);

// Streaming stores pay off once the output cannot stay in cache anyway.
bool choose_streaming_stores(uint64_t grid_bytes, uint64_t l3_total);

// nullptr when the precision has no CPU sweep (fp64 and fp32 only). Throws
// std::runtime_error when the grids cannot be allocated.
std::unique_ptr<KernelRun> make_cpu_stencil_run(const StencilConfig& config);

}  // namespace flopscope::stencil::cpu
