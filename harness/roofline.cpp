#include "harness/roofline.h"

namespace flopscope {

namespace {
// Stream's copy variant: one read and one write per element, nothing else,
// the bandwidth a sweep that reads and writes its grid once can reach.
constexpr const char* kCopyVariant = "copy";
}  // namespace

bool judged_by_roofline(KernelKind k) {
  return k == KernelKind::stencil;
}

void apply_roofline(std::vector<Measurement>& ms) {
  for (auto& m : ms) {
    m.roofline.reset();
    if (!judged_by_roofline(m.kernel) || !m.valid() || m.median_flops <= 0 ||
        m.bytes_per_iteration <= 0)
      continue;
    const Measurement* copy = nullptr;
    for (const auto& o : ms)
      if (o.device == m.device && o.kernel == KernelKind::stream &&
          o.size.variant == kCopyVariant && o.valid() && o.median_bytes_per_second > 0 &&
          (!copy || o.median_bytes_per_second > copy->median_bytes_per_second))
        copy = &o;
    if (!copy) continue;
    Roofline r;
    r.bandwidth_source = "stream " + std::string(to_string(copy->precision)) + " " +
                         copy->size.label() + " (median)";
    r.bandwidth_bytes_per_second = copy->median_bytes_per_second;
    r.bound_flops = r.bandwidth_bytes_per_second * m.flop_per_iteration / m.bytes_per_iteration;
    r.fraction = m.median_flops / r.bound_flops;
    m.roofline = r;
  }
}

}  // namespace flopscope
