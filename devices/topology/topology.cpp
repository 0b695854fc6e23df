#include "devices/topology/topology.h"

#include <hwloc.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "devices/arm_implementers.h"
#include "devices/topology/hwloc_messages.h"

namespace flopscope::topo {
namespace {

// hwloc 2.x's OS device enum (hwloc.h); spelled out because 3.0 XML uses a bitmask instead.
constexpr int kV2OsdevBlock = 0, kV2OsdevGpu = 1, kV2OsdevNetwork = 2, kV2OsdevOpenFabrics = 3,
              kV2OsdevDma = 4, kV2OsdevCoproc = 5;
static_assert(kV2OsdevBlock == HWLOC_OBJ_OSDEV_BLOCK && kV2OsdevGpu == HWLOC_OBJ_OSDEV_GPU &&
                  kV2OsdevNetwork == HWLOC_OBJ_OSDEV_NETWORK &&
                  kV2OsdevOpenFabrics == HWLOC_OBJ_OSDEV_OPENFABRICS &&
                  kV2OsdevDma == HWLOC_OBJ_OSDEV_DMA && kV2OsdevCoproc == HWLOC_OBJ_OSDEV_COPROC,
              "the 2.x OS device enum this code rewrites 3.0 XML into");
// hwloc 3.0's OS device type bits (hwloc.h of 3.0).
constexpr unsigned long kV3Storage = 1ul << 0, kV3Memory = 1ul << 1, kV3Gpu = 1ul << 2,
                        kV3Coproc = 1ul << 3, kV3Network = 1ul << 4, kV3OpenFabrics = 1ul << 5,
                        kV3Dma = 1ul << 6;
// Distance kinds: 3.0 added VALUE_HOPS; 2.x called the same matrices LATENCY.
constexpr unsigned long kDistLatency = 1ul << 2, kDistHops = 1ul << 5;

// Real topologies are a few MB at most; a bigger file is refused rather than read into memory.
constexpr std::uintmax_t kMaxXmlBytes = 256ull << 20;

std::string quoted(const std::string& path) {
  return "\"" + path + "\"";
}

[[noreturn]] void fail_file(const std::string& path, const std::string& what) {
  throw TopologyError("topology file " + quoted(path) + ": " + what);
}

int line_of(std::string_view text, size_t pos) {
  pos = std::min(pos, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// ---------------------------------------------------------------------------------------------
// A small scanner for the XML that hwloc writes: elements with quoted attributes, comments,
// processing instructions, DOCTYPE, CDATA and text. It is not a general XML parser; it exists so
// that bad files get a precise one-line error of our own (libxml2's messages are multi-line and
// only shown with HWLOC_XML_VERBOSE), and so that 3.0 XML can be rewritten without a DOM.

struct XmlAttr {
  std::string_view name;
  size_t value_pos = 0;  // offset of the (still escaped) value in the scanned text
  size_t value_len = 0;
};

struct XmlTag {
  enum Kind { kStart, kEnd, kOther } kind = kOther;  // kOther: comment, PI, DOCTYPE, CDATA
  bool self_closing = false;
  std::string_view name;
  std::vector<XmlAttr> attrs;
  size_t begin = 0;  // '<'
  size_t end = 0;    // one past '>'
};

enum class ScanResult { kTag, kDone, kTruncated, kMalformed };

class XmlScanner {
 public:
  explicit XmlScanner(std::string_view text) : s_(text) {}

  ScanResult next(XmlTag& tag) {
    const size_t lt = s_.find('<', pos_);
    if (lt == std::string_view::npos) {
      pos_ = s_.size();
      return ScanResult::kDone;
    }
    tag = XmlTag{};
    tag.begin = lt;
    error_pos_ = lt;
    const std::string_view rest = s_.substr(lt);
    if (starts_with(rest, "<!--")) return skip_to(tag, lt + 4, "-->");
    if (starts_with(rest, "<![CDATA[")) return skip_to(tag, lt + 9, "]]>");
    if (starts_with(rest, "<?")) return skip_to(tag, lt + 2, "?>");
    if (starts_with(rest, "<!")) {  // DOCTYPE, possibly with an internal subset [...]
      size_t e = s_.find_first_of("[>", lt + 2);
      if (e != std::string_view::npos && s_[e] == '[') {
        e = s_.find(']', e);
        if (e != std::string_view::npos) e = s_.find('>', e);
      }
      if (e == std::string_view::npos) return ScanResult::kTruncated;
      tag.end = pos_ = e + 1;
      return ScanResult::kTag;
    }
    size_t i = lt + 1;
    if (i < s_.size() && s_[i] == '/') {
      tag.kind = XmlTag::kEnd;
      ++i;
      const size_t name_begin = i;
      while (i < s_.size() && !is_space(s_[i]) && s_[i] != '>') ++i;
      tag.name = s_.substr(name_begin, i - name_begin);
      const size_t gt = s_.find('>', i);
      if (gt == std::string_view::npos) return ScanResult::kTruncated;
      if (tag.name.empty()) return ScanResult::kMalformed;
      tag.end = pos_ = gt + 1;
      return ScanResult::kTag;
    }
    tag.kind = XmlTag::kStart;
    const size_t name_begin = i;
    while (i < s_.size() && !is_space(s_[i]) && s_[i] != '/' && s_[i] != '>') ++i;
    tag.name = s_.substr(name_begin, i - name_begin);
    if (i >= s_.size()) return ScanResult::kTruncated;
    if (tag.name.empty()) return ScanResult::kMalformed;
    while (true) {
      while (i < s_.size() && is_space(s_[i])) ++i;
      if (i >= s_.size()) return ScanResult::kTruncated;
      if (s_[i] == '>') {
        tag.end = pos_ = i + 1;
        return ScanResult::kTag;
      }
      if (s_[i] == '/') {
        if (i + 1 >= s_.size()) return ScanResult::kTruncated;
        if (s_[i + 1] != '>') return fail_at(i);
        tag.self_closing = true;
        tag.end = pos_ = i + 2;
        return ScanResult::kTag;
      }
      const size_t attr_begin = i;
      while (i < s_.size() && !is_space(s_[i]) && s_[i] != '=' && s_[i] != '>' && s_[i] != '/') {
        ++i;
      }
      XmlAttr attr;
      attr.name = s_.substr(attr_begin, i - attr_begin);
      while (i < s_.size() && is_space(s_[i])) ++i;
      if (i >= s_.size()) return ScanResult::kTruncated;
      if (attr.name.empty() || s_[i] != '=') return fail_at(i);
      ++i;
      while (i < s_.size() && is_space(s_[i])) ++i;
      if (i >= s_.size()) return ScanResult::kTruncated;
      const char quote = s_[i];
      if (quote != '"' && quote != '\'') return fail_at(i);
      const size_t close = s_.find(quote, i + 1);
      if (close == std::string_view::npos) return ScanResult::kTruncated;
      if (s_.substr(i + 1, close - i - 1).find('<') != std::string_view::npos) return fail_at(i);
      attr.value_pos = i + 1;
      attr.value_len = close - i - 1;
      tag.attrs.push_back(attr);
      i = close + 1;
    }
  }

  // Where the last truncation or malformation was found.
  size_t error_pos() const { return error_pos_; }
  std::string_view text() const { return s_; }

  std::string_view attr(const XmlTag& tag, std::string_view name) const {
    for (const XmlAttr& a : tag.attrs) {
      if (a.name == name) return s_.substr(a.value_pos, a.value_len);
    }
    return {};
  }
  const XmlAttr* find_attr(const XmlTag& tag, std::string_view name) const {
    for (const XmlAttr& a : tag.attrs) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  ScanResult skip_to(XmlTag& tag, size_t from, std::string_view terminator) {
    const size_t e = s_.find(terminator, from);
    if (e == std::string_view::npos) return ScanResult::kTruncated;
    tag.end = pos_ = e + terminator.size();
    return ScanResult::kTag;
  }
  ScanResult fail_at(size_t pos) {
    error_pos_ = pos;
    return ScanResult::kMalformed;
  }

  std::string_view s_;
  size_t pos_ = 0;
  size_t error_pos_ = 0;
};

std::string version_of_root(const XmlScanner& scanner, const XmlTag& root) {
  return std::string(scanner.attr(root, "version"));
}

int major_version(const std::string& version) {
  if (version.empty()) return 1;  // hwloc 1.x wrote no version attribute
  return std::atoi(version.c_str());
}

// Checks that `text` is a complete, well-formed hwloc topology document and returns the root's
// version attribute. Throws TopologyError naming `path` otherwise.
std::string check_xml_shape(const std::string& path, std::string_view text) {
  if (text.find('\0') != std::string_view::npos) fail_file(path, "not XML (binary data)");
  size_t first = 0;
  if (starts_with(text, "\xEF\xBB\xBF")) first = 3;  // UTF-8 byte order mark
  first = text.find_first_not_of(" \t\r\n", first);
  if (first == std::string_view::npos) fail_file(path, "empty");
  if (text[first] != '<') fail_file(path, "not XML (does not start with '<')");

  XmlScanner scanner(text);
  XmlTag tag;
  std::vector<std::pair<std::string_view, size_t>> open;  // element name, offset of its '<'
  bool root_seen = false, root_closed = false;
  std::string version;
  while (true) {
    const ScanResult r = scanner.next(tag);
    if (r == ScanResult::kDone) break;
    if (r == ScanResult::kTruncated) {
      if (!root_seen) fail_file(path, "not XML (unterminated markup at the start)");
      fail_file(path, "truncated (ends inside a tag at line " +
                          std::to_string(line_of(text, scanner.error_pos())) + ")");
    }
    if (r == ScanResult::kMalformed) {
      if (!root_seen) fail_file(path, "not XML");
      fail_file(path,
                "malformed XML at line " + std::to_string(line_of(text, scanner.error_pos())));
    }
    if (tag.kind == XmlTag::kOther) continue;
    if (tag.kind == XmlTag::kStart) {
      if (root_closed) {
        fail_file(path, "malformed XML: content after </topology> at line " +
                            std::to_string(line_of(text, tag.begin)));
      }
      if (!root_seen) {
        root_seen = true;
        if (tag.name != "topology") {
          fail_file(path, "not an hwloc topology XML (root element is <" + std::string(tag.name) +
                              ">, expected <topology>)");
        }
        version = version_of_root(scanner, tag);
      }
      if (!tag.self_closing) open.emplace_back(tag.name, tag.begin);
      if (open.empty()) root_closed = true;
      continue;
    }
    // End tag.
    if (open.empty()) {
      fail_file(path, "malformed XML: unexpected </" + std::string(tag.name) + "> at line " +
                          std::to_string(line_of(text, tag.begin)));
    }
    if (open.back().first != tag.name) {
      fail_file(path, "malformed XML: </" + std::string(tag.name) + "> at line " +
                          std::to_string(line_of(text, tag.begin)) + " does not close <" +
                          std::string(open.back().first) + "> opened at line " +
                          std::to_string(line_of(text, open.back().second)));
    }
    open.pop_back();
    if (open.empty()) root_closed = true;
  }
  if (!root_seen) fail_file(path, "not an hwloc topology XML (no root element)");
  if (!open.empty()) {
    fail_file(path, "truncated (ends inside <" + std::string(open.back().first) +
                        "> opened at line " + std::to_string(line_of(text, open.back().second)) +
                        ")");
  }
  return version;
}

// hwloc 3.0's own v2 export rule (topology-xml.c, hwloc__xml_export_object_contents).
int v3_osdev_types_to_v2(unsigned long types, std::string_view name, std::string_view subtype) {
  if (types & (kV3Storage | kV3Memory)) return kV2OsdevBlock;
  if (types & kV3OpenFabrics) return kV2OsdevOpenFabrics;
  if (types & kV3Network) return subtype == "BXI" ? kV2OsdevOpenFabrics : kV2OsdevNetwork;
  if (types & kV3Dma) return kV2OsdevDma;
  if (types & kV3Coproc) {
    return (starts_with(name, "nvml") || starts_with(name, "rsmi")) ? kV2OsdevGpu : kV2OsdevCoproc;
  }
  if (types & kV3Gpu) return kV2OsdevGpu;
  return kV2OsdevBlock;  // no type: 3.0 writes none, and 2.x then reads 0
}

// ---------------------------------------------------------------------------------------------
// Reading hwloc objects.

using TopologyPtr = std::unique_ptr<hwloc_topology, decltype(&hwloc_topology_destroy)>;

TopologyPtr new_topology() {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) {
    throw TopologyError(std::string("hwloc_topology_init failed: ") + std::strerror(errno));
  }
  TopologyPtr topo(raw, &hwloc_topology_destroy);
  // hwloc drops PCI and OS devices by default, also on XML import; GPUs are found through them.
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  return topo;
}

const char* info_of(hwloc_obj_t obj, const char* name) {
  return obj ? hwloc_obj_get_info_by_name(obj, name) : nullptr;
}

// Recordings put CPU identity on packages, or on the machine object above them.
const char* info_up(hwloc_obj_t obj, const char* name) {
  for (; obj; obj = obj->parent) {
    if (const char* v = hwloc_obj_get_info_by_name(obj, name)) return v;
  }
  return nullptr;
}

std::string list_string(hwloc_const_bitmap_t set) {
  if (!set) return {};
  char* s = nullptr;
  if (hwloc_bitmap_list_asprintf(&s, set) < 0 || !s) return {};
  std::string out(s);
  std::free(s);
  return out;
}

int parse_int(const char* s, int fallback) {
  if (!s || !*s) return fallback;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 0);
  return end == s ? fallback : static_cast<int>(v);
}

unsigned parse_hex(const char* s) {
  if (!s || !*s) return 0;
  return static_cast<unsigned>(std::strtoul(s, nullptr, 16));  // "0xd85" and "d85" alike
}

std::string trimmed(const char* s) {
  if (!s) return {};
  std::string out(s);
  const size_t last = out.find_last_not_of(" \t");
  out.erase(last == std::string::npos ? 0 : last + 1);
  const size_t first = out.find_first_not_of(" \t");
  return first == std::string::npos ? std::string() : out.substr(first);
}

// Arm reports an implementer code, not a vendor string.
// A value that is not a number is kept as hwloc gave it.
std::string arm_implementer_name(const char* implementer) {
  if (!implementer || !*implementer) return {};
  char* end = nullptr;
  const unsigned long code = std::strtoul(implementer, &end, 16);
  if (end == implementer) return std::string("Arm implementer ") + implementer;
  return cpu::arm_implementer_vendor(static_cast<unsigned>(code));
}

struct KindRecord {
  hwloc_bitmap_t cpuset;
  int efficiency;
  unsigned arm_part;
  std::string core_type;
};

std::vector<KindRecord> read_kinds(hwloc_topology_t topo) {
  std::vector<KindRecord> kinds;
  const int nr = hwloc_cpukinds_get_nr(topo, 0);
  for (int k = 0; k < nr; ++k) {
    KindRecord rec{hwloc_bitmap_alloc(), -1, 0, {}};
    unsigned nr_infos = 0;
    hwloc_info_s* infos = nullptr;
    if (hwloc_cpukinds_get_info(topo, k, rec.cpuset, &rec.efficiency, &nr_infos, &infos, 0) != 0) {
      hwloc_bitmap_free(rec.cpuset);
      continue;
    }
    for (unsigned i = 0; i < nr_infos; ++i) {
      if (std::strcmp(infos[i].name, "CPUPart") == 0) rec.arm_part = parse_hex(infos[i].value);
      if (std::strcmp(infos[i].name, "CoreType") == 0) rec.core_type = infos[i].value;
    }
    kinds.push_back(std::move(rec));
  }
  return kinds;  // hwloc orders kinds by increasing efficiency
}

int count_inside(hwloc_topology_t topo, hwloc_const_cpuset_t set, hwloc_obj_type_t type) {
  return set ? static_cast<int>(hwloc_get_nbobjs_inside_cpuset_by_type(topo, set, type)) : 0;
}

CpuPackageInfo package_info_of(hwloc_topology_t topo, hwloc_obj_t pkg, int index,
                               const std::vector<KindRecord>& kinds) {
  CpuPackageInfo info;
  info.index = index;
  info.vendor = trimmed(info_up(pkg, "CPUVendor"));
  if (info.vendor.empty()) info.vendor = arm_implementer_name(info_up(pkg, "CPUImplementer"));
  info.model_name = trimmed(info_up(pkg, "CPUModel"));
  info.family = parse_int(info_up(pkg, "CPUFamilyNumber"), -1);
  info.model = parse_int(info_up(pkg, "CPUModelNumber"), -1);
  info.arm_part = parse_hex(info_up(pkg, "CPUPart"));
  if (info.arm_part == 0) {
    // Heterogeneous Arm parts (GB10) carry CPUPart per CPU kind; the most efficient kind present
    // in this package names the part that sets the package's peak.
    for (auto it = kinds.rbegin(); it != kinds.rend(); ++it) {
      if (it->arm_part && hwloc_bitmap_intersects(it->cpuset, pkg->cpuset)) {
        info.arm_part = it->arm_part;
        break;
      }
    }
  }
  info.cores = count_inside(topo, pkg->cpuset, HWLOC_OBJ_CORE);
  info.pus = count_inside(topo, pkg->cpuset, HWLOC_OBJ_PU);
  if (info.cores == 0) info.cores = info.pus;
  return info;
}

const char* cache_type_name(hwloc_obj_cache_type_t t) {
  switch (t) {
    case HWLOC_OBJ_CACHE_DATA:
      return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION:
      return "instruction";
    default:
      return "unified";
  }
}

std::vector<CacheInfo> read_caches(hwloc_topology_t topo) {
  // Key orders data and unified caches before instruction caches of the same level. Instances
  // of one size that serve different numbers of cores (Meteor Lake's 2 MiB L2s: one per P-core,
  // one per four E-cores) are separate entries, so each entry's share per core is exact.
  std::map<std::tuple<int, int, uint64_t, int>, CacheInfo> by_key;
  for (int t = HWLOC_OBJ_L1CACHE; t <= HWLOC_OBJ_L3ICACHE; ++t) {
    const auto type = static_cast<hwloc_obj_type_t>(t);
    if (!hwloc_obj_type_is_cache(type)) continue;
    for (hwloc_obj_t c = nullptr; (c = hwloc_get_next_obj_by_type(topo, type, c));) {
      const int level = static_cast<int>(c->attr->cache.depth);
      const int order = c->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? 1 : 0;
      int cores = count_inside(topo, c->cpuset, HWLOC_OBJ_CORE);
      if (cores == 0) cores = count_inside(topo, c->cpuset, HWLOC_OBJ_PU);
      CacheInfo& ci = by_key[{level, order, c->attr->cache.size, cores}];
      ci.level = level;
      ci.type = cache_type_name(c->attr->cache.type);
      ci.size_bytes = c->attr->cache.size;
      ++ci.count;
      ci.cores += cores;
    }
  }
  std::vector<CacheInfo> out;
  for (auto& [key, ci] : by_key) out.push_back(std::move(ci));
  return out;
}

std::string str_or_empty(const char* s) {
  return s ? s : "";
}

// A GPU's compute views (CUDA, NVML, ROCm SMI, Level Zero, OpenCL GPU devices). Display views
// (DRM card*/renderD*, GL :0.0) are not: a server's BMC VGA has them too.
bool is_compute_view(hwloc_obj_t osdev) {
  const auto type = osdev->attr->osdev.type;
  if (type != HWLOC_OBJ_OSDEV_GPU && type != HWLOC_OBJ_OSDEV_COPROC) return false;
  const std::string subtype = str_or_empty(osdev->subtype);
  const std::string backend = str_or_empty(info_of(osdev, "Backend"));  // hwloc <= 2.4 XML
  const std::string_view name = osdev->name ? osdev->name : "";
  auto is = [&](const char* label) { return subtype == label || backend == label; };
  if (is("OpenCL") || starts_with(name, "opencl")) {
    const char* dev_type = info_of(osdev, "OpenCLDeviceType");
    return !dev_type || std::strcmp(dev_type, "GPU") == 0;
  }
  if (is("CUDA") || is("NVML") || is("RSMI") || is("LevelZero")) return true;
  return starts_with(name, "cuda") || starts_with(name, "nvml") || starts_with(name, "rsmi") ||
         starts_with(name, "ze");
}

bool is_gpu_vendor_display(const hwloc_obj_attr_u::hwloc_pcidev_attr_s& pci) {
  if ((pci.class_id >> 8) != 0x03) return false;  // display controllers: VGA, XGA, 3D, other
  if (pci.vendor_id == 0x10de || pci.vendor_id == 0x1002) return true;
  // Intel's VGA-class devices are mostly integrated graphics; its data-centre GPUs are 3D or
  // "other display" class, and discrete parts with compute drivers show compute views anyway.
  return pci.vendor_id == 0x8086 && pci.class_id != 0x0300;
}

std::string bus_id_of(const hwloc_obj_attr_u::hwloc_pcidev_attr_s& pci) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%01x", static_cast<unsigned>(pci.domain),
                static_cast<unsigned>(pci.bus), static_cast<unsigned>(pci.dev),
                static_cast<unsigned>(pci.func));
  return buf;
}

std::vector<GpuLocation> read_gpus(hwloc_topology_t topo) {
  std::vector<GpuLocation> gpus;
  for (hwloc_obj_t pci = nullptr; (pci = hwloc_get_next_pcidev(topo, pci));) {
    const hwloc_obj_attr_u::hwloc_pcidev_attr_s& attr = pci->attr->pcidev;
    bool compute = false;
    GpuLocation gpu;
    for (hwloc_obj_t child = pci->io_first_child; child; child = child->next_sibling) {
      if (child->type != HWLOC_OBJ_OS_DEVICE) continue;
      if (child->name) gpu.os_device_names.emplace_back(child->name);
      compute = compute || is_compute_view(child);
      if (gpu.model.empty()) gpu.model = trimmed(info_of(child, "GPUModel"));
    }
    if (!compute && !is_gpu_vendor_display(attr)) continue;
    if (gpu.model.empty()) gpu.model = trimmed(info_of(pci, "PCIDevice"));
    gpu.pci_bus_id = bus_id_of(attr);
    gpu.vendor_id = attr.vendor_id;
    gpu.device_id = attr.device_id;
    if (hwloc_obj_t local = hwloc_get_non_io_ancestor_obj(topo, pci)) {
      if (local->nodeset && !hwloc_bitmap_iszero(local->nodeset)) {
        gpu.numa_node = hwloc_bitmap_first(local->nodeset);
      }
      gpu.cpuset = list_string(local->cpuset);
    }
    gpus.push_back(std::move(gpu));
  }
  // Fixed-width lower-case hex: string order is PCI order.
  std::sort(gpus.begin(), gpus.end(),
            [](const GpuLocation& a, const GpuLocation& b) { return a.pci_bus_id < b.pci_bus_id; });
  return gpus;
}

Topology extract(hwloc_topology_t topo, std::string source) {
  Topology t;
  t.source = std::move(source);
  t.packages = std::max(0, hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE));
  t.numa_nodes = std::max(0, hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE));
  t.cores = std::max(0, hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE));
  t.pus = std::max(0, hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU));

  std::vector<KindRecord> kinds = read_kinds(topo);
  for (int i = 0; i < t.packages; ++i) {
    t.package_info.push_back(
        package_info_of(topo, hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, i), i, kinds));
  }
  if (t.packages == 0) {
    t.package_info.push_back(package_info_of(topo, hwloc_get_root_obj(topo), 0, kinds));
  }
  for (const KindRecord& k : kinds) {
    CpuKindInfo info;
    info.efficiency = k.efficiency;
    info.arm_part = k.arm_part;
    info.core_type = k.core_type;
    info.cpuset = list_string(k.cpuset);
    info.cores = count_inside(topo, k.cpuset, HWLOC_OBJ_CORE);
    info.pus = count_inside(topo, k.cpuset, HWLOC_OBJ_PU);
    t.cpu_kinds.push_back(std::move(info));
    hwloc_bitmap_free(k.cpuset);
  }

  t.caches = read_caches(topo);
  t.gpus = read_gpus(topo);

  if (t.cores > 0) {
    for (int i = 0; i < t.cores; ++i) {
      hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, i);
      hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_PU, 0);
      if (pu) t.pu_os_indices_per_core_first.push_back(static_cast<int>(pu->os_index));
    }
  } else {
    // No Core level (some platforms): each PU stands for a core.
    t.cores = t.pus;
    for (int i = 0; i < t.pus; ++i) {
      t.pu_os_indices_per_core_first.push_back(
          static_cast<int>(hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i)->os_index));
    }
  }
  return t;
}

