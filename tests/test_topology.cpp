// Tests for devices/topology: the project's own fixture, the live machine, the recorded real
// topologies in ../shared/topologies (skipped when absent), bad files, and hwloc 3.0 XML.
#include <sched.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "devices/cpu/cache_sizes.h"
#include "devices/topology/hwloc_messages.h"
#include "devices/topology/pinning.h"
#include "devices/topology/topology.h"

namespace fs = std::filesystem;
using flopscope::topo::convert_hwloc3_xml_to_v2;
using flopscope::topo::load_live_topology;
using flopscope::topo::load_topology_xml;
using flopscope::topo::Topology;
using flopscope::topo::TopologyError;

namespace {

fs::path source_dir() {
#ifdef FLOPSCOPE_SOURCE_DIR
  return fs::path(FLOPSCOPE_SOURCE_DIR);
#else
  return fs::current_path();
#endif
}

fs::path fixture_path() {
#ifdef FLOPSCOPE_TEST_FIXTURES
  return fs::path(FLOPSCOPE_TEST_FIXTURES) / "two_socket_8gpu.xml";
#else
  return source_dir() / "tests" / "fixtures" / "two_socket_8gpu.xml";
#endif
}

// Recorded topologies live beside the repository, never inside it (see shared/topologies/README).
fs::path shared_topologies_dir() {
#ifdef FLOPSCOPE_SHARED_TOPOLOGIES
  if (fs::is_directory(FLOPSCOPE_SHARED_TOPOLOGIES)) return FLOPSCOPE_SHARED_TOPOLOGIES;
#endif
  for (const fs::path& root : {source_dir(), fs::current_path()}) {
    const fs::path dir = root / ".." / "shared" / "topologies";
    if (fs::is_directory(dir)) return dir;
  }
  return {};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A scratch directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "flopscope-topo-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The value of attribute `name` in one tag's text, or "" (hwloc writes name="value").
std::string attr_value(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string::npos) return {};
  const size_t begin = at + key.size();
  return tag.substr(begin, tag.find('"', begin) - begin);
}

// Replaces the value of attribute `name` inside the tag that starts at `tag_begin`.
void set_attr_value(std::string& xml, size_t tag_begin, const std::string& name,
                    const std::string& value) {
  const size_t tag_end = xml.find('>', tag_begin);
  const std::string key = " " + name + "=\"";
  const size_t at = xml.find(key, tag_begin);
  if (at == std::string::npos || at > tag_end) return;
  const size_t begin = at + key.size();
  xml.replace(begin, xml.find('"', begin) - begin, value);
}

// Rewrites 2.x XML into the form hwloc 3.0 writes, following 3.0's own import of 2.x files
// (topology-xml.c): OS device enum -> bitmask, LATENCY distances -> HOPS, topology-wide infos
// moved off the root object, the extra prog_if field in pci_type, and id attributes.
// Plain string edits: hwloc writes one tag per line with double-quoted attributes.
std::string synthesize_v3(std::string xml) {
  const size_t root = xml.find("<topology version=\"2.0\">");
  if (root != std::string::npos) set_attr_value(xml, root, "version", "3.0");

  for (size_t pos = 0; (pos = xml.find("<object type=\"OSDev\"", pos)) != std::string::npos;
       ++pos) {
    const std::string tag = xml.substr(pos, xml.find('>', pos) - pos);
    const std::string name = attr_value(tag, "name"), subtype = attr_value(tag, "subtype");
    const std::string v2 = attr_value(tag, "osdev_type");
    if (v2.empty()) continue;
    unsigned long v3 = 0;
    switch (std::stoi(v2)) {
      case 0:
        v3 = 1ul << 0;
        break;  // Block -> STORAGE
      case 1:   // GPU -> GPU, and COPROC for NVML/RSMI
        v3 = 1ul << 2;
        if (name.rfind("nvml", 0) == 0 || name.rfind("rsmi", 0) == 0) v3 |= 1ul << 3;
        break;
      case 2:
        v3 = 1ul << 4;
        break;  // Network
      case 3:
        v3 = (1ul << 4) | (1ul << 5);
        break;  // OpenFabrics -> NETWORK|OPENFABRICS
      case 4:
        v3 = 1ul << 6;
        break;  // DMA
      case 5:   // CoProc -> COPROC, and GPU for compute
        v3 = 1ul << 3;
        if (subtype == "CUDA" || subtype == "LevelZero" || subtype == "OpenCL") v3 |= 1ul << 2;
        break;
    }
    set_attr_value(xml, pos, "osdev_type", std::to_string(v3));
  }

  // pci_type gained a prog_if field: "0302 [10de:2335] [10de:18be] a1" + " 00".
  for (size_t pos = 0; (pos = xml.find(" pci_type=\"", pos)) != std::string::npos; ++pos) {
    const size_t begin = pos + 11, close = xml.find('"', begin);
    const std::string value = xml.substr(begin, close - begin);
    if (std::count(value.begin(), value.end(), ' ') == 3) xml.insert(close, " 00");
  }

  // Latency distances became hop counts (kind bit 2 -> bit 5).
  for (size_t pos = 0; (pos = xml.find("<distances2", pos)) != std::string::npos; ++pos) {
    const unsigned long kind =
        std::stoul(attr_value(xml.substr(pos, xml.find('>', pos) - pos), "kind"));
    if (kind & (1ul << 2)) {
      set_attr_value(xml, pos, "kind", std::to_string((kind & ~(1ul << 2)) | (1ul << 5)));
    }
  }

  // Topology-wide infos moved from the root object to the end of <topology>.
  std::string moved;
  for (const char* key : {"Backend", "OSName", "Architecture", "HostName"}) {
    const size_t at = xml.find("<info name=\"" + std::string(key) + "\"");
    if (at == std::string::npos) continue;
    const size_t line = xml.rfind('\n', at), end = xml.find("/>", at) + 2;
    moved += "  " + xml.substr(at, end - at) + "\n";
    xml.erase(line, end - line);
  }
  xml.insert(xml.rfind("</topology>"), moved);

  // 3.0 writes an id attribute beside gp_index (some recordings already carry it).
  if (xml.find(" id=\"obj") == std::string::npos) {
    for (size_t pos = 0; (pos = xml.find(" gp_index=\"", pos)) != std::string::npos; ++pos) {
      const size_t begin = pos + 11, close = xml.find('"', begin);
      xml.insert(close + 1, " id=\"obj" + xml.substr(begin, close - begin) + "\"");
    }
  }
  return xml;
}

// Expects load_topology_xml(path) to throw a one-line TopologyError naming the file and
// containing `reason`, without hwloc or libxml2 writing to stderr.
void expect_bad_file(const fs::path& path, const std::string& reason) {
  SCOPED_TRACE(path.string());
  const bool verbose = getenv("HWLOC_XML_VERBOSE") != nullptr;
  testing::internal::CaptureStderr();
  std::string message;
  try {
    load_topology_xml(path.string());
    ADD_FAILURE() << "no TopologyError";
  } catch (const TopologyError& e) {
    message = e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find(reason), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  if (!verbose) {
    EXPECT_EQ(err, "") << "noise on stderr for " << path;
  }
}

void expect_fixture_shape(const Topology& t) {
  EXPECT_EQ(t.packages, 2);
  EXPECT_EQ(t.numa_nodes, 2);
  EXPECT_EQ(t.cores, 4);
  EXPECT_EQ(t.pus, 8);
  EXPECT_TRUE(t.smt());
  ASSERT_EQ(t.gpus.size(), 8u);
  const char* bus_ids[] = {"0000:18:00.0", "0000:2a:00.0", "0000:3a:00.0", "0000:5d:00.0",
                           "0000:9a:00.0", "0000:ab:00.0", "0000:ba:00.0", "0000:db:00.0"};
  for (size_t i = 0; i < 8; ++i) {
    SCOPED_TRACE("gpu " + std::to_string(i));
    const auto& g = t.gpus[i];
    EXPECT_EQ(g.pci_bus_id, bus_ids[i]);
    EXPECT_EQ(g.numa_node, i < 4 ? 0 : 1);
    EXPECT_EQ(g.cpuset, i < 4 ? "0-1,4-5" : "2-3,6-7");
    EXPECT_EQ(g.vendor_id, 0x10de);
    EXPECT_EQ(g.device_id, 0x2335);
    EXPECT_EQ(g.model, "NVIDIA H200");
    EXPECT_EQ(g.os_device_names,
              (std::vector<std::string>{"cuda" + std::to_string(i), "nvml" + std::to_string(i)}));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The project's fixture.

TEST(TopologyFixture, CountsGpusAndLocality) {
  const Topology t = load_topology_xml(fixture_path().string());
  EXPECT_EQ(t.source, fixture_path().string());
  expect_fixture_shape(t);
}

TEST(TopologyFixture, CpuIdentityCachesAndCores) {
  const Topology t = load_topology_xml(fixture_path().string());
  ASSERT_EQ(t.package_info.size(), 2u);
  for (const auto& p : t.package_info) {
    EXPECT_EQ(p.vendor, "GenuineIntel");
    EXPECT_EQ(p.model_name, "Intel(R) Xeon(R) Platinum 8480+");
    EXPECT_EQ(p.family, 6);
    EXPECT_EQ(p.model, 143);
    EXPECT_EQ(p.arm_part, 0u);
    EXPECT_EQ(p.cores, 2);
    EXPECT_EQ(p.pus, 4);
  }
  EXPECT_EQ(t.package_info[1].index, 1);

  // hwloc's default filters drop the L1i objects the fixture carries.
  ASSERT_EQ(t.caches.size(), 3u);
  EXPECT_EQ(t.caches[0].level, 1);
  EXPECT_EQ(t.caches[0].type, "data");
  EXPECT_EQ(t.caches[0].size_bytes, 48u * 1024);
  EXPECT_EQ(t.caches[0].count, 4);
  EXPECT_EQ(t.caches[1].level, 2);
  EXPECT_EQ(t.caches[1].type, "unified");
  EXPECT_EQ(t.caches[1].size_bytes, 2u << 20);
  EXPECT_EQ(t.caches[1].count, 4);
  EXPECT_EQ(t.caches[2].level, 3);
  EXPECT_EQ(t.caches[2].type, "unified");
  EXPECT_EQ(t.caches[2].size_bytes, 105u << 20);
  EXPECT_EQ(t.caches[2].count, 2);
  // Each L1d and L2 serves one core, each L3 a package's two.
  EXPECT_EQ(t.caches[0].cores, 4);
  EXPECT_EQ(t.caches[1].cores, 4);
  EXPECT_EQ(t.caches[2].cores, 4);
  EXPECT_EQ(t.caches[2].bytes_per_core(), 105u << 19);

  // SMT siblings are n and n+4: one thread per core means PUs 0-3, not 0,4,1,5.
  EXPECT_EQ(flopscope::topo::pu_per_core(t), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(flopscope::topo::pu_per_core_in(t, t.gpus[5].cpuset), (std::vector<int>{2, 3}));
}

TEST(TopologyFixture, CacheSizesForTheKernels) {
  Topology t = load_topology_xml(fixture_path().string());
  flopscope::cpu::CpuContext ctx;
  flopscope::cpu::set_cache_sizes(t, ctx);
  EXPECT_EQ(ctx.l1d_bytes_per_core, 48u << 10);
  EXPECT_EQ(ctx.l2_bytes_per_core, 2u << 20);
  EXPECT_EQ(ctx.l3_bytes_total, 210u << 20);  // two packages' 105 MiB
  EXPECT_EQ(ctx.cache_source, "hwloc");

  // What a Zen 5 VM reported (an L3 of 508 MB a core) and a missing L2 are
  // replaced, each named once, the list without a trailing separator.
  for (auto& c : t.caches)
    if (c.level == 3) c.size_bytes = 508ull << 20, c.count = t.cores;
  std::erase_if(t.caches, [](const auto& c) { return c.level == 2; });
  flopscope::cpu::set_cache_sizes(t, ctx);
  EXPECT_EQ(ctx.l2_bytes_per_core, 1u << 20);
  EXPECT_EQ(ctx.l3_bytes_total, static_cast<uint64_t>(t.cores) * (4u << 20));
  EXPECT_EQ(ctx.cache_source,
            "hwloc, corrected: L2 0 B from hwloc is implausible, using 1048576 B; L3 " +
                std::to_string((508ull << 20) * static_cast<uint64_t>(t.cores)) +
                " B from hwloc is implausible, using 4 MiB per core");
}

// Hybrid parts: one entry per size at a level. The kernels block for the
// smallest per-core share, and the L3 is every instance's.
TEST(TopologyFixture, CacheSizesOfHybridCores) {
  Topology t;
  t.cores = t.pus = 20;
  // GB10: ten Cortex-X925 with 2 MiB L2s, ten Cortex-A725 with 512 KiB, two L3s.
  t.caches = {{1, "data", 64 << 10, 20, 20},
              {2, "unified", 512 << 10, 10, 10},
              {2, "unified", 2 << 20, 10, 10},
              {3, "unified", 8 << 20, 1, 10},
              {3, "unified", 16 << 20, 1, 10}};
  auto expect_sizes = [&](uint64_t l1d, uint64_t l2, uint64_t l3, const std::string& source) {
    flopscope::cpu::CpuContext ctx;
    flopscope::cpu::set_cache_sizes(t, ctx);
    EXPECT_EQ(ctx.l1d_bytes_per_core, l1d);
    EXPECT_EQ(ctx.l2_bytes_per_core, l2);
    EXPECT_EQ(ctx.l3_bytes_total, l3);
    EXPECT_EQ(ctx.cache_source, source);
  };
  expect_sizes(64 << 10, 512 << 10, 24 << 20,
               "hwloc (L2 the smallest per-core share: sizes differ between cores)");

  // Intel hybrid: 8 P-cores with 1.25 MiB L2 each, 8 E-cores in two clusters
  // whose 2 MiB L2 serves four: 512 KiB a core, whichever entry comes first.
  t.cores = t.pus = 16;
  t.caches = {{1, "data", 48 << 10, 8, 8},
              {1, "data", 32 << 10, 8, 8},
              {2, "unified", 1280 << 10, 8, 8},
              {2, "unified", 2 << 20, 2, 8},
              {3, "unified", 30 << 20, 1, 16}};
  const std::string both = "hwloc (L1d L2 the smallest per-core share: sizes differ between cores)";
  expect_sizes(32 << 10, 512 << 10, 30 << 20, both);
  std::swap(t.caches[2], t.caches[3]);
  expect_sizes(32 << 10, 512 << 10, 30 << 20, both);

  // Four Cortex-A53 on one 256 KiB L2: 64 KiB a core, though no core has
  // less than 128 KiB of its own anywhere (the plausibility bounds are an
  // instance's).
  t.cores = t.pus = 4;
  t.caches = {{1, "data", 32 << 10, 4, 4}, {2, "unified", 256 << 10, 1, 4}};
  expect_sizes(32 << 10, 64 << 10, 16 << 20,
               "hwloc, corrected: L3 0 B from hwloc is implausible, using 4 MiB per core");

  // An absurd entry beside a sound one is left out, and said so.
  t.caches = {{1, "data", 32 << 10, 4, 4},
              {2, "unified", 1ull << 40, 1, 4},
              {2, "unified", 1 << 20, 4, 4},
              {3, "unified", 8 << 20, 1, 4}};
  expect_sizes(32 << 10, 1 << 20, 8 << 20,
               "hwloc, corrected: L2 1099511627776 B from hwloc is implausible, left out");

  // Two Cortex-A76 with 512 KiB L2s beside six Cortex-A55 with 64 KiB.
  t.cores = t.pus = 8;
  t.caches = {{1, "data", 64 << 10, 2, 2},
              {1, "data", 32 << 10, 6, 6},
              {2, "unified", 64 << 10, 6, 6},
              {2, "unified", 512 << 10, 2, 2},
              {3, "unified", 2 << 20, 1, 8}};
  expect_sizes(32 << 10, 64 << 10, 2 << 20, both);

  // One 1 MiB L2 for 64 cores (a VM's invention): 16 KiB a core, less than any has.
  t.cores = t.pus = 64;
  t.caches = {{1, "data", 32 << 10, 64, 64},
              {2, "unified", 1 << 20, 1, 64},
              {3, "unified", 32 << 20, 1, 64}};
  expect_sizes(32 << 10, 1 << 20, 32 << 20,
               "hwloc, corrected: L2 1048576 B for 64 cores from hwloc is implausible, using "
               "1048576 B");
}

TEST(TopologyFixture, Json) {
  const nlohmann::json j = load_topology_xml(fixture_path().string()).to_json();
  EXPECT_EQ(j["packages"], 2);
  EXPECT_EQ(j["smt"], true);
  EXPECT_EQ(j["gpus"].size(), 8u);
  EXPECT_EQ(j["gpus"][4]["pci_bus_id"], "0000:9a:00.0");
  EXPECT_EQ(j["gpus"][4]["numa_node"], 1);
  EXPECT_EQ(j["gpus"][4]["pci_id"], "10de:2335");
  EXPECT_EQ(j["package_info"][0]["family"], 6);
  ASSERT_EQ(j["caches"].size(), 3u);
  EXPECT_EQ(j["caches"][2]["size_bytes"], 105u << 20);
  EXPECT_EQ(j["caches"][2]["cores"], 4);
}

// ---------------------------------------------------------------------------------------------
// hwloc 3.0 XML.

TEST(TopologyV3, SynthesizedFromFixtureLoads) {
  const std::string v3 = synthesize_v3(read_file(fixture_path()));
  ASSERT_NE(v3.find("<topology version=\"3.0\">"), std::string::npos);
  ASSERT_NE(v3.find("name=\"cuda0\" subtype=\"CUDA\" osdev_type=\"12\""), std::string::npos);
  ASSERT_NE(v3.find("name=\"nvml0\" subtype=\"NVML\" osdev_type=\"12\""), std::string::npos);
  ASSERT_NE(v3.find("pci_type=\"0302 [10de:2335] [10de:18be] a1 00\""), std::string::npos);
  ASSERT_NE(v3.find("kind=\"33\""), std::string::npos);
  ASSERT_NE(v3.find("gp_index=\"1\" id=\"obj1\""), std::string::npos);
  ASSERT_GT(v3.find("<info name=\"Architecture\""), v3.rfind("</object>"));  // under <topology>
  TempDir dir;
  const Topology t = load_topology_xml(dir.write("v3.xml", v3).string());
  expect_fixture_shape(t);
  EXPECT_EQ(t.package_info[0].family, 6);
}

TEST(TopologyV3, ConversionRewritesWhat2xNeeds) {
  const std::string v2 = convert_hwloc3_xml_to_v2(synthesize_v3(read_file(fixture_path())));
  EXPECT_NE(v2.find("<topology version=\"2.0\">"), std::string::npos);
  EXPECT_NE(v2.find("name=\"cuda0\" subtype=\"CUDA\" osdev_type=\"5\""), std::string::npos);
  EXPECT_NE(v2.find("name=\"nvml0\" subtype=\"NVML\" osdev_type=\"1\""), std::string::npos);
  EXPECT_NE(v2.find("kind=\"5\""), std::string::npos);
  // Topology-wide infos are back on the root object, before its first child object.
  const size_t arch = v2.find("<info name=\"Architecture\"");
  ASSERT_NE(arch, std::string::npos);
  EXPECT_LT(arch, v2.find("type=\"Package\""));
}

TEST(TopologyV3, OsDeviceTypeMapping) {
  struct Case {
    const char* name;
    const char* subtype;
    int v3;
    int v2;
  };
  // 3.0 bits: STORAGE 1, MEMORY 2, GPU 4, COPROC 8, NETWORK 16, OPENFABRICS 32, DMA 64.
  // 2.x enum: BLOCK 0, GPU 1, NETWORK 2, OPENFABRICS 3, DMA 4, COPROC 5.
  const Case cases[] = {
      {"sda", "Disk", 1, 0},
      {"dax0.0", "SPM", 2, 0},
      {"mem1", "CXLMem", 3, 0},
      {"card0", "", 4, 1},
      {"cuda0", "CUDA", 12, 5},
      {"nvml0", "NVML", 12, 1},
      {"rsmi0", "RSMI", 12, 1},
      {"opencl0d0", "OpenCL", 12, 5},
      {"ve0", "VectorEngine", 8, 5},
      {"eth0", "", 16, 2},
      {"ib0", "", 16, 2},
      {"mlx5_0", "", 48, 3},
      {"bxi0", "BXI", 16, 3},
      {"dma0chan0", "", 64, 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string xml = std::string(
                                "<topology version=\"3.0\">\n  <object type=\"Machine\">\n"
                                "    <object type=\"OSDev\" name=\"") +
                            c.name + "\" subtype=\"" + c.subtype + "\" osdev_type=\"" +
                            std::to_string(c.v3) + "\"/>\n  </object>\n</topology>\n";
    const std::string v2 = convert_hwloc3_xml_to_v2(xml);
    EXPECT_NE(v2.find("osdev_type=\"" + std::to_string(c.v2) + "\""), std::string::npos) << v2;
  }
}

TEST(TopologyV3, NonV3InputIsUnchanged) {
  const std::string v2 = read_file(fixture_path());
  EXPECT_EQ(convert_hwloc3_xml_to_v2(v2), v2);
}

// ---------------------------------------------------------------------------------------------
// Bad files.

TEST(TopologyErrors, BadFilesThrowNamingTheFile) {
  TempDir dir;
  const std::string good = read_file(fixture_path());
  expect_bad_file(dir.path() / "missing.xml", "not found");
  expect_bad_file(dir.write("empty.xml", ""), "empty");
  expect_bad_file(dir.write("text.xml", "this is not a topology\n"), "not XML");
  expect_bad_file(dir.write("binary.xml", std::string("<\0\1\2\3", 5)), "not XML");
  expect_bad_file(dir.write("json.xml", "{\"topology\": 1}\n"), "not XML");
  expect_bad_file(dir.write("other.xml", "<?xml version=\"1.0\"?>\n<foo><bar/></foo>\n"),
                  "not an hwloc topology");
  expect_bad_file(dir.write("html.xml", "<!DOCTYPE html>\n<html><body></body></html>\n"),
                  "not an hwloc topology");
  expect_bad_file(dir.write("half.xml", good.substr(0, good.size() / 2)), "truncated");
  // Cut at a line boundary, so every tag in the file is complete.
  const size_t cut = good.find('\n', good.size() / 3) + 1;
  expect_bad_file(dir.write("lines.xml", good.substr(0, cut)), "truncated");
  expect_bad_file(dir.write("mismatch.xml", "<topology version=\"2.0\"><object></topology>\n"),
                  "malformed XML");
  std::string v4 = good;
  v4.replace(v4.find("version=\"2.0\">"), 14, "version=\"4.0\">");
  expect_bad_file(dir.write("v4.xml", v4), "not supported");
  expect_bad_file(dir.write("bogus.xml",
                            "<topology version=\"2.0\">\n"
                            "  <object type=\"NoSuchType\" os_index=\"0\"/>\n"
                            "</topology>\n"),
                  "hwloc rejected it");
  // hwloc prints its reason on stderr; the error carries it instead.
  std::string no_numa = good;
  for (size_t at; (at = no_numa.find("<object type=\"NUMANode\"")) != std::string::npos;)
    no_numa.erase(at, no_numa.find("</object>", at) + 9 - at);
  expect_bad_file(dir.write("no-numa.xml", no_numa),
                  "hwloc rejected it as a topology: Topology does not contain any NUMA node");
  expect_bad_file(dir.path(), "is a directory");
}

TEST(TopologyErrors, HwlocBannerReducedToItsReason) {
  const std::string banner =
      "****************************************************************************\n"
      "* hwloc has encountered an out-of-order XML topology load.\n"
      "* Object PU cpuset 0x08000000 complete 0x08000000\n"
      "* was inserted after object PU with 0x00000010,,,0x0 and 0x00000010,,,0x0.\n"
      "* The error occured in hwloc 2.9.0 inside process `flopscope', while\n"
      "* the input XML was generated by an unspecified ancient hwloc release.\n"
      "* Please check that your input topology XML file is valid.\n"
      "* Set HWLOC_DEBUG_CHECK=1 in the environment to detect further issues.\n"
      "****************************************************************************\n";
  EXPECT_EQ(flopscope::topo::hwloc_reason(banner),
            "hwloc has encountered an out-of-order XML topology load. Object PU cpuset "
            "0x08000000 complete 0x08000000 was inserted after object PU with 0x00000010,,,0x0 "
            "and 0x00000010,,,0x0.");
  EXPECT_EQ(flopscope::topo::hwloc_reason("hwloc: Topology does not contain any NUMA node, "
                                          "aborting!\n"),
            "Topology does not contain any NUMA node, aborting!");
  EXPECT_EQ(flopscope::topo::hwloc_reason(""), "");
  EXPECT_EQ(flopscope::topo::hwloc_reason("*****\n\n"), "");
}

TEST(TopologyErrors, CapturedStderrIsReturnedAndRestored) {
  testing::internal::CaptureStderr();
  const std::string got = flopscope::topo::capture_stderr([] {
    std::fprintf(stderr, "first\n");
    std::fputs("second", stderr);
  });
  std::fprintf(stderr, "after\n");
  EXPECT_EQ(got, "first\nsecond");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "after\n");
  // An exception from the function still restores stderr.
  testing::internal::CaptureStderr();
  EXPECT_THROW(flopscope::topo::capture_stderr([] {
                 std::fprintf(stderr, "lost\n");
                 throw std::runtime_error("x");
               }),
               std::runtime_error);
  std::fprintf(stderr, "back\n");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "back\n");
}

// With another thread running, whose messages would vanish into the
// capture, nothing is caught: the text stays on stderr.
TEST(TopologyErrors, NothingIsCapturedWhileAnotherThreadRuns) {
  std::promise<void> release;
  std::thread other([done = release.get_future()]() mutable { done.wait(); });
  testing::internal::CaptureStderr();
  const std::string got =
      flopscope::topo::capture_stderr([] { std::fprintf(stderr, "hwloc said\n"); });
  const std::string seen = testing::internal::GetCapturedStderr();
  release.set_value();
  other.join();
  EXPECT_EQ(got, "");
  EXPECT_EQ(seen, "hwloc said\n");
}

// ---------------------------------------------------------------------------------------------
// The live machine.

TEST(TopologyLive, Loads) {
  const char* xmlfile = getenv("HWLOC_XMLFILE");
  if (xmlfile && *xmlfile) GTEST_SKIP() << "HWLOC_XMLFILE is set";
  const Topology t = load_live_topology();
  EXPECT_EQ(t.source, "live");
  EXPECT_GE(t.cores, 1);
  EXPECT_GE(t.pus, t.cores);
  EXPECT_GE(t.numa_nodes, 1);
  EXPECT_FALSE(t.package_info.empty());
  EXPECT_EQ(t.pu_os_indices_per_core_first.size(), static_cast<size_t>(t.cores));
  for (const auto& g : t.gpus) {
    EXPECT_EQ(flopscope::topo::normalize_pci_bus_id(g.pci_bus_id), g.pci_bus_id);
  }
}

TEST(TopologyLive, PinsAThreadToEachCoreItReports) {
  const char* xmlfile = getenv("HWLOC_XMLFILE");
  if (xmlfile && *xmlfile) GTEST_SKIP() << "HWLOC_XMLFILE is set";
  const std::vector<int> pus = flopscope::topo::pu_per_core(load_live_topology());
  ASSERT_FALSE(pus.empty());
  for (int pu : pus) {
    // A fresh thread each time, so the test runner's own affinity is left alone.
    std::atomic<int> where{-2};
    std::atomic<bool> ok{false};
    std::thread([&] {
      ok = flopscope::topo::pin_current_thread_to_pu(pu);
      where = sched_getcpu();
    }).join();
    EXPECT_TRUE(ok) << "PU " << pu;
    EXPECT_EQ(where, pu);
  }
  std::thread([] {
    EXPECT_FALSE(flopscope::topo::pin_current_thread_to_pu(-1));
    EXPECT_FALSE(flopscope::topo::pin_current_thread_to_pu(1 << 20));  // no such PU
  }).join();
}

TEST(TopologyLive, HwlocXmlFileStandsInForTheMachine) {
  const char* old = getenv("HWLOC_XMLFILE");
  const std::string saved = old ? old : "";
  setenv("HWLOC_XMLFILE", fixture_path().c_str(), 1);
  Topology t;
  EXPECT_NO_THROW(t = load_live_topology());
  if (old) {
    setenv("HWLOC_XMLFILE", saved.c_str(), 1);
  } else {
    unsetenv("HWLOC_XMLFILE");
  }
  EXPECT_EQ(t.source, fixture_path().string());
  EXPECT_EQ(t.gpus.size(), 8u);
}

// ---------------------------------------------------------------------------------------------
// Helpers.

TEST(TopologyHelpers, PciBusIdNormalization) {
  using flopscope::topo::normalize_pci_bus_id;
  EXPECT_EQ(normalize_pci_bus_id("00000000:3B:00.0"), "0000:3b:00.0");  // CUDA, NVML
  EXPECT_EQ(normalize_pci_bus_id("0000:3b:00.0"), "0000:3b:00.0");
  EXPECT_EQ(normalize_pci_bus_id("3b:00.1"), "0000:3b:00.1");
  EXPECT_EQ(normalize_pci_bus_id("000A:01:00.0"), "000a:01:00.0");
  EXPECT_EQ(normalize_pci_bus_id("cuda0"), "");
  EXPECT_EQ(normalize_pci_bus_id("0000:3b:00.0x"), "");
  EXPECT_EQ(normalize_pci_bus_id("0000:3b:00.8"), "");
  EXPECT_EQ(normalize_pci_bus_id("0000:3b:0x0.0"), "");
  EXPECT_EQ(normalize_pci_bus_id(":3b:00.0"), "");
}

TEST(TopologyHelpers, CpuLists) {
  using flopscope::topo::parse_cpu_list;
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5"), (std::vector<int>{5}));
  EXPECT_TRUE(parse_cpu_list("").empty());
  EXPECT_TRUE(parse_cpu_list("3-1").empty());
  EXPECT_TRUE(parse_cpu_list("a-b").empty());
  EXPECT_TRUE(parse_cpu_list("1,,2").empty());
}

// ---------------------------------------------------------------------------------------------
// Recorded real machines (shared/topologies). Truth from hwloc-info and lstopo on each file.

namespace {

struct Expected {
  int packages, numa_nodes, cores, pus, gpus;
};

const std::map<std::string, Expected>& expectations() {
  static const std::map<std::string, Expected> table = {
      // Offline CPUs and memory-less offline nodes are not in the allowed sets, so hwloc loads
      // 6 packages, 5 NUMA nodes and 10 cores of the complete 8 x 2.
      {"16amd64-8n2c-cpusets.xml", {6, 5, 10, 10, 0}},
      // Its one display device is a Matrox VGA (102b:0532), not a GPU.
      {"40intel64-2g2n4c+pcilocality.xml", {4, 4, 40, 40, 0}},
      {"AMD-17h-Zen-2xEpyc-7451.xml", {2, 1, 48, 96, 0}},
      {"AMD-19h-Zen3-2xEpyc-7763.xml", {2, 1, 128, 128, 0}},
      {"Intel-CascadeLake-2xXeon6230.xml", {2, 1, 40, 80, 0}},
      {"Intel-KnightsLanding-XeonPhi-7210.xml", {1, 1, 64, 256, 0}},
      {"Intel-Skylake-2xXeon6140.xml", {2, 1, 36, 72, 0}},
      {"nvidia-dgx-gb10.xml", {1, 1, 20, 20, 0}},
      // 12 GPU OS devices (cuda, nvml, opencl views) on 4 PCI devices: 4 GPUs.
      {"power8gpudistances.xml", {2, 2, 8, 16, 4}},
  };
  return table;
}

void expect_counts(const Topology& t, const Expected& e) {
  EXPECT_EQ(t.packages, e.packages);
  EXPECT_EQ(t.numa_nodes, e.numa_nodes);
  EXPECT_EQ(t.cores, e.cores);
  EXPECT_EQ(t.pus, e.pus);
  EXPECT_EQ(t.gpus.size(), static_cast<size_t>(e.gpus));
  EXPECT_EQ(t.pu_os_indices_per_core_first.size(), static_cast<size_t>(e.cores));
}

}  // namespace

TEST(TopologyRecorded, EveryFileLoadsWithTheRightCounts) {
  const fs::path dir = shared_topologies_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".xml") continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    Topology t;
    ASSERT_NO_THROW(t = load_topology_xml(entry.path().string()));
    ++loaded;
    const auto it = expectations().find(name);
    if (it == expectations().end()) {
      // A file added later still has to load and make sense; its counts belong in the table.
      EXPECT_GE(t.cores, 1);
      std::printf("note: no expected counts for %s\n", name.c_str());
      continue;
    }
    expect_counts(t, it->second);
  }
  for (const auto& [name, e] : expectations()) {
    EXPECT_TRUE(fs::exists(dir / name)) << name << " is missing from " << dir;
  }
  EXPECT_GE(loaded, static_cast<int>(expectations().size()));
}

TEST(TopologyRecorded, SynthesizedV3OfEveryFileMatches) {
  const fs::path dir = shared_topologies_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  TempDir tmp;
  for (const auto& [name, e] : expectations()) {
    if (!fs::exists(dir / name)) continue;
    SCOPED_TRACE(name);
    const Topology v2 = load_topology_xml((dir / name).string());
    Topology v3;
    ASSERT_NO_THROW(
        v3 = load_topology_xml(tmp.write(name, synthesize_v3(read_file(dir / name))).string()));
    expect_counts(v3, e);
    nlohmann::json a = v2.to_json(), b = v3.to_json();
    a.erase("source");
    b.erase("source");
    EXPECT_EQ(a, b);
  }
}

TEST(TopologyRecorded, Power8GpusAndLocality) {
  const fs::path dir = shared_topologies_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  const Topology t = load_topology_xml((dir / "power8gpudistances.xml").string());
  ASSERT_EQ(t.gpus.size(), 4u);
  const char* bus_ids[] = {"0002:01:00.0", "0003:01:00.0", "000a:01:00.0", "000b:01:00.0"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(t.gpus[i].pci_bus_id, bus_ids[i]);
    EXPECT_EQ(t.gpus[i].numa_node, i < 2 ? 0 : 1);
    EXPECT_EQ(t.gpus[i].model, "Tesla P100-SXM2-16GB");
    EXPECT_EQ(t.gpus[i].os_device_names.size(), 3u);  // cuda, opencl, nvml: one GPU
  }
  EXPECT_EQ(t.package_info[0].model_name, "POWER8NVL, altivec supported");
  // POWER8 SMT8 numbering: cores start at PUs 0, 8, 16, ...
  EXPECT_EQ(t.pu_os_indices_per_core_first[1], 8);
}

TEST(TopologyRecorded, CpuIdentity) {
  const fs::path dir = shared_topologies_dir();
  if (dir.empty()) GTEST_SKIP() << "no ../shared/topologies";
  const Topology skx = load_topology_xml((dir / "Intel-Skylake-2xXeon6140.xml").string());
  ASSERT_EQ(skx.package_info.size(), 2u);
  EXPECT_EQ(skx.package_info[1].vendor, "GenuineIntel");
  EXPECT_EQ(skx.package_info[1].family, 6);
  EXPECT_EQ(skx.package_info[1].model, 85);
  EXPECT_EQ(skx.package_info[1].cores, 18);
  EXPECT_TRUE(skx.smt());

  const Topology zen3 = load_topology_xml((dir / "AMD-19h-Zen3-2xEpyc-7763.xml").string());
  EXPECT_EQ(zen3.package_info[0].family, 25);
  EXPECT_EQ(zen3.package_info[0].model_name, "AMD EPYC 7763 64-Core Processor");  // unpadded
  EXPECT_FALSE(zen3.smt());

  // GB10: CPUPart lives on the CPU kinds (10 Cortex-X925 0xd85 + 10 Cortex-A725 0xd87).
  const Topology gb10 = load_topology_xml((dir / "nvidia-dgx-gb10.xml").string());
  ASSERT_EQ(gb10.package_info.size(), 1u);
  EXPECT_EQ(gb10.package_info[0].arm_part, 0xd85u);
  EXPECT_EQ(gb10.package_info[0].vendor, "ARM");
  ASSERT_EQ(gb10.cpu_kinds.size(), 2u);
  EXPECT_EQ(gb10.cpu_kinds[0].arm_part, 0xd87u);
  EXPECT_EQ(gb10.cpu_kinds[0].cores, 10);
  EXPECT_EQ(gb10.cpu_kinds[1].arm_part, 0xd85u);
  EXPECT_EQ(gb10.cpu_kinds[1].cores, 10);
  EXPECT_GT(gb10.cpu_kinds[1].efficiency, gb10.cpu_kinds[0].efficiency);
  // Its L2s: ten of 512 KiB (A725) and ten of 2 MiB (X925), one core each;
  // its L3s 8 and 16 MiB.
  ASSERT_GE(gb10.caches.size(), 3u);
  EXPECT_EQ(gb10.caches[1].size_bytes, 512u << 10);
  EXPECT_EQ(gb10.caches[1].cores, 10);
  EXPECT_EQ(gb10.caches[2].size_bytes, 2u << 20);
  EXPECT_EQ(gb10.caches[2].cores, 10);
  flopscope::cpu::CpuContext ctx;
  flopscope::cpu::set_cache_sizes(gb10, ctx);
  EXPECT_EQ(ctx.l2_bytes_per_core, 512u << 10);
  EXPECT_EQ(ctx.l3_bytes_total, 24u << 20);

  // Knights Landing: each 1 MiB L2 serves a tile of two cores.
  const Topology knl = load_topology_xml((dir / "Intel-KnightsLanding-XeonPhi-7210.xml").string());
  flopscope::cpu::set_cache_sizes(knl, ctx);
  EXPECT_EQ(ctx.l2_bytes_per_core, 512u << 10);
  EXPECT_EQ(ctx.cache_source.rfind("hwloc", 0), 0u);
}
