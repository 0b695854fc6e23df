#include "harness/class_summary.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace flopscope {

namespace {

bool headline_precision(PerfClass c, Precision p) {
  const auto& ps = headline_precisions(c);
  return std::find(ps.begin(), ps.end(), p) != ps.end();
}

const char* headline_name(PerfClass c) {
  return c == PerfClass::intelligent ? "FP16/BF16" : c == PerfClass::basic ? "FP32" : "FP64";
}

// GEMM is the headline. Until a device has a verified GEMM, its FMA-chain
// figure stands in, and the summary names the kernel so nobody mistakes it;
// certify never counts the stand-in (a certificate is of sustained GEMM).
constexpr KernelKind kHeadlineOrder[] = {KernelKind::gemm, KernelKind::peak};

}  // namespace

const std::vector<Precision>& headline_precisions(PerfClass c) {
  static const std::vector<Precision> fp64{Precision::fp64}, fp32{Precision::fp32},
      half{Precision::fp16, Precision::bf16};
  return c == PerfClass::supercomputing ? fp64 : c == PerfClass::basic ? fp32 : half;
}

const Measurement* class_headline(const std::vector<Measurement>& ms, const std::string& device,
                                  PerfClass c) {
  for (KernelKind k : kHeadlineOrder) {
    const Measurement* best = nullptr;
    for (const auto& m : ms)
      if (m.device == device && m.kernel == k && m.valid() && headline_precision(c, m.precision) &&
          (!best || m.median_flops > best->median_flops))
        best = &m;
    if (best) return best;
  }
  return nullptr;
}

nlohmann::json summarize_classes(const std::vector<Measurement>& ms,
                                 const std::vector<std::string>& device_ids) {
  nlohmann::json out = nlohmann::json::object();
  for (PerfClass c : kAllClasses) {
    nlohmann::json cls;
    nlohmann::json per_device = nlohmann::json::object();
    nlohmann::json efficiency = nlohmann::json::object();
    nlohmann::json beside = nlohmann::json::object();
    double total = 0;
    std::set<std::string> kernels, precisions;
    for (const auto& id : device_ids) {
      const Measurement* best = class_headline(ms, id, c);
      if (best) {
        per_device[id] = best->median_flops;
        efficiency[id] = best->efficiency.to_json();
        total += best->median_flops;
        kernels.insert(std::string(to_string(best->kernel)));
        precisions.insert(std::string(to_string(best->precision)));
      }
      // Every other verified figure of the class, best per kernel, precision
      // and variant (a 7-point and a 25-point stencil answer different
      // questions; stream copy has no FLOP and is ranked by bandwidth).
      nlohmann::json side = nlohmann::json::object();
      for (const auto& m : ms) {
        if (m.device != id || !m.valid() || class_of(m.precision) != c || &m == best) continue;
        std::string key =
            std::string(to_string(m.kernel)) + "/" + std::string(to_string(m.precision));
        if (!m.size.variant.empty()) key += "/" + m.size.variant;
        const bool better = !side.contains(key) ||
                            (!m.bandwidth_only() ? side[key]["flops"].get<double>() < m.median_flops
                                                 : side[key]["bytes_per_second"].is_number() &&
                                                       side[key]["bytes_per_second"].get<double>() <
                                                           m.median_bytes_per_second);
        if (better)
          side[key] = {{"flops", m.median_flops},
                       {"unit", rate_unit(m.precision)},
                       {"size", m.size.to_json()},
                       {"arithmetic_intensity",
                        m.bytes_per_iteration > 0
                            ? nlohmann::json(m.flop_per_iteration / m.bytes_per_iteration)
                            : nlohmann::json(nullptr)},
                       {"bytes_per_second",
                        m.median_bytes_per_second > 0 ? nlohmann::json(m.median_bytes_per_second)
                        : m.seconds_per_iteration > 0 && m.bytes_per_iteration > 0
                            ? nlohmann::json(m.bytes_per_iteration / m.seconds_per_iteration)
                            : nlohmann::json(nullptr)},
                       {"roofline", m.roofline ? m.roofline->to_json() : nlohmann::json(nullptr)},
                       {"efficiency", m.efficiency.to_json()}};
      }
      if (!side.empty()) beside[id] = side;
    }
    auto join = [](const std::set<std::string>& s) {
      if (s.empty()) return nlohmann::json(nullptr);
      if (s.size() == 1) return nlohmann::json(*s.begin());
      return nlohmann::json("mixed");
    };
    cls["flops"] = per_device.empty() ? nlohmann::json(nullptr) : nlohmann::json(total);
    cls["unit"] = "FLOP/s";
    cls["per_device"] = per_device;
    cls["per_device_efficiency"] = efficiency;
    cls["of_peak"] = class_of_peak(per_device, efficiency);
    cls["kernel"] = join(kernels);
    cls["precision"] = join(precisions);
    cls["beside"] = beside;
    if (per_device.empty()) cls["note"] = missing_headline_note(c, !beside.empty());
    out[std::string(to_string(c))] = cls;
  }
  return out;
}