std::string read_whole_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) fail_file(path, ec.message());
    fail_file(path, "not found");
  }
  if (std::filesystem::is_directory(status)) fail_file(path, "is a directory");
  if (!std::filesystem::is_regular_file(status)) fail_file(path, "not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxXmlBytes) fail_file(path, "too large to be an hwloc topology");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_file(path, std::string("cannot be read: ") + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) fail_file(path, "read error");
  return buf.str();
}

}  // namespace

// -----------------------------------------------------------------------------------------------

std::string convert_hwloc3_xml_to_v2(std::string_view xml) {
  XmlScanner scanner(xml);
  XmlTag tag;
  struct Edit {
    size_t pos, len;
    std::string text;
  };
  std::vector<Edit> edits;
  std::vector<std::string> topology_infos;
  size_t root_object_body = std::string_view::npos;  // just after the root <object ...>
  int depth = 0;                                     // number of open elements
  bool is_v3 = false;
  ScanResult r;
  while ((r = scanner.next(tag)) == ScanResult::kTag) {
    if (tag.kind == XmlTag::kEnd) {
      --depth;
      continue;
    }
    if (tag.kind != XmlTag::kStart) continue;
    auto set_attr = [&](std::string_view name, std::string value) {
      if (const XmlAttr* a = scanner.find_attr(tag, name)) {
        edits.push_back({a->value_pos, a->value_len, std::move(value)});
      }
    };
    if (depth == 0) {
      if (tag.name != "topology" || major_version(version_of_root(scanner, tag)) != 3) {
        return std::string(xml);
      }
      is_v3 = true;
      set_attr("version", "2.0");
    } else if (tag.name == "object") {
      if (depth == 1 && root_object_body == std::string_view::npos && !tag.self_closing) {
        root_object_body = tag.end;
      }
      const std::string_view osdev_type = scanner.attr(tag, "osdev_type");
      if (scanner.attr(tag, "type") == "OSDev" && !osdev_type.empty()) {
        const unsigned long types = std::strtoul(std::string(osdev_type).c_str(), nullptr, 10);
        set_attr("osdev_type", std::to_string(v3_osdev_types_to_v2(types, scanner.attr(tag, "name"),
                                                                   scanner.attr(tag, "subtype"))));
      }
    } else if (tag.name == "distances2" || tag.name == "distances2hetero") {
      const std::string_view kind_text = scanner.attr(tag, "kind");
      unsigned long kind = std::strtoul(std::string(kind_text).c_str(), nullptr, 10);
      if (kind & kDistHops) {
        kind = (kind & ~kDistHops) | kDistLatency;
        set_attr("kind", std::to_string(kind));
      }
    } else if (tag.name == "info" && depth == 1 && tag.self_closing) {
      // 3.0 keeps topology-wide infos (OSName, Architecture, ...) under <topology>; 2.x keeps
      // them on the root object and ignores them elsewhere.
      topology_infos.emplace_back(xml.substr(tag.begin, tag.end - tag.begin));
      size_t begin = tag.begin, end = tag.end;
      while (begin > 0 && (xml[begin - 1] == ' ' || xml[begin - 1] == '\t')) --begin;
      if (end < xml.size() && xml[end] == '\n') ++end;
      edits.push_back({begin, end - begin, {}});
    }
    if (!tag.self_closing) ++depth;
  }
  if (!is_v3) return std::string(xml);
  if (root_object_body != std::string_view::npos && !topology_infos.empty()) {
    std::string text;
    for (const std::string& info : topology_infos) text += "\n    " + info;
    edits.push_back({root_object_body, 0, std::move(text)});
  }
  std::stable_sort(edits.begin(), edits.end(),
                   [](const Edit& a, const Edit& b) { return a.pos < b.pos; });
  std::string out;
  out.reserve(xml.size() + 256);
  size_t copied = 0;
  for (const Edit& e : edits) {
    if (e.pos < copied) continue;  // overlapping edits cannot happen with hwloc's XML
    out.append(xml.substr(copied, e.pos - copied));
    out.append(e.text);
    copied = e.pos + e.len;
  }
  out.append(xml.substr(copied));
  return out;
}

