#include "harness/clock_sampler.h"

#include <algorithm>
#include <chrono>

namespace flopscope {

namespace {
// Often enough for a run of a fraction of a second, rare enough to cost
// nothing (an NVML or ROCm SMI read takes microseconds).
constexpr auto kInterval = std::chrono::milliseconds(20);
}  // namespace

ClockSampler::ClockSampler(Backend& backend, const Device& device)
    : backend_(backend), device_(device) {
  thread_ = std::thread([this] {
    while (!stop_.load(std::memory_order_relaxed)) {
      if (auto hz = backend_.measure_clock_hz(device_); hz && *hz > 0) samples_.push_back(*hz);
      std::this_thread::sleep_for(kInterval);
    }
  });
}

ClockSampler::~ClockSampler() {
  stop();
}

std::optional<double> ClockSampler::stop() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
  if (samples_.empty()) return std::nullopt;
  // The median: warm-up and the moments between repetitions are the tails.
  std::vector<double> s = samples_;
  std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
  return s[s.size() / 2];
}

}  // namespace flopscope
