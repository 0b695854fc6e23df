#include "devices/node_description.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "devices/cpu/cpu_microarch.h"
#include "devices/gpu/gpu_peak_table.h"
#include "harness/text_table.h"
#include "harness/units.h"

namespace flopscope {

namespace {

cpu::CpuIdent ident_from_recording(const topo::CpuPackageInfo& p, unsigned arm_part) {
  cpu::CpuIdent id;
  id.vendor = p.vendor;
  id.family = p.family;
  id.model = p.model;
  id.model_name = p.model_name;
  id.arm_part = arm_part;
  if (arm_part) id.arm_implementer = 0x41;
  return id;
}

Device recorded_cpu(const std::string& id, const cpu::CpuIdent& ident, int cores,
                    std::optional<double> user_clock) {
  Device d;
  d.id = id;
  d.kind = "cpu";
  d.name = ident.model_name.empty() ? (ident.vendor.empty() ? "unidentified CPU" : ident.vendor)
                                    : ident.model_name;
  d.details["cores"] = cores;
  if (ident.vendor.empty() && ident.model_name.empty() && ident.arm_part == 0) {
    d.peaks = cpu::unknown_cpu_peaks(
        "peak unknown: the recording carries no CPU identity (no CPUVendor, CPUModel or CPUPart "
        "info)");
    d.details["microarchitecture"] = "unknown";
    return d;
  }
  std::string reason;
  auto m = cpu::identify_microarch(ident, &reason);
  if (!m) {
    d.peaks =
        cpu::unknown_cpu_peaks(reason.empty() ? "peak unknown: CPU not in the table" : reason);
    d.details["microarchitecture"] = "unknown";
    return d;
  }
  d.name += " (" + m->name + ")";
  d.details["microarchitecture"] = m->name;
  if (!m->sku_exception.empty()) d.details["sku_exception"] = m->sku_exception;
  const cpu::CpuIsa isa = cpu::implied_isa(*m);
  d.details["isa"] = isa.names();
  const std::string avx512_note =
      ident.vendor == "GenuineIntel"
          ? "AVX-512 code runs below the nominal clock on many Intel parts (licence-based clocks)"
          : "";
  auto sc = cpu::spec_clock(ident);
  double hz = 0;
  ClockSource src = ClockSource::none;
  if (user_clock) {
    hz = *user_clock;
    src = ClockSource::user_given;
  } else if (sc && sc->base_hz > 0) {
    hz = sc->base_hz;
    src = ClockSource::spec_base;
  } else if (sc && sc->boost_hz > 0) {
    hz = sc->boost_hz;
    src = ClockSource::spec_boost;
  }
  if (sc)
    d.details["spec_clock"] = {
        {"base_hz", sc->base_hz}, {"boost_hz", sc->boost_hz}, {"source", sc->source}};
  d.peaks = cpu::cpu_peaks(*m, isa, cores, hz, src, ident.model_name);
  for (auto& [p, pk] : d.peaks) {
    for (auto* u : {&pk.vector, &pk.matrix})
      if (*u && !avx512_note.empty() && isa.avx512f)
        (*u)->note += ((*u)->note.empty() ? "" : "; ") + avx512_note;
    if (hz <= 0 && pk.unknown_reason.empty() && (pk.vector || pk.matrix))
      pk.unknown_reason = "no clock in the recording: figures are per GHz; give --clock";
  }
  return d;
}

Device recorded_gpu(const topo::GpuLocation& g, int index) {
  Device d;
  const bool nvidia = g.vendor_id == 0x10de, amd = g.vendor_id == 0x1002;
  d.kind = nvidia ? "cuda" : amd ? "hip" : "gpu";
  d.id = nvidia ? "cuda:" + std::to_string(index)
         : amd  ? "hip:" + std::to_string(index)
                : "gpu" + std::to_string(index);
  d.name = g.model;
  d.identity.pci_bus_id = g.pci_bus_id;
  d.details["numa_node"] = g.numa_node;
  d.details["near_cpus"] = g.cpuset;
  d.details["os_devices"] = g.os_device_names;
  char ids[32];
  std::snprintf(ids, sizeof ids, "%04x:%04x", g.vendor_id, g.device_id);
  d.details["pci_id"] = ids;
  d.details["index_note"] = "numbered in PCI order; CUDA numbers fastest-first, so match by bus id";
  const gpu::GpuSpec* spec = gpu::find_gpu_by_pci_id(g.vendor_id, g.device_id);
  if (!spec && !g.model.empty()) spec = gpu::find_gpu_by_name(g.model);
  if (spec) {
    d.peaks = gpu::gpu_peaks(*spec, std::nullopt, std::nullopt);
    d.details["table_model"] = spec->model;
    d.details["architecture"] = spec->arch;
    if (d.name.empty()) d.name = spec->model;
  } else {
    d.peaks = gpu::unknown_gpu_peaks("peak unknown: GPU " + std::string(ids) + " '" + g.model +
                                     "' is not in the " +
                                     (nvidia ? "NVIDIA"
                                      : amd  ? "AMD"
                                             : "GPU") +
                                     " table");
  }
  return d;
}

std::optional<double> class_rate(const Device& d, PerfClass c) {
  auto get = [&](Precision p, bool vector_only) -> std::optional<double> {
    auto it = d.peaks.find(p);
    if (it == d.peaks.end()) return std::nullopt;
    if (vector_only) return it->second.vector ? it->second.vector->ops_per_second() : std::nullopt;
    return it->second.best();
  };
  switch (c) {
    case PerfClass::supercomputing:
      return get(Precision::fp64, false);
    case PerfClass::basic:
      return get(Precision::fp32, true);
    case PerfClass::intelligent: {
      auto a = get(Precision::fp16, false), b = get(Precision::bf16, false);
      if (a && b) return std::max(*a, *b);
      return a ? a : b;
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {
// Heterogeneous Arm nodes (GB10: Cortex-X925 + A725) get one CPU device
// per kind of core, since each kind has its own per-cycle rate.
bool one_device_per_core_kind(const topo::Topology& t) {
  std::set<unsigned> parts;
  for (const auto& k : t.cpu_kinds)
    if (k.arm_part) parts.insert(k.arm_part);
  return parts.size() > 1;
}
}  // namespace

int recorded_cpu_devices(const topo::Topology& t) {
  return one_device_per_core_kind(t) ? static_cast<int>(t.cpu_kinds.size()) : 1;
}

NodeDescription describe_recorded_node(const topo::Topology& t,
                                       const std::vector<double>& cpu_clocks_hz) {
  NodeDescription n;
  n.topology = t;
  auto clock_of = [&](size_t i) -> std::optional<double> {
    if (cpu_clocks_hz.empty()) return std::nullopt;
    return cpu_clocks_hz[cpu_clocks_hz.size() == 1 ? 0 : std::min(i, cpu_clocks_hz.size() - 1)];
  };
  const topo::CpuPackageInfo base =
      t.package_info.empty() ? topo::CpuPackageInfo{} : t.package_info.front();
  if (one_device_per_core_kind(t)) {
    size_t i = 0;
    for (const auto& k : t.cpu_kinds) {
      n.devices.push_back(recorded_cpu(
          "cpu" + std::to_string(i), ident_from_recording(base, k.arm_part), k.cores, clock_of(i)));
      ++i;
    }
  } else {
    n.devices.push_back(
        recorded_cpu("cpu0", ident_from_recording(base, base.arm_part), t.cores, clock_of(0)));
  }
  int nv = 0, amd = 0, other = 0;
  for (const auto& g : t.gpus)
    n.devices.push_back(recorded_gpu(g, g.vendor_id == 0x10de   ? nv++
                                        : g.vendor_id == 0x1002 ? amd++
                                                                : other++));
  return n;
}

std::map<PerfClass, ClassPeak> node_class_peaks(const std::vector<Device>& devices) {
  std::map<PerfClass, ClassPeak> out;
  for (PerfClass c : kAllClasses) {
    ClassPeak cp;
    double total = 0;
    bool all_known = true, any = false;
    for (const auto& d : devices) {
      auto r = class_rate(d, c);
      if (r) {
        total += *r;
        any = true;
      } else {
        all_known = false;
        cp.note += (cp.note.empty() ? "unknown for " : ", ") + d.id;
      }
    }
    if (any && all_known) cp.flops = total;
    if (any && !all_known) cp.known_part = total;
    out[c] = cp;
  }
  return out;
}

nlohmann::json node_to_json(const NodeDescription& n, int nodes) {
  nlohmann::json j;
  j["source"] = n.topology.source;
  j["topology"] = n.topology.to_json();
  j["devices"] = nlohmann::json::array();
  for (const auto& d : n.devices) j["devices"].push_back(device_to_json(d));
  j["nodes"] = nodes;
  nlohmann::json classes;
  for (const auto& [c, cp] : node_class_peaks(n.devices)) {
    classes[std::string(to_string(c))] = {
        {"node_flops", cp.flops ? nlohmann::json(*cp.flops) : nlohmann::json(nullptr)},
        {"total_flops", cp.flops ? nlohmann::json(*cp.flops * nodes) : nlohmann::json(nullptr)},
        {"known_part_flops",
         cp.known_part ? nlohmann::json(*cp.known_part * nodes) : nlohmann::json(nullptr)},
        {"note", cp.note}};
  }
  j["class_peaks"] = classes;
  return j;
}

void print_nodes_side_by_side(std::ostream& os, const std::vector<NodeDescription>& nodes,
                              int n_nodes) {
  // Rows of cells first, so the columns are as wide as their widest cell
  // (a recording's file name, a CPU model) instead of cutting them.
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto field = [&](const std::string& label, auto fn) {
    std::vector<std::string> cells;
    for (const auto& n : nodes) cells.push_back(fn(n));
    rows.emplace_back(label, std::move(cells));
  };
  field("node (peaks x " + std::to_string(n_nodes) + ")", [](const NodeDescription& n) {
    const auto slash = n.topology.source.find_last_of('/');
    return slash == std::string::npos ? n.topology.source : n.topology.source.substr(slash + 1);
  });
  field("packages/NUMA/cores", [](const NodeDescription& n) {
    return std::to_string(n.topology.packages) + "/" + std::to_string(n.topology.numa_nodes) + "/" +
           std::to_string(n.topology.cores);
  });
  // Every CPU device (one per kind of core): its model and core count.
  field("CPU", [](const NodeDescription& n) {
    std::string out;
    for (const auto& d : n.devices) {
      if (d.kind != "cpu") continue;
      if (!out.empty()) out += " + ";
      out += d.name + " x" + std::to_string(d.details.value("cores", 0));
    }
    return out.empty() ? std::string("-") : out;
  });
  field("GPUs", [](const NodeDescription& n) {
    std::string model = n.topology.gpus.empty() ? "" : " x " + n.topology.gpus.front().model;
    return std::to_string(n.topology.gpus.size()) + model;
  });
  for (PerfClass cl : kAllClasses)
    field(std::string(to_string(cl)), [&](const NodeDescription& n) {
      auto cp = node_class_peaks(n.devices)[cl];
      if (cp.flops) return format_rate(*cp.flops * n_nodes, "FLOP/s");
      // Part of the node is unknown (an unidentified CPU): show what is
      // known, marked, rather than nothing.
      if (cp.known_part) return format_rate(*cp.known_part * n_nodes, "FLOP/s") + " + ?";
      return std::string("unknown");
    });
  std::vector<std::vector<std::string>> table;
  for (auto& [label, cells] : rows) {
    table.push_back({label});
    table.back().insert(table.back().end(), cells.begin(), cells.end());
  }
  std::vector<TextColumn> columns(nodes.size() + 1, TextColumn{false, 2});
  for (const auto& line : format_columns(table, columns)) os << line << "\n";
}

}  // namespace flopscope
