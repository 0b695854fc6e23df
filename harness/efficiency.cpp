#include "harness/efficiency.h"

#include <algorithm>

#include <cstdio>

namespace flopscope {

PeakUnit judged_unit(const Measurement& m) {
  if (m.peak_unit != PeakUnit::best) return m.peak_unit;
  return m.kernel == KernelKind::peak ? PeakUnit::vector : PeakUnit::best;
}

namespace {

const UnitPeak* pick_unit(const PrecisionPeak& pk, PeakUnit which) {
  const UnitPeak* v = pk.vector ? &*pk.vector : nullptr;
  const UnitPeak* m = pk.matrix ? &*pk.matrix : nullptr;
  if (which == PeakUnit::vector) return v;
  if (which == PeakUnit::matrix) return m;
  if (v && m) return m->ops_per_ghz() > v->ops_per_ghz() ? m : v;
  return v ? v : m;
}

std::optional<double> rate_of(const PeakTable& t, Precision p, PeakUnit which) {
  auto it = t.find(p);
  if (it == t.end()) return std::nullopt;
  const UnitPeak* u = pick_unit(it->second, which);
  return u ? u->ops_per_second() : std::nullopt;
}

// Which units `which` means on this device for this precision: "best"
// resolves to the faster of the two the table has. Empty when unknown.
std::string resolved_unit(const Device& d, Precision p, PeakUnit which) {
  if (which == PeakUnit::vector) return "vector";
  if (which == PeakUnit::matrix) return "matrix";
  for (const PeakTable* t : {&d.peaks, &d.spec_peaks}) {
    auto it = t->find(p);
    if (it == t->end()) continue;
    const UnitPeak* u = pick_unit(it->second, which);
    if (!u) continue;
    return it->second.matrix && u == &*it->second.matrix ? "matrix" : "vector";
  }
  return {};
}

}  // namespace

void apply_efficiency(std::vector<Measurement>& ms, const std::vector<Device>& devices) {
  for (auto& m : ms) {
    if (m.median_flops <= 0) continue;
    const Device* d = nullptr;
    for (const auto& dev : devices)
      if (dev.id == m.device) d = &dev;
    if (!d) continue;
    const PeakUnit which = judged_unit(m);
    m.efficiency = {};
    m.efficiency.unit = resolved_unit(*d, m.precision, which);

    // Spec: the table at the spec clock, where the device has one; otherwise
    // the device's peak when its clock is itself a spec clock.
    if (!d->spec_peaks.empty()) {
      if (auto r = rate_of(d->spec_peaks, m.precision, which))
        m.efficiency.spec = m.median_flops / *r;
    } else if (auto it = d->peaks.find(m.precision); it != d->peaks.end()) {
      const UnitPeak* u = pick_unit(it->second, which);
      if (u &&
          (u->clock_source == ClockSource::spec_base || u->clock_source == ClockSource::spec_boost))
        if (auto r = u->ops_per_second()) m.efficiency.spec = m.median_flops / *r;
    }

    // Clock: the same units and per-cycle figure at the clock measured
    // around this very figure.
    if (auto it = d->peaks.find(m.precision); it != d->peaks.end()) {
      const UnitPeak* u = pick_unit(it->second, which);
      if (u && u->units > 0 && u->ops_per_cycle_per_unit > 0) {
        if (m.clock_hz && *m.clock_hz > 0)
          m.efficiency.clock =
              m.median_flops / (u->units * u->ops_per_cycle_per_unit * *m.clock_hz);
        else if (auto r = u->ops_per_second())
          m.efficiency.clock = m.median_flops / *r;
      }
    }

    // Measured peak: the best verified peak-kernel figure of this device
    // and precision in the same run, on the same units (a tensor-core DGEMM
    // against an FP64 FMA chain on the CUDA cores would read 170%). Its
    // best repetition, not its median: the chains are what the units can
    // do, and another process only ever takes from them (a --quick FP64
    // chain on the shared development VM had a median of 80% of its clock's
    // peak, cv 14%, which made a DGEMM read 92% of it).
    double measured = 0;
    for (const auto& o : ms)
      if (o.device == m.device && o.precision == m.precision && o.kernel == KernelKind::peak &&
          o.valid() && resolved_unit(*d, o.precision, judged_unit(o)) == m.efficiency.unit)
        measured = std::max({measured, o.median_flops, o.best_flops});
    if (measured > 0) m.efficiency.measured_peak = m.median_flops / measured;

    if (m.efficiency.spec && *m.efficiency.spec > kSuspectEfficiency)
      m.flags.push_back(above_peak_flag("spec", *m.efficiency.spec));
    if (m.efficiency.clock && *m.efficiency.clock > kSuspectEfficiency)
      m.flags.push_back(above_peak_flag("measured-clock", *m.efficiency.clock));
  }
}

std::string above_peak_flag(const char* peak, double efficiency) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%.1f%% of the %s peak: above 101%%, the peak table or the clock is wrong",
                100 * efficiency, peak);
  return buf;
}

bool is_above_peak_flag(const std::string& flag, const char* peak) {
  return flag.find(std::string("% of the ") + peak + " peak: above 101%") != std::string::npos;
}

}  // namespace flopscope
