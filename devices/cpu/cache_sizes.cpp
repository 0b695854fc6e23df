#include "devices/cpu/cache_sizes.h"

#include <algorithm>
#include <string>

namespace flopscope::cpu {

// hwloc's cache sizes, sanity-checked: some VMs report absurd ones (a 508 MB
// L3 per core was seen on a Zen 5 VM). A size outside what any shipping CPU
// has is replaced by a conservative figure, and the context says so.
//
// Hybrid parts have one entry per size at a level (GB10: ten 512 KiB L2s and
// ten of 2 MiB; Intel: an E-core cluster's L2 serves four cores). The L1d and
// L2 figures are the smallest per-core share among them: one blocking serves
// every core, and a block sized for the big cores' caches overflows the
// little ones', while the big cores lose little on a smaller block. The L3 is
// the sum of every instance.
void set_cache_sizes(const topo::Topology& t, CpuContext& ctx) {
  std::string notes;
  ctx.l1d_bytes_per_core = ctx.l2_bytes_per_core = ctx.l3_bytes_total = 0;
  bool mixed[2] = {false, false};  // L1d, L2: per-core shares differ between cores
  auto smallest = [&](uint64_t& v, bool& differ, const topo::CacheInfo& c) {
    const uint64_t share = c.bytes_per_core();
    differ = differ || (v != 0 && share != v);
    v = v == 0 ? share : std::min(v, share);
  };
  for (const auto& c : t.caches) {
    if (c.type == "instruction" || c.count <= 0) continue;
    if (c.level == 1) smallest(ctx.l1d_bytes_per_core, mixed[0], c);
    if (c.level == 2) smallest(ctx.l2_bytes_per_core, mixed[1], c);
    if (c.level == 3) ctx.l3_bytes_total += c.size_bytes * static_cast<uint64_t>(c.count);
  }

  auto clamp = [&](uint64_t& v, uint64_t lo, uint64_t hi, uint64_t fallback, const char* name) {
    if (v >= lo && v <= hi) return;
    notes += std::string(name) + " " + std::to_string(v) + " B from hwloc is implausible, using " +
             std::to_string(fallback) + " B; ";
    v = fallback;
  };
  clamp(ctx.l1d_bytes_per_core, 16 << 10, 192 << 10, 32 << 10, "L1d");
  clamp(ctx.l2_bytes_per_core, 128 << 10, 4 << 20, 1 << 20, "L2");
  const uint64_t cores = static_cast<uint64_t>(std::max(1, t.cores));
  if (ctx.l3_bytes_total > cores * (64ull << 20) || ctx.l3_bytes_total == 0) {
    notes += "L3 " + std::to_string(ctx.l3_bytes_total) +
             " B from hwloc is implausible, using 4 MiB per core; ";
    ctx.l3_bytes_total = cores * (4ull << 20);
  }
  ctx.cache_source = "hwloc";
  if (mixed[0] || mixed[1])
    ctx.cache_source += std::string(" (") + (mixed[0] ? "L1d " : "") + (mixed[1] ? "L2 " : "") +
                        "the smallest per-core share: sizes differ between cores)";
  if (!notes.empty()) ctx.cache_source += ", corrected: " + notes.substr(0, notes.size() - 2);
}

}  // namespace flopscope::cpu
