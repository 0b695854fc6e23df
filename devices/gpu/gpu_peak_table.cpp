#include "devices/gpu/gpu_peak_table.h"

#include <cctype>
#include <cstdio>

namespace flopscope::gpu {

std::string_view to_string(Pipe p) {
  return p == Pipe::vector ? "vector" : "matrix";
}

const GpuRate* rate_for(const GpuSpec& spec, Precision p, Pipe pipe) {
  if (pipe == Pipe::vector) {
    switch (p) {
      case Precision::fp64:
        return &spec.fp64_vector;
      case Precision::fp32:
        return &spec.fp32_vector;
      case Precision::fp16:
        return &spec.fp16_vector;
      default:
        return nullptr;
    }
  }
  switch (p) {
    case Precision::fp64:
      return &spec.fp64_matrix;
    case Precision::fp32:
      return &spec.fp32_matrix;
    case Precision::tf32:
      return &spec.tf32_matrix;
    case Precision::fp16:
      return &spec.fp16_matrix;
    case Precision::bf16:
      return &spec.bf16_matrix;
    case Precision::fp8:
      return &spec.fp8_matrix;
    case Precision::int8:
      return &spec.int8_matrix;
  }
  return nullptr;
}

std::span<const GpuSpec> all_gpus() {
  static const std::vector<GpuSpec> all = [] {
    std::vector<GpuSpec> v = nvidia_gpus();
    const auto& amd = amd_gpus();
    v.insert(v.end(), amd.begin(), amd.end());
    return v;
  }();
  return all;
}

const GpuSpec* find_gpu_by_pci_id(uint16_t vendor_id, uint16_t device_id) {
  std::string_view vendor;
  if (vendor_id == 0x10de) {
    vendor = "nvidia";
  } else if (vendor_id == 0x1002) {
    vendor = "amd";
  } else {
    return nullptr;
  }
  for (const auto& spec : all_gpus()) {
    if (spec.vendor != vendor) continue;
    for (uint16_t id : spec.pci_device_ids) {
      if (id == device_id) return &spec;
    }
  }
  return nullptr;
}

std::string normalize_gpu_name(std::string_view name) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : name) {
    if (std::isalnum(c)) {
      if (pending_space && !out.empty()) out += ' ';
      pending_space = false;
      out += static_cast<char>(std::tolower(c));
    } else {
      pending_space = true;
    }
  }
  return out;
}

