// The headline per computing-power class (DESIGN.md "What it answers"): per
// device and in total, from verified figures only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/measurement.h"

namespace flopscope {

// The precisions whose GEMM is a class's headline: FP64 for
// supercomputing, FP32 for basic, FP16 and BF16 (the better one) for
// intelligent; TF32, FP8 and INT8 stand beside.
const std::vector<Precision>& headline_precisions(PerfClass c);

// The verified measurement that is `device`'s headline in class c: its
// best GEMM in the class's headline precisions, else (a stand-in the
// summary names) its best FMA chains; nullptr when it has neither.
const Measurement* class_headline(const std::vector<Measurement>& ms, const std::string& device,
                                  PerfClass c);

// classes: {basic|intelligent|supercomputing: {flops, unit, per_device,
// per_device_efficiency, of_peak, kernel, precision, beside: {device: {fft,
// stencil, ...}}}}. per_device_efficiency holds each headline's efficiency
// (Efficiency::to_json), of_peak what class_of_peak makes of them.
nlohmann::json summarize_classes(const std::vector<Measurement>& ms,
                                 const std::vector<std::string>& device_ids);

// The class total against the peaks its figures were judged by: {clock,
// spec}, each the sum of the figures over the sum of each device's peak
// (its figure over its efficiency: a tensor-core GEMM's matrix units, FMA
// chains' vector units), or null unless every device has that efficiency.
// Shared by the run's summary and merge's rack totals.
nlohmann::json class_of_peak(const nlohmann::json& per_device,
                             const nlohmann::json& per_device_efficiency);

// A class's of_peak as its file has it; for a file from before schema
// 1.2.0, which has none, worked out from the file's measurements: each
// device's headline found among its verified ones by kernel, precision
// (unless the class joined several: "mixed") and median.
nlohmann::json of_peak_in(const nlohmann::json& cls, const nlohmann::json& measurements);

// The fraction a class's of_peak leads with: at the measured clock where
// it has one, else at the spec clock. `at` names it: "at the measured
// clock" or "at spec". nullopt when of_peak has neither (or is no object).
struct ClassFraction {
  double fraction = 0;
  bool spec = false;  // at the spec clock
  const char* at = "";
};
std::optional<ClassFraction> headline_fraction(const nlohmann::json& of_peak);

// The note of a class without a headline figure: what is missing, named
// (the class's GEMM precision) when other verified figures stand beside it.
// Used by the run's summary and by merge's rack totals alike.
std::string missing_headline_note(PerfClass c, bool has_beside);

}  // namespace flopscope
