#include <iostream>

#include "devices/node_description.h"
#include "devices/topology/topology.h"
#include "harness/backend.h"
#include "harness/cli/cli.h"
#include "harness/errors.h"
#include "harness/plan.h"
#include "harness/units.h"

namespace flopscope::cli {

namespace {

std::string size_text(uint64_t bytes) {
  if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1ull << 10)) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

void print_topology(std::ostream& os, const topo::Topology& t) {
  os << "Topology (" << t.source << "): " << t.packages << " package"
     << (t.packages == 1 ? "" : "s") << ", " << t.numa_nodes << " NUMA node"
     << (t.numa_nodes == 1 ? "" : "s") << ", " << t.cores << " cores, " << t.pus << " PUs"
     << (t.smt() ? " (SMT on)" : " (no SMT)") << "\n";
  if (!t.caches.empty()) {
    os << "  caches:";
    for (const auto& c : t.caches)
      os << " L" << c.level
         << (c.type == "data"          ? "d"
             : c.type == "instruction" ? "i"
                                       : "")
         << " " << size_text(c.size_bytes) << " x " << c.count
         << (c.cores > c.count && c.count > 0
                 ? " (" + std::to_string(c.cores / c.count) + " cores each)"
                 : std::string())
         << ";";
    os << "\n";
  }
  if (t.gpus.empty()) os << "  GPUs: none seen by hwloc\n";
  for (const auto& g : t.gpus) {
    char ids[32];
    std::snprintf(ids, sizeof ids, "%04x:%04x", g.vendor_id, g.device_id);
    os << "  GPU " << g.pci_bus_id << " [" << ids << "] " << g.model << ", NUMA node "
       << (g.numa_node >= 0 ? std::to_string(g.numa_node) : std::string("unknown"))
       << ", near CPUs " << (g.cpuset.empty() ? "unknown" : g.cpuset) << "\n";
  }
}

void print_device(std::ostream& os, const Device& d) {
  os << d.id << "  " << d.name << "\n";
  if (d.details.contains("isa")) {
    os << "  ISA:";
    for (const auto& n : d.details["isa"]) os << " " << n.get<std::string>();
    os << "\n";
  }
  if (d.details.contains("sku_exception"))
    os << "  SKU exception: " << d.details["sku_exception"].get<std::string>() << "\n";
  if (!d.identity.pci_bus_id.empty()) os << "  PCI " << d.identity.pci_bus_id << "\n";
  if (d.details.contains("numa_node") && d.details["numa_node"].is_number())
    os << "  NUMA node " << d.details["numa_node"].get<int>() << ", near CPUs "
       << d.details.value("near_cpus", std::string("unknown")) << "\n";
  const std::string_view unit = unit_name_for_kind(d.kind);
  for (const auto& [p, pk] : d.peaks) {
    std::string rate;
    if (auto best = pk.best()) {
      rate = format_rate(*best, rate_unit(p));
    } else if (const UnitPeak* u = pk.matrix ? &*pk.matrix : pk.vector ? &*pk.vector : nullptr) {
      // Known per cycle but no clock: per GHz, and how to complete it.
      rate = format_rate(u->ops_per_ghz(), rate_unit(p)) + " per GHz (no clock: give --clock)";
    } else {
      rate = "peak unknown";
    }
    os << "  " << to_string(p) << "  " << rate << "\n";
    if (pk.vector) os << "      vector: " << pk.vector->derivation(unit, rate_unit(p)) << "\n";
    if (pk.matrix) os << "      matrix: " << pk.matrix->derivation(unit, rate_unit(p)) << "\n";
    if (!pk.vector && !pk.matrix && !pk.unknown_reason.empty())
      os << "      " << pk.unknown_reason << "\n";
  }
  if (!d.spec_peaks.empty()) {
    os << "  at the spec clock:\n";
    for (const auto& [p, pk] : d.spec_peaks)
      if (auto best = pk.best())
        os << "    " << to_string(p) << "  " << format_rate(*best, rate_unit(p)) << "\n";
  }
}

int live_devices(const DevicesOptions& o) {
  topo::Topology t;
  nlohmann::json topology_json;
  std::string topology_error;
  try {
    t = topo::load_live_topology();
    topology_json = t.to_json();
  } catch (const std::exception& e) {
    topology_error = e.what();
  }
  std::vector<Device> devices;
  std::vector<std::string> notes;
  for (auto& b : create_backends()) {
    auto ds = b->devices();
    if (ds.empty())
      notes.push_back(b->kind() + ": " +
                      (b->unavailable_reason().empty() ? "no " + b->kind() + " device found"
                                                       : b->unavailable_reason()));
    devices.insert(devices.end(), ds.begin(), ds.end());
  }
  if (o.json) {
    nlohmann::json j;
    j["topology"] = topology_error.empty() ? topology_json : nlohmann::json(topology_error);
    j["devices"] = nlohmann::json::array();
    for (const auto& d : devices) j["devices"].push_back(device_to_json(d));
    j["notes"] = notes;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  if (topology_error.empty())
    print_topology(std::cout, t);
  else
    std::cout << "Topology: " << topology_error << "\n";
  for (const auto& d : devices) print_device(std::cout, d);
  for (const auto& n : notes) std::cout << n << "\n";
  return kExitOk;
}

}  // namespace

int devices_command(const DevicesOptions& o) {
  if (o.topologies.empty()) {
    if (o.nodes != 1 || !o.clock.empty())
      throw UsageError("--nodes and --clock apply to --topology recordings only");
    return live_devices(o);
  }
  // One clock for every CPU of the recordings, or one per kind of core in
  // the order the devices are listed (GB10: "--clock 2.8GHz,3.9GHz").
  std::vector<double> clocks;
  if (!o.clock.empty())
    for (const auto& one : split_list(o.clock)) {
      const auto hz = parse_clock_hz(one);
      if (!hz) throw UsageError("--clock: '" + one + "' is not a clock (e.g. 2.4GHz)");
      clocks.push_back(*hz);
    }
  std::vector<NodeDescription> nodes;
  for (const auto& path : o.topologies) {
    try {
      const topo::Topology t = topo::load_topology_xml(path);
      const int cpus = recorded_cpu_devices(t);
      if (clocks.size() > 1 && static_cast<int>(clocks.size()) != cpus)
        throw UsageError("--clock gives " + std::to_string(clocks.size()) + " clocks, " + path +
                         " has " + std::to_string(cpus) +
                         " kind(s) of CPU core: give one clock, or one per kind");
      nodes.push_back(describe_recorded_node(t, clocks));
    } catch (const topo::TopologyError& e) {
      throw UsageError(e.what());
    }
  }
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& n : nodes) j.push_back(node_to_json(n, o.nodes));
    std::cout << (nodes.size() == 1 ? j[0] : j).dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& n : nodes) {
    print_topology(std::cout, n.topology);
    for (const auto& d : n.devices) print_device(std::cout, d);
    std::cout << "\n";
  }
  print_nodes_side_by_side(std::cout, nodes, o.nodes);
  return kExitOk;
}

}  // namespace flopscope::cli
