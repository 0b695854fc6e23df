#include "harness/measurement.h"

namespace flopscope {

std::string_view to_string(MeasurementStatus s) {
  switch (s) {
    case MeasurementStatus::ok:
      return "ok";
    case MeasurementStatus::not_verified:
      return "not_verified";
    case MeasurementStatus::unsupported:
      return "unsupported";
    case MeasurementStatus::failed:
      return "failed";
    case MeasurementStatus::interrupted:
      return "interrupted";
    case MeasurementStatus::skipped:
      return "skipped";
  }
  return "?";
}

namespace {
nlohmann::json opt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
}  // namespace

bool bandwidth_only(const nlohmann::json& m) {
  auto number = [&](const char* key) {
    return m.is_object() && m.contains(key) && m[key].is_number() ? m[key].get<double>() : 0.0;
  };
  return bandwidth_only(number("flop_per_iteration"), number("bytes_per_iteration"));
}

namespace {
double steady_else_median(const nlohmann::json& m, const char* steady, const char* median) {
  for (const char* key : {steady, median})
    if (m.is_object() && m.contains(key) && m[key].is_number()) return m[key].get<double>();
  return 0;
}
}  // namespace

double sustained_bandwidth(const nlohmann::json& m) {
  return steady_else_median(m, "steady_bytes_per_second", "median_bytes_per_second");
}

double sustained_figure(const nlohmann::json& m) {
  return bandwidth_only(m) ? sustained_bandwidth(m)
                           : steady_else_median(m, "steady_flops", "median_flops");
}

bool valid_figure(const nlohmann::json& m) {
  return figure_status(m) == "ok";
}

std::string figure_status(const nlohmann::json& m) {
  if (!m.is_object()) return "?";
  const auto status = m.find("status");
  const std::string s = status != m.end() && status->is_string() ? status->get<std::string>() : "?";
  if (s != "ok") return s;
  const auto verified = m.find("verified");
  return verified != m.end() && *verified == true
             ? "ok"
             : std::string(to_string(MeasurementStatus::not_verified));
}

nlohmann::json Efficiency::to_json() const {
  nlohmann::json j = {
      {"spec", opt(spec)}, {"clock", opt(clock)}, {"measured_peak", opt(measured_peak)}};
  if (!unit.empty()) j["unit"] = unit;
  return j;
}

nlohmann::json Roofline::to_json() const {
  nlohmann::json j = {{"bandwidth_source", bandwidth_source},
                      {"bandwidth_bytes_per_second", bandwidth_bytes_per_second},
                      {"bound_flops", bound_flops},
                      {"fraction", fraction}};
  if (stream_copy_bytes_per_second) {
    j["stream_copy_bytes_per_second"] = *stream_copy_bytes_per_second;
    j["stream_copy_fraction"] = *stream_copy_fraction;
  }
  return j;
}

nlohmann::json Measurement::to_json() const {
  nlohmann::json j;
  j["device"] = device;
  j["kernel"] = to_string(kernel);
  j["precision"] = to_string(precision);
  j["class"] = to_string(class_of(precision));
  j["size"] = size.to_json();
  j["implementation"] = implementation;
  if (!details.is_null()) j["details"] = details;
  if (!unit_throughput_after.is_null()) j["unit_throughput_after"] = unit_throughput_after;
  if (!unit_throughput_between.is_null()) j["unit_throughput_between"] = unit_throughput_between;
  j["status"] = to_string(status);
  j["message"] = message;
  j["unit"] = rate_unit(precision);
  j["flop_per_iteration"] = flop_per_iteration;
  j["bytes_per_iteration"] = bytes_per_iteration;
  j["arithmetic_intensity"] = bytes_per_iteration > 0
                                  ? nlohmann::json(flop_per_iteration / bytes_per_iteration)
                                  : nlohmann::json(nullptr);
  j["median_flops"] = median_flops;
  j["best_flops"] = best_flops;
  if (median_bytes_per_second > 0)
    j["median_bytes_per_second"] = median_bytes_per_second;
  else if (seconds_per_iteration > 0 && bytes_per_iteration > 0)
    j["median_bytes_per_second"] = bytes_per_iteration / seconds_per_iteration;
  else
    j["median_bytes_per_second"] = nullptr;
  j["best_bytes_per_second"] =
      best_bytes_per_second > 0 ? nlohmann::json(best_bytes_per_second) : nlohmann::json(nullptr);
  if (interleaved_copy)
    j["interleaved_copy"] = {{"median_bytes_per_second", interleaved_copy->median_bytes_per_second},
                             {"samples", interleaved_copy->samples}};
  j["roofline"] = roofline ? roofline->to_json() : nlohmann::json(nullptr);
  if (!roofline_note.empty()) j["roofline_note"] = roofline_note;
  if (footprint)
    j["footprint"] = {{"working_set_bytes", footprint->working_set_bytes},
                      {"cache_bytes", footprint->cache_bytes},
                      {"cache", footprint->cache}};
  j["cv"] = cv;
  j["repetitions"] = static_cast<int>(repetition_flops.size());
  j["repetition_flops"] = repetition_flops;
  j["seconds_per_iteration"] = seconds_per_iteration;
  j["verified"] = verification.valid();
  j["max_error"] = verification.max_error;
  j["tolerance"] = verification.tolerance;
  j["verification"] = verification.detail;
  j["clock_hz"] = opt(clock_hz);
  j["clock_before_hz"] = opt(clock_before_hz);
  j["clock_after_hz"] = opt(clock_after_hz);
  if (!clock_probes_hz.empty()) j["clock_probes_hz"] = clock_probes_hz;
  j["efficiency"] = efficiency.to_json();
  j["flags"] = flags;
  j["mode"] = mode();
  if (soak) {
    nlohmann::json series = nlohmann::json::array();
    for (const auto& [t, f] : soak->series) series.push_back({t, f});
    j["series"] = series;
    j["series_unit"] = soak->unit;
    j["burst_flops"] = soak->burst_flops;
    j["steady_flops"] = soak->steady_flops;
    if (soak->steady_bytes_per_second > 0) {
      j["burst_bytes_per_second"] = soak->burst_bytes_per_second;
      j["steady_bytes_per_second"] = soak->steady_bytes_per_second;
    }
    j["drop"] = soak->drop;
    j["sensors"] = soak->sensors;
    j["attribution"] = soak->attribution;
    j["error_counters"] = soak->error_counters;
    j["soak"] = {{"duration_s", soak->duration_s},
                 {"window_s", soak->window_s},
                 {"windows", soak->series.size()},
                 {"settle_windows", soak->settle_windows},
                 {"verifications", soak->verifications},
                 {"verification_failures", soak->verification_failures}};
  }
  return j;
}

}  // namespace flopscope
