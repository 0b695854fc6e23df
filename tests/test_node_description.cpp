// Devices and peaks of recorded nodes (devices --topology): identified from
// the recording, never from this machine; unknown parts say why.
#include <gtest/gtest.h>
#include <hwloc.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_microarch.h"
#include "devices/node_description.h"

using namespace flopscope;
namespace fs = std::filesystem;

namespace {

fs::path shared_dir() {
  fs::path p = FLOPSCOPE_SHARED_TOPOLOGIES;
  return fs::is_directory(p) ? p : fs::path();
}

NodeDescription load(const fs::path& p, std::optional<double> clock = std::nullopt) {
  return describe_recorded_node(topo::load_topology_xml(p.string()), clock);
}

const Device* find(const NodeDescription& n, const std::string& id) {
  for (const auto& d : n.devices)
    if (d.id == id) return &d;
  return nullptr;
}

std::string microarch(const Device& d) {
  return d.details.value("microarchitecture", std::string());
}

}  // namespace

struct Expected {
  const char* file;
  int packages, numa, cores, gpus;
  const char* microarch;  // "" when the recording does not identify a known part
};

TEST(NodeDescription, EverySharedRecording) {
  const fs::path dir = shared_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  const Expected expected[] = {
      {"16amd64-8n2c-cpusets.xml", 6, 5, 10, 0, ""},
      {"40intel64-2g2n4c+pcilocality.xml", 4, 4, 40, 0, ""},
      {"AMD-17h-Zen-2xEpyc-7451.xml", 2, 1, 48, 0, "Zen"},
      {"AMD-19h-Zen3-2xEpyc-7763.xml", 2, 1, 128, 0, "Zen 3"},
      {"Intel-CascadeLake-2xXeon6230.xml", 2, 1, 40, 0, "Cascade Lake"},
      {"Intel-KnightsLanding-XeonPhi-7210.xml", 1, 1, 64, 0, "Knights Landing"},
      {"Intel-Skylake-2xXeon6140.xml", 2, 1, 36, 0, "Skylake-SP"},
      {"power8gpudistances.xml", 2, 2, 8, 4, ""},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.file);
    auto n = load(dir / e.file);
    EXPECT_EQ(n.topology.packages, e.packages);
    EXPECT_EQ(n.topology.numa_nodes, e.numa);
    EXPECT_EQ(n.topology.cores, e.cores);
    EXPECT_EQ(n.topology.gpus.size(), static_cast<size_t>(e.gpus));
    const Device* cpu = find(n, "cpu0");
    ASSERT_NE(cpu, nullptr);
    if (*e.microarch) {
      EXPECT_EQ(microarch(*cpu), e.microarch);
      // Spec clock from the name ("@ 2.30GHz") or the SKU table: a real figure.
      EXPECT_TRUE(cpu->peaks.at(Precision::fp64).best().has_value());
    } else {
      // Unknown: no figure, and a reason a reader can act on.
      const auto& pk = cpu->peaks.at(Precision::fp64);
      EXPECT_FALSE(pk.best().has_value());
      EXPECT_FALSE(pk.unknown_reason.empty());
    }
  }
}

TEST(NodeDescription, Skylake6140PeakFromTheNameClock) {
  const fs::path dir = shared_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  auto n = load(dir / "Intel-Skylake-2xXeon6140.xml");
  const auto& v = *n.devices.front().peaks.at(Precision::fp64).vector;
  // 36 cores x 2.3 GHz (the "@ 2.30GHz" in the name) x 32 FLOP/cycle (2 x 512-bit FMA).
  EXPECT_DOUBLE_EQ(v.units, 36);
  EXPECT_DOUBLE_EQ(v.clock_hz, 2.3e9);
  EXPECT_EQ(v.clock_source, ClockSource::spec_base);
  EXPECT_DOUBLE_EQ(v.ops_per_cycle_per_unit, 32);
  EXPECT_NE(v.note.find("AVX-512"), std::string::npos) << "the licence-clock caveat is stated";
}

TEST(NodeDescription, Power8P100sOncePerGpuWithFp64AndNuma) {
  const fs::path dir = shared_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  auto n = load(dir / "power8gpudistances.xml");
  int gpus = 0;
  std::vector<int> numa;
  for (const auto& d : n.devices) {
    if (d.kind != "cuda") continue;
    ++gpus;
    auto fp64 = d.peaks.at(Precision::fp64).best();
    ASSERT_TRUE(fp64.has_value());
    EXPECT_NEAR(*fp64, 5.3e12, 0.05e12);  // P100-SXM2 datasheet at boost
    EXPECT_FALSE(d.identity.pci_bus_id.empty());
    numa.push_back(d.details["numa_node"].get<int>());
  }
  EXPECT_EQ(gpus, 4);  // not 12: cuda, nvml and opencl views are one GPU
  EXPECT_EQ(numa, (std::vector<int>{0, 0, 1, 1}));
  // The POWER8 CPU is not in the table: listed, with the reason.
  EXPECT_FALSE(n.devices.front().peaks.at(Precision::fp64).unknown_reason.empty());
  // Class totals: the GPUs are known, the CPU is not.
  auto classes = node_class_peaks(n.devices);
  EXPECT_FALSE(classes[PerfClass::supercomputing].flops);
  EXPECT_NEAR(*classes[PerfClass::supercomputing].known_part, 4 * 5.3e12, 0.2e12);
}

