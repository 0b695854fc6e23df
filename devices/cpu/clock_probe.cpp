#include "devices/cpu/clock_probe.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <numeric>

#include "devices/cpu/thread_pinning.h"

namespace flopscope::cpu {

namespace {

constexpr int64_t kAddsPerLoop = 200;

// `loops` x 200 dependent adds. Register-register adds, because some cores
// (Golden Cove) fold chains of immediate adds in the renamer.
int64_t dependent_adds(int64_t loops) {
  int64_t x = 0, one = 1;
#if defined(__x86_64__)
  asm volatile(
      "1:\n\t"
      ".rept 200\n\t"
      "add %[one], %[x]\n\t"
      ".endr\n\t"
      "dec %[n]\n\t"
      "jnz 1b"
      : [x] "+r"(x), [n] "+r"(loops)
      : [one] "r"(one)
      : "cc");
#elif defined(__aarch64__)
  asm volatile(
      "1:\n\t"
      ".rept 200\n\t"
      "add %x[x], %x[x], %x[one]\n\t"
      ".endr\n\t"
      "subs %x[n], %x[n], #1\n\t"
      "b.ne 1b"
      : [x] "+r"(x), [n] "+r"(loops)
      : [one] "r"(one)
      : "cc");
#else
  // No assembly for this ISA: a volatile chain is slower than one add per
  // cycle, so the clock reads low rather than high.
  volatile int64_t v = 0;
  for (int64_t i = 0; i < loops * kAddsPerLoop; ++i) v = v + one;
  x = v;
#endif
  return x;
}

}  // namespace

double dependent_add_rate_hz(double seconds) {
  using clock = std::chrono::steady_clock;
  // Calibrate a loop count that takes about `seconds`, then keep the best of
  // three: interruptions only ever make a reading lower.
  int64_t loops = 10000;
  for (;;) {
    auto t0 = clock::now();
    dependent_adds(loops);
    double dt = std::chrono::duration<double>(clock::now() - t0).count();
    if (dt > seconds / 4 || loops > (int64_t{1} << 40)) break;
    loops *= 4;
  }
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = clock::now();
    dependent_adds(loops);
    double dt = std::chrono::duration<double>(clock::now() - t0).count();
    best = std::max(best, static_cast<double>(loops * kAddsPerLoop) / dt);
  }
  return best;
}

ClockReading measure_clock(const std::vector<int>& pus, double seconds) {
  ClockReading r;
  const int n = pus.empty() ? 1 : static_cast<int>(pus.size());
  r.per_thread_hz.assign(n, 0.0);
#pragma omp parallel num_threads(n)
  {
    const int t = omp_get_thread_num();
    if (!pus.empty()) pin_omp_thread(pus, t);
    r.per_thread_hz[t] = dependent_add_rate_hz(seconds);
  }
  r.mean_hz = std::accumulate(r.per_thread_hz.begin(), r.per_thread_hz.end(), 0.0) / n;
  r.min_hz = *std::min_element(r.per_thread_hz.begin(), r.per_thread_hz.end());
  r.max_hz = *std::max_element(r.per_thread_hz.begin(), r.per_thread_hz.end());
  return r;
}

}  // namespace flopscope::cpu