std::string normalize_pci_bus_id(std::string_view bus_id) {
  // Hand-parsed: sscanf's %x would accept "0x" prefixes and signs inside the fields.
  auto hex_field = [](std::string_view f, unsigned max, unsigned& out) {
    if (f.empty() || f.size() > 8) return false;
    unsigned v = 0;
    for (char c : f) {
      int d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return false;
      v = v * 16 + static_cast<unsigned>(d);
    }
    out = v;
    return v <= max;
  };
  unsigned domain = 0, bus = 0, dev = 0, func = 0;
  const size_t dot = bus_id.rfind('.');
  if (dot == std::string_view::npos) return {};
  const std::string_view head = bus_id.substr(0, dot);
  const size_t colon2 = head.rfind(':');
  if (colon2 == std::string_view::npos) return {};
  const size_t colon1 = head.rfind(':', colon2 == 0 ? 0 : colon2 - 1);
  const bool has_domain = colon1 != std::string_view::npos && colon1 < colon2;
  const std::string_view bus_text =
      has_domain ? head.substr(colon1 + 1, colon2 - colon1 - 1) : head.substr(0, colon2);
  if (has_domain && !hex_field(head.substr(0, colon1), 0xffff, domain)) return {};
  if (!hex_field(bus_text, 0xff, bus) || !hex_field(head.substr(colon2 + 1), 0x1f, dev) ||
      !hex_field(bus_id.substr(dot + 1), 0x7, func)) {
    return {};
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%01x", domain, bus, dev, func);
  return buf;
}

Topology load_topology_xml(const std::string& path) {
  const std::string text = read_whole_file(path);
  const std::string version = check_xml_shape(path, text);
  const int major = major_version(version);
  if (major < 1 || major > 3) {
    fail_file(path,
              "hwloc XML version \"" + version + "\" is not supported (1.x, 2.x and 3.0 are)");
  }
  const std::string xml = major == 3 ? convert_hwloc3_xml_to_v2(text) : text;

  TopologyPtr topo = new_topology();
  // The size includes the terminating NUL, as hwloc_topology_export_xmlbuffer() reports it.
  // hwloc parses here; on failure it must not go on to load the live machine instead.
  if (hwloc_topology_set_xmlbuffer(topo.get(), xml.c_str(), static_cast<int>(xml.size() + 1)) !=
      0) {
    fail_file(path, "hwloc could not parse it as XML");
  }
  // hwloc says why it rejects a file on stderr, in a banner: caught, so the
  // one-line error carries the reason (hwloc_messages.h).
  int loaded = 0, load_errno = 0;
  const std::string said = capture_stderr([&] {
    errno = 0;
    loaded = hwloc_topology_load(topo.get());
    load_errno = errno;
  });
  if (loaded != 0) {
    std::string why = hwloc_reason(said);
    if (why.empty() && load_errno != 0) why = std::strerror(load_errno);
    fail_file(path, "hwloc rejected it as a topology" + (why.empty() ? "" : ": " + why));
  }
  if (hwloc_get_nbobjs_by_type(topo.get(), HWLOC_OBJ_PU) <= 0) fail_file(path, "has no PU objects");
  Topology t = extract(topo.get(), path);
  // Warnings about a file it took still reach the user, as hwloc wrote them
  // (after the checks above, so an error stays one line).
  if (!said.empty()) std::fputs(said.c_str(), stderr);
  return t;
}

Topology load_live_topology() {
  // hwloc itself would read HWLOC_XMLFILE; reading it ourselves converts 3.0 and names the file
  // in errors.
  if (const char* xml = std::getenv("HWLOC_XMLFILE"); xml && *xml) return load_topology_xml(xml);

  TopologyPtr topo = new_topology();
  // The OpenCL and GL plugins would initialise vendor runtimes and connect to X displays inside
  // this process (slow, and CUDA must not be initialised before a fork); the GPU backends query
  // their devices themselves and match them by PCI bus id.
  hwloc_topology_set_components(topo.get(), HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "opencl");
  hwloc_topology_set_components(topo.get(), HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "gl");
  if (hwloc_topology_load(topo.get()) != 0) {
    throw TopologyError(std::string("hwloc could not discover this machine's topology: ") +
                        std::strerror(errno));
  }
  return extract(topo.get(), "live");
}

nlohmann::json Topology::to_json() const {
  nlohmann::json j;
  j["source"] = source;
  // The API of the library that read it (0x00020800 -> "2.8.0"; hwloc 2.9
  // still has API 2.8): what it imports differs by version. The release is
  // known only as the headers the binary was built with (hwloc has no
  // runtime release query); the library loaded may be a later one of the
  // same API.
  const unsigned v = hwloc_get_api_version();
  j["hwloc_api_version"] = std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." +
                           std::to_string(v & 0xff);
  j["hwloc_built_with"] = HWLOC_VERSION;
  j["packages"] = packages;
  j["numa_nodes"] = numa_nodes;
  j["cores"] = cores;
  j["pus"] = pus;
  j["smt"] = smt();
  j["package_info"] = nlohmann::json::array();
  for (const CpuPackageInfo& p : package_info) {
    nlohmann::json pj = {{"index", p.index},
                         {"vendor", p.vendor},
                         {"model_name", p.model_name},
                         {"cores", p.cores},
                         {"pus", p.pus}};
    pj["family"] = p.family >= 0 ? nlohmann::json(p.family) : nlohmann::json(nullptr);
    pj["model"] = p.model >= 0 ? nlohmann::json(p.model) : nlohmann::json(nullptr);
    if (p.arm_part) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%x", p.arm_part);
      pj["arm_part"] = hex;
    }
    j["package_info"].push_back(std::move(pj));
  }
  j["cpu_kinds"] = nlohmann::json::array();
  for (const CpuKindInfo& k : cpu_kinds) {
    nlohmann::json kj = {{"cpuset", k.cpuset}, {"cores", k.cores}, {"pus", k.pus}};
    kj["efficiency"] = k.efficiency >= 0 ? nlohmann::json(k.efficiency) : nlohmann::json(nullptr);
    if (k.arm_part) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%x", k.arm_part);
      kj["arm_part"] = hex;
    }
    if (!k.core_type.empty()) kj["core_type"] = k.core_type;
    j["cpu_kinds"].push_back(std::move(kj));
  }
  j["caches"] = nlohmann::json::array();
  for (const CacheInfo& c : caches) {
    j["caches"].push_back({{"level", c.level},
                           {"type", c.type},
                           {"size_bytes", c.size_bytes},
                           {"count", c.count},
                           {"cores", c.cores}});
  }
  j["gpus"] = nlohmann::json::array();
  for (const GpuLocation& g : gpus) {
    char ids[16];
    std::snprintf(ids, sizeof ids, "%04x:%04x", g.vendor_id, g.device_id);
    nlohmann::json gj = {{"pci_bus_id", g.pci_bus_id},
                         {"pci_id", ids},
                         {"model", g.model},
                         {"os_device_names", g.os_device_names},
                         {"cpuset", g.cpuset}};
    gj["numa_node"] = g.numa_node >= 0 ? nlohmann::json(g.numa_node) : nlohmann::json(nullptr);
    j["gpus"].push_back(std::move(gj));
  }
  j["pu_os_indices_per_core_first"] = pu_os_indices_per_core_first;
  return j;
}

}  // namespace flopscope::topo
