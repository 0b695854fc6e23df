// A measurable device as the harness sees it: identity, peaks, and the
// backend-specific details that go into the result file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/peak.h"

namespace flopscope {

struct DeviceIdentity {
  std::string pci_bus_id;  // GPUs are always matched by bus id, never by index
  std::string uuid;
  std::string serial;
};

struct Device {
  std::string id;    // "cpu0", "cuda:0", "hip:1"
  std::string kind;  // "cpu", "cuda", "hip"
  std::string name;
  DeviceIdentity identity;
  PeakTable peaks;       // at the best clock known: measured under load, else the spec's
  PeakTable spec_peaks;  // at the spec clock; empty when no spec clock is known
  nlohmann::json details = nlohmann::json::object();
};

// The unit a peak is counted in: "core" on CPUs, "SM" on NVIDIA, "CU" on AMD.
std::string_view unit_name_for_kind(std::string_view kind);
nlohmann::json peaks_to_json(const PeakTable& peaks, std::string_view unit_name = "core");
nlohmann::json device_to_json(const Device& d);

}  // namespace flopscope