nlohmann::json class_of_peak(const nlohmann::json& per_device,
                             const nlohmann::json& per_device_efficiency) {
  nlohmann::json out = {{"clock", nullptr}, {"spec", nullptr}};
  if (!per_device.is_object() || per_device.empty() || !per_device_efficiency.is_object())
    return out;
  for (const char* basis : {"clock", "spec"}) {
    double total = 0, peaks = 0;
    bool every = true;
    for (const auto& [id, f] : per_device.items()) {
      const auto e = per_device_efficiency.find(id);
      const nlohmann::json* fraction =
          e != per_device_efficiency.end() && e->is_object() && e->contains(basis) ? &(*e)[basis]
                                                                                   : nullptr;
      if (!f.is_number() || !fraction || !fraction->is_number() || fraction->get<double>() <= 0) {
        every = false;
        break;
      }
      total += f.get<double>();
      peaks += f.get<double>() / fraction->get<double>();
    }
    if (every && peaks > 0) out[basis] = total / peaks;
  }
  return out;
}

nlohmann::json of_peak_in(const nlohmann::json& cls, const nlohmann::json& measurements) {
  if (!cls.is_object()) return class_of_peak(nullptr, nullptr);
  if (cls.contains("of_peak") && cls["of_peak"].is_object()) return cls["of_peak"];
  const auto text = [](const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                  : std::string();
  };
  const std::string kernel = text(cls, "kernel"), precision = text(cls, "precision");
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& per_device =
      cls.contains("per_device") && cls["per_device"].is_object() ? cls["per_device"] : none;
  // The verified measurements by device, once: a rack file holds thousands.
  std::map<std::string, std::vector<const nlohmann::json*>> by_device;
  if (measurements.is_array())
    for (const auto& m : measurements)
      if (valid_figure(m)) by_device[text(m, "device")].push_back(&m);
  nlohmann::json efficiency = nlohmann::json::object();
  for (const auto& [device, f] : per_device.items()) {
    auto it = by_device.find(device);
    if (!f.is_number() || it == by_device.end()) continue;
    const double figure = f.get<double>();
    for (const nlohmann::json* m : it->second) {
      const auto median = m->find("median_flops");
      if (median != m->end() && median->is_number() &&
          std::abs(median->get<double>() - figure) <= 1e-9 * figure &&
          (kernel == "mixed" || text(*m, "kernel") == kernel) &&
          (precision == "mixed" || text(*m, "precision") == precision)) {
        efficiency[device] = m->value("efficiency", nlohmann::json());
        break;
      }
    }
  }
  return class_of_peak(per_device, efficiency);
}

std::optional<ClassFraction> headline_fraction(const nlohmann::json& of_peak) {
  if (!of_peak.is_object()) return std::nullopt;
  for (const bool spec : {false, true}) {
    const auto f = of_peak.find(spec ? "spec" : "clock");
    if (f != of_peak.end() && f->is_number() && f->get<double>() > 0)
      return ClassFraction{f->get<double>(), spec, spec ? "at spec" : "at the measured clock"};
  }
  return std::nullopt;
}

std::string missing_headline_note(PerfClass c, bool has_beside) {
  return has_beside
             ? std::string("no verified ") + headline_name(c) + " figure, the class's headline"
             : "no verified figure for this class";
}

}  // namespace flopscope
