// The memory roofline of bandwidth-bound kernels (DESIGN.md "Compulsory
// traffic"): a stencil's bound is the copy bandwidth the same device reached
// in the same run times the stencil's arithmetic intensity (7-point FP64:
// copy bandwidth x 8 FLOP / 16 B). A post-processing step over the run's
// measurements, so no kernel needs to know another.
#pragma once

#include <vector>

#include "harness/measurement.h"

namespace flopscope {

// The kernels judged against the memory roofline.
bool judged_by_roofline(KernelKind k);

// Sets Measurement::roofline on every verified stencil figure whose device
// also has a verified stream copy in `ms`: the highest copy bandwidth of
// that device (any precision: bytes are bytes) sets the bound.
void apply_roofline(std::vector<Measurement>& ms);

}  // namespace flopscope
