// The stream kernel on the CPU: copy and triad on every pinned OpenMP
// thread, each over its own contiguous share of the arrays (written first by
// that thread, so its pages are local), with streaming stores when the
// arrays are larger than the cache.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "harness/kernel_run.h"
#include "kernels/stream/stream_spec.h"

namespace flopscope::stream::cpu {

// The loops' instruction set: one file per tier (stream_loop_*.cpp), the
// widest the CPU runs chosen by cpu::best_vector_tier (from cpuid, never
// from the build).
using LoopIsa = flopscope::cpu::VectorTier;

struct StreamConfig {
  Op op = Op::copy;
  Precision precision = Precision::fp64;
  int64_t elements = 0;  // per array
  LoopIsa isa = LoopIsa::generic;
  std::vector<int> pus;  // one thread per entry; empty: one unpinned thread
  uint64_t l3_bytes_total = 0;
  int streaming_stores = -1;  // -1: when an array is larger than L3; 0 or 1 forces
  uint64_t seed = 20261128;
};

// Elements per array by default: 4 x the L3 or 256 MiB, whichever is larger
// (quick: 4 x the L3 or 64 MiB), and never more than the three arrays
// fitting in a quarter of `memory_bytes`.
int64_t default_elements(uint64_t l3_total, uint64_t memory_bytes, int element_bytes, bool quick);

// The stream copy's own loop (a[i] = b[i], `isa`'s code, streaming stores
// when asked) over thread t of n's share of [0, elements): whole 64-byte
// lines, as the stream kernel splits its arrays. For a kernel that times a
// copy of its own arrays beside its figure (the CPU stencil's roofline):
// call it on every thread of an OpenMP team; a and b 64-byte aligned.
void copy_share(LoopIsa isa, double* a, const double* b, int64_t elements, int t, int n,
                bool streaming_stores);
void copy_share(LoopIsa isa, float* a, const float* b, int64_t elements, int t, int n,
                bool streaming_stores);

// nullptr when the precision has no CPU loop (fp64 and fp32 only). Throws
// std::runtime_error when the arrays cannot be allocated.
std::unique_ptr<KernelRun> make_cpu_stream_run(const StreamConfig& config);

}  // namespace flopscope::stream::cpu