namespace {

// Whole-word containment: "h20" is in "nvidia h20 3e" but not in "nvidia h200".
bool contains_words(std::string_view haystack, std::string_view pattern) {
  if (pattern.empty()) return false;
  for (size_t pos = haystack.find(pattern); pos != std::string_view::npos;
       pos = haystack.find(pattern, pos + 1)) {
    bool starts = pos == 0 || haystack[pos - 1] == ' ';
    size_t end = pos + pattern.size();
    bool ends = end == haystack.size() || haystack[end] == ' ';
    if (starts && ends) return true;
  }
  return false;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

const GpuSpec* find_gpu_by_name(std::string_view name) {
  std::string norm = normalize_gpu_name(name);
  if (norm.empty()) return nullptr;
  const GpuSpec* best = nullptr;
  size_t best_len = 0;
  bool tie = false;
  for (const auto& spec : all_gpus()) {
    size_t len = 0;
    for (const auto& pattern : spec.name_patterns) {
      if (pattern.size() > len && contains_words(norm, normalize_gpu_name(pattern))) {
        len = pattern.size();
      }
    }
    if (len == 0) continue;
    if (len > best_len) {
      best = &spec;
      best_len = len;
      tie = false;
    } else if (len == best_len) {
      tie = true;
    }
  }
  return tie ? nullptr : best;
}

std::vector<const GpuSpec*> find_gpus_by_arch(std::string_view arch) {
  // HIP's gcnArchName carries target features after ':' ("gfx90a:sramecc+:xnack-").
  std::string want = normalize_gpu_name(arch.substr(0, arch.find(':')));
  std::vector<const GpuSpec*> out;
  if (want.empty()) return out;
  for (const auto& spec : all_gpus()) {
    if (normalize_gpu_name(spec.arch) == want) out.push_back(&spec);
  }
  return out;
}

PeakTable unknown_gpu_peaks(std::string reason) {
  PeakTable t;
  for (Precision p : kAllPrecisions) t[p].unknown_reason = reason;
  return t;
}

PeakTable gpu_peaks(const GpuSpec& spec, std::optional<int> live_units,
                    std::optional<double> live_clock_mhz, ClockSource live_clock_source) {
  const bool nvidia = spec.vendor == "nvidia";
  const std::string unit_name = nvidia ? "SM" : "CU";
  const bool units_live = live_units && *live_units > 0;
  const double units = units_live ? *live_units : spec.units;
  const bool clock_live = live_clock_mhz && *live_clock_mhz > 0;

  PeakTable table;
  for (Precision p : kAllPrecisions) {
    PrecisionPeak peak;
    const std::string op = counts_ops_not_flops(p) ? "OP" : "FLOP";
    bool missing_clock = false;
    for (Pipe pipe : {Pipe::vector, Pipe::matrix}) {
      const GpuRate* rate = rate_for(spec, p, pipe);
      if (!rate || !rate->present()) continue;

      UnitPeak u;
      u.units = units;
      u.ops_per_cycle_per_unit = rate->ops_per_clock;
      double spec_mhz = rate->clock_mhz > 0                            ? rate->clock_mhz
                        : rate->clock_source == ClockSource::spec_base ? spec.base_clock_mhz
                                                                       : spec.boost_clock_mhz;
      if (clock_live) {
        u.clock_hz = *live_clock_mhz * 1e6;
        u.clock_source = live_clock_source;
      } else if (spec_mhz > 0) {
        u.clock_hz = spec_mhz * 1e6;
        u.clock_source = rate->clock_source;
      } else {
        u.clock_source = ClockSource::none;
        missing_clock = true;
      }

      std::string pipe_name = pipe == Pipe::vector ? (nvidia ? "vector (CUDA cores)" : "vector")
                                                   : (nvidia ? "tensor" : "matrix (MFMA)");
      u.table_entry = spec.vendor + " table: " + spec.model + " (" + spec.arch + "), " +
                      fmt("%g", rate->ops_per_clock) + " dense " + upper(to_string(p)) + " " + op +
                      "/clk/" + unit_name + " " + pipe_name;

      std::vector<std::string> notes;
      if (!rate->note.empty()) notes.push_back(rate->note);
      if (rate->datasheet_tera > 0) {
        notes.push_back("datasheet " + fmt("%g", rate->datasheet_tera) + " T" + op +
                        "/s dense at " + fmt("%g", spec.units) + " " + unit_name + "s x " +
                        fmt("%g", spec_mhz) + " MHz");
      }
      if (units_live && *live_units != spec.units) {
        notes.push_back(unit_name + " count from the runtime (table: " + fmt("%g", spec.units) +
                        ")");
      }
      if (clock_live && spec_mhz > 0) {
        notes.push_back("datasheet clock " + fmt("%g", spec_mhz) + " MHz");
      }
      for (size_t i = 0; i < notes.size(); ++i) u.note += (i ? "; " : "") + notes[i];

      (pipe == Pipe::vector ? peak.vector : peak.matrix) = std::move(u);
    }

    if (!peak.vector && !peak.matrix) {
      bool unsupported = false;
      for (Precision q : spec.not_supported) unsupported |= q == p;
      peak.unknown_reason =
          unsupported ? std::string("not supported by ") + spec.arch + " (" + spec.model + ")"
                      : "no dense " + upper(to_string(p)) + " figure in the " + spec.vendor +
                            " table for " + spec.model;
    } else if (missing_clock && !peak.best()) {
      peak.unknown_reason = "no published clock for " + spec.model +
                            "; give a measured clock to turn the per-clock rate into a peak";
    }
    table[p] = std::move(peak);
  }
  return table;
}

}  // namespace flopscope::gpu