TEST(NodeDescription, Gb10HasOneCpuDevicePerCoreKind) {
  const fs::path dir = shared_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  auto n = load(dir / "nvidia-dgx-gb10.xml");
  std::set<std::string> kinds;
  for (const auto& d : n.devices) kinds.insert(microarch(d));
  EXPECT_TRUE(kinds.count("Cortex-X925")) << n.devices.front().name;
  EXPECT_TRUE(kinds.count("Cortex-A725"));
  // No clock in the recording: per GHz, completed by --clock.
  auto with_clock = load(dir / "nvidia-dgx-gb10.xml", 3.0e9);
  for (const auto& d : with_clock.devices) {
    const auto& v = d.peaks.at(Precision::fp32).vector;
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->clock_source, ClockSource::user_given);
    EXPECT_TRUE(v->ops_per_second().has_value());
  }
  // One clock per kind of core, in the order the devices are listed.
  const auto t = topo::load_topology_xml((dir / "nvidia-dgx-gb10.xml").string());
  ASSERT_EQ(recorded_cpu_devices(t), 2);
  auto per_kind = describe_recorded_node(t, std::vector<double>{2.8e9, 3.9e9});
  ASSERT_GE(per_kind.devices.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const auto& v = per_kind.devices[static_cast<size_t>(i)].peaks.at(Precision::fp64).vector;
    ASSERT_TRUE(v && v->ops_per_second());
    EXPECT_DOUBLE_EQ(*v->ops_per_second(),
                     v->units * v->ops_per_cycle_per_unit * (i == 0 ? 2.8e9 : 3.9e9));
  }
}

TEST(NodeDescription, FixtureWithEightH200s) {
  auto n = load(fs::path(FLOPSCOPE_TEST_FIXTURES) / "two_socket_8gpu.xml");
  int h200 = 0;
  for (const auto& d : n.devices)
    if (d.kind == "cuda") {
      ++h200;
      EXPECT_NEAR(*d.peaks.at(Precision::fp64).best(), 67e12, 1e12) << "FP64 tensor";
      EXPECT_NEAR(*d.peaks.at(Precision::bf16).best(), 989.4e12, 10e12);
    }
  EXPECT_EQ(h200, 8);
  auto classes = node_class_peaks(n.devices);
  ASSERT_TRUE(classes[PerfClass::intelligent].flops.has_value());
  EXPECT_GT(*classes[PerfClass::intelligent].flops, 8 * 989e12);
  auto j = node_to_json(n, 4);
  EXPECT_NEAR(j["class_peaks"]["intelligent"]["total_flops"].get<double>(),
              4 * *classes[PerfClass::intelligent].flops, 1);
}

// A recording of this machine gives the same devices and per-cycle figures
// as the live run; only the clock's source differs.
TEST(NodeDescription, RecordingOfThisMachineMatchesLive) {
  hwloc_topology_t t;
  hwloc_topology_init(&t);
  hwloc_topology_load(t);
  const fs::path xml =
      fs::temp_directory_path() / ("flopscope-self-" + std::to_string(getpid()) + ".xml");
  ASSERT_EQ(hwloc_topology_export_xml(t, xml.c_str(), 0), 0);
  hwloc_topology_destroy(t);
  auto n = load(xml);
  fs::remove(xml);

  auto ident = cpu::detect_cpu_ident();
  std::string reason;
  auto live = cpu::identify_microarch(ident, &reason);
  const Device& rec = n.devices.front();
  if (!live) {
    EXPECT_FALSE(rec.peaks.at(Precision::fp64).unknown_reason.empty());
    return;
  }
  EXPECT_EQ(microarch(rec), live->name);
  auto live_isa = cpu::detect_cpu_isa();
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    auto live_pc = cpu::vector_per_cycle(*live, live_isa, p);
    ASSERT_TRUE(rec.peaks.at(p).vector.has_value()) << to_string(p);
    // Equal unless the live CPU hides an ISA extension its microarchitecture has.
    if (live_isa.avx512f == cpu::implied_isa(*live).avx512f) {
      EXPECT_DOUBLE_EQ(rec.peaks.at(p).vector->ops_per_cycle_per_unit, live_pc.ops) << to_string(p);
    }
  }
}
