#include "harness/device.h"

namespace flopscope {

namespace {
nlohmann::json unit_to_json(const UnitPeak& u, std::string_view unit_name, std::string_view rate) {
  nlohmann::json j;
  auto r = u.ops_per_second();
  j["flops"] = r ? nlohmann::json(*r) : nlohmann::json(nullptr);
  j["units"] = u.units;
  j["ops_per_cycle_per_unit"] = u.ops_per_cycle_per_unit;
  j["clock_hz"] = u.clock_hz > 0 ? nlohmann::json(u.clock_hz) : nlohmann::json(nullptr);
  j["clock_source"] = to_string(u.clock_source);
  j["table_entry"] = u.table_entry;
  j["derivation"] = u.derivation(unit_name, rate);
  if (!r) j["flops_per_ghz"] = u.ops_per_ghz();
  return j;
}
}  // namespace

std::string_view unit_name_for_kind(std::string_view kind) {
  if (kind == "cuda") return "SM";
  if (kind == "hip") return "CU";
  if (kind == "cpu") return "core";
  return "unit";
}

nlohmann::json peaks_to_json(const PeakTable& peaks, std::string_view unit_name) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [p, pk] : peaks) {
    nlohmann::json j;
    auto best = pk.best();
    j["flops"] = best ? nlohmann::json(*best) : nlohmann::json(nullptr);
    j["unit"] = rate_unit(p);
    std::string derivation;
    if (pk.vector) {
      j["vector"] = unit_to_json(*pk.vector, unit_name, rate_unit(p));
      derivation = "vector: " + pk.vector->derivation(unit_name, rate_unit(p));
    }
    if (pk.matrix) {
      j["matrix"] = unit_to_json(*pk.matrix, unit_name, rate_unit(p));
      if (!derivation.empty()) derivation += " | ";
      derivation += "matrix: " + pk.matrix->derivation(unit_name, rate_unit(p));
    }
    if (!pk.unknown_reason.empty()) {
      j["unknown_reason"] = pk.unknown_reason;
      if (derivation.empty()) derivation = pk.unknown_reason;
    }
    j["derivation"] = derivation;
    out[std::string(to_string(p))] = j;
  }
  return out;
}

nlohmann::json device_to_json(const Device& d) {
  nlohmann::json j;
  j["id"] = d.id;
  j["kind"] = d.kind;
  j["name"] = d.name;
  j["identity"] = {{"pci_bus_id", d.identity.pci_bus_id},
                   {"uuid", d.identity.uuid},
                   {"serial", d.identity.serial}};
  j["peaks"] = peaks_to_json(d.peaks, unit_name_for_kind(d.kind));
  if (!d.spec_peaks.empty())
    j["spec_peaks"] = peaks_to_json(d.spec_peaks, unit_name_for_kind(d.kind));
  j["details"] = d.details;
  return j;
}

}  // namespace flopscope
