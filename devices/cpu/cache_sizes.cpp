#include "devices/cpu/cache_sizes.h"

#include <algorithm>
#include <string>

namespace flopscope::cpu {

namespace {

// The per-core figure of one level (L1d or L2) from its hwloc entries.
class LevelShare {
 public:
  // The bounds are of an instance, as hwloc reports it.
  LevelShare(const char* name, uint64_t plausible_min, uint64_t plausible_max, uint64_t fallback)
      : name_(name), min_(plausible_min), max_(plausible_max), fallback_(fallback) {}

  // An entry whose instance size no shipping CPU has, or whose share per
  // core is below any core's (a VM's one L2 for every core), is left out;
  // the others count by one core's share of an instance.
  void take(const topo::CacheInfo& c) {
    const uint64_t share = c.bytes_per_core();
    if (c.size_bytes >= min_ && c.size_bytes <= max_ && share >= kShareMin) {
      mixed_ = mixed_ || (bytes_ != 0 && share != bytes_);
      bytes_ = bytes_ == 0 ? share : std::min(bytes_, share);
      return;
    }
    std::string what = std::to_string(c.size_bytes);
    what.append(" B");
    if (c.size_bytes >= min_ && c.size_bytes <= max_)
      what.append(" for ").append(std::to_string(c.cores)).append(" cores");
    if (rejected_.find(what) != std::string::npos) return;
    if (!rejected_.empty()) rejected_.push_back('/');
    rejected_.append(what);
  }

  // The figure, the fallback when no entry was left; notes says why.
  uint64_t finish(std::string& notes) {
    if (bytes_ == 0 && rejected_.empty()) rejected_.append("0 B");
    if (rejected_.empty()) return bytes_;
    notes.append(name_).append(" ").append(rejected_).append(" from hwloc is implausible, ");
    if (bytes_ != 0) {
      notes.append("left out; ");
      return bytes_;
    }
    notes.append("using ").append(std::to_string(fallback_)).append(" B; ");
    return bytes_ = fallback_;
  }

  bool mixed() const { return mixed_; }

 private:
  static constexpr uint64_t kShareMin = 32 << 10;  // four Cortex-A53 on a 128 KiB L2

  const char* name_;
  uint64_t min_, max_, fallback_;
  uint64_t bytes_ = 0;
  bool mixed_ = false;
  std::string rejected_;  // what was left out: "X B", "X B/Y B for N cores"
};

}  // namespace

// hwloc's cache sizes, sanity-checked: some VMs report absurd ones (a 508 MB
// L3 per core was seen on a Zen 5 VM). A size outside what any shipping CPU
// has is replaced by a conservative figure, and the context says so.
//
// L1d and L2 are per core: one core's share of an instance (an Intel E-core
// cluster's 2 MiB L2 serves four cores, a KNL tile's 1 MiB two), and where
// the cores differ (GB10: ten 512 KiB L2s and ten of 2 MiB) the smallest
// share. One blocking serves every core, and a block sized for the big
// cores' caches overflows the little ones', while the big cores lose little
// on a smaller block. The L3 is the sum of every instance.
void set_cache_sizes(const topo::Topology& t, CpuContext& ctx) {
  std::string notes;
  LevelShare l1d{"L1d", 16 << 10, 192 << 10, 32 << 10};
  // An L2 instance may be a Cortex-A55's 64 KiB, or serve a cluster of cores
  // (up to 16 MiB on Arm and Apple parts).
  LevelShare l2{"L2", 64 << 10, 32 << 20, 1 << 20};
  uint64_t l3 = 0;
  for (const auto& c : t.caches) {
    if (c.type == "instruction" || c.count <= 0) continue;
    if (c.level == 1) l1d.take(c);
    if (c.level == 2) l2.take(c);
    if (c.level == 3) l3 += c.size_bytes * static_cast<uint64_t>(c.count);
  }
  ctx.l1d_bytes_per_core = l1d.finish(notes);
  ctx.l2_bytes_per_core = l2.finish(notes);
  const uint64_t cores = static_cast<uint64_t>(std::max(1, t.cores));
  if (l3 > cores * (64ull << 20) || l3 == 0) {
    notes.append("L3 ").append(std::to_string(l3));
    notes.append(" B from hwloc is implausible, using 4 MiB per core; ");
    l3 = cores * (4ull << 20);
  }
  ctx.l3_bytes_total = l3;
  ctx.cache_source = "hwloc";
  if (l1d.mixed() || l2.mixed()) {
    ctx.cache_source.append(" (").append(l1d.mixed() ? "L1d " : "").append(l2.mixed() ? "L2 " : "");
    ctx.cache_source.append("the smallest per-core share: sizes differ between cores)");
  }
  if (!notes.empty()) ctx.cache_source += ", corrected: " + notes.substr(0, notes.size() - 2);
}

}  // namespace flopscope::cpu
