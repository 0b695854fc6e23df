#include "harness/roofline.h"

#include <cstdio>
#include <string>

namespace flopscope {

namespace {
// Stream's copy variant: one read and one write per element, nothing else,
// the bandwidth a sweep that reads and writes its grid once can reach.
constexpr const char* kCopyVariant = "copy";

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g MiB", bytes / (1 << 20));
  return buf;
}

// "grids of 32 MiB are within 2x the 32 MiB L3"
std::string within_cache(const MemoryFootprint& f, const char* what) {
  char factor[16];
  std::snprintf(factor, sizeof factor, "%gx", kMemoryResidentFactor);
  return std::string(what) + " of " + mib(f.working_set_bytes) + " are within " + factor + " the " +
         mib(f.cache_bytes) + " " + (f.cache.empty() ? "cache" : f.cache);
}
}  // namespace

bool judged_by_roofline(KernelKind k) {
  return k == KernelKind::stencil;
}

bool from_memory(const Measurement& m) {
  if (!m.footprint) return true;
  const MemoryFootprint& f = *m.footprint;
  return f.cache_bytes <= 0 || f.working_set_bytes >= kMemoryResidentFactor * f.cache_bytes;
}

void apply_roofline(std::vector<Measurement>& ms) {
  for (auto& m : ms) {
    m.roofline.reset();
    m.roofline_note.clear();
    if (!judged_by_roofline(m.kernel) || !m.valid() || m.median_flops <= 0 ||
        m.bytes_per_iteration <= 0)
      continue;
    if (!from_memory(m)) {
      m.roofline_note = "no memory roofline: its " + within_cache(*m.footprint, "grids");
      continue;
    }
    const Measurement* copy = nullptr;
    const Measurement* cached_copy = nullptr;
    for (const auto& o : ms) {
      if (o.device != m.device || o.kernel != KernelKind::stream ||
          o.size.variant != kCopyVariant || !o.valid() || o.median_bytes_per_second <= 0)
        continue;
      if (!from_memory(o)) {
        cached_copy = &o;
        continue;
      }
      if (!copy || o.median_bytes_per_second > copy->median_bytes_per_second) copy = &o;
    }
    // The FLOP/s a bandwidth allows at this kernel's FLOP per compulsory byte.
    auto bound_at = [&m](double bytes_per_second) {
      return bytes_per_second * m.flop_per_iteration / m.bytes_per_iteration;
    };
    Roofline r;
    if (m.interleaved_copy && m.interleaved_copy->median_bytes_per_second > 0) {
      // Its own copies, in step with its repetitions: the bound of the same
      // seconds. The run's stream copy stays beside it for comparison.
      r.bandwidth_source = "its own copy before each repetition, median of " +
                           std::to_string(m.interleaved_copy->samples);
      r.bandwidth_bytes_per_second = m.interleaved_copy->median_bytes_per_second;
      if (copy) {
        r.stream_copy_bytes_per_second = copy->median_bytes_per_second;
        r.stream_copy_fraction = m.median_flops / bound_at(copy->median_bytes_per_second);
      }
    } else if (copy) {
      r.bandwidth_source = "stream " + std::string(to_string(copy->precision)) + " " +
                           copy->size.label() + " (median)";
      r.bandwidth_bytes_per_second = copy->median_bytes_per_second;
    } else {
      if (cached_copy)
        m.roofline_note = "no memory roofline: the run's stream copy (" +
                          cached_copy->size.label() + ") ran from cache, its " +
                          within_cache(*cached_copy->footprint, "arrays");
      else
        m.roofline_note = "no memory roofline: the run measured no stream copy on " + m.device;
      continue;
    }
    r.bound_flops = bound_at(r.bandwidth_bytes_per_second);
    r.fraction = m.median_flops / r.bound_flops;
    m.roofline = r;
  }
}

}  // namespace flopscope
