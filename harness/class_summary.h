// The headline per computing-power class (DESIGN.md "What it answers"): per
// device and in total, from verified figures only.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/measurement.h"

namespace flopscope {

// The precisions whose GEMM is a class's headline: FP64 for
// supercomputing, FP32 for basic, FP16 and BF16 (the better one) for
// intelligent; TF32, FP8 and INT8 stand beside.
const std::vector<Precision>& headline_precisions(PerfClass c);

// classes: {basic|intelligent|supercomputing: {flops, unit, per_device,
// kernel, precision, beside: {device: {fft, stencil, ...}}}}
nlohmann::json summarize_classes(const std::vector<Measurement>& ms,
                                 const std::vector<std::string>& device_ids);

// The note of a class without a headline figure: what is missing, named
// (the class's GEMM precision) when other verified figures stand beside it.
// Used by the run's summary and by merge's rack totals alike.
std::string missing_headline_note(PerfClass c, bool has_beside);

}  // namespace flopscope
