// The memory roofline of bandwidth-bound kernels (DESIGN.md "Compulsory
// traffic"): a stencil's bound is the copy bandwidth the same device reached
// in the same run times the stencil's arithmetic intensity (7-point FP64:
// copy bandwidth x 8 FLOP / 16 B). A post-processing step over the run's
// measurements, so no kernel needs to know another.
//
// The copy is the stencil's own when it times one before each repetition
// (the CPU and GPU stencils, KernelRun::time_interleaved_copy): on a shared machine
// whose bandwidth drifts by 10-20% within a minute, a stream run a minute
// away moved a 7-point sweep's fraction from 65% to 89% between runs. The
// run's stream copy then stays beside it for comparison.
//
// The bound is a memory bound: it holds only for a stencil whose grids come
// from memory, and only a copy whose arrays come from memory sets it. Either
// one within the cache (a small --sizes, a GPU grid inside its L2) would give
// a "roofline" of several hundred percent; such a stencil gets a note
// saying why it has none instead.
#pragma once

#include <string>
#include <vector>

#include "harness/measurement.h"

namespace flopscope {

// The kernels judged against the memory roofline.
bool judged_by_roofline(KernelKind k);

// Data counts as coming from memory when one pass touches at least this many
// times the largest cache's bytes (STREAM asks 4x per array; a copy's or a
// sweep's two arrays at 2x each make the same margin).
inline constexpr double kMemoryResidentFactor = 2.0;

// True when the measurement's footprint is past the cache by that factor, or
// when the kernel reports no footprint or no cache size (nothing to judge by).
bool from_memory(const Measurement& m);

// Sets Measurement::roofline on every verified stencil figure from memory
// that has its own interleaved copy, or whose device has a verified stream
// copy from memory in `ms`: the highest such copy bandwidth of that device
// (any precision: bytes are bytes) sets the bound. Other verified stencils
// get roofline_note.
void apply_roofline(std::vector<Measurement>& ms);

}  // namespace flopscope
