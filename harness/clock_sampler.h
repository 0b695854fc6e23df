// Samples a device's clock from a background thread while a kernel runs,
// for backends whose clock reading is passive (Backend::clock_is_passive):
// the clock "measured around the figure" must be the clock under load, and
// a GPU read just before or after a run reports its idle clock.
#pragma once

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "harness/backend.h"

namespace flopscope {

class ClockSampler {
 public:
  ClockSampler(Backend& backend, const Device& device);
  ClockSampler(const ClockSampler&) = delete;
  ClockSampler& operator=(const ClockSampler&) = delete;
  ~ClockSampler();

  // Stops sampling; the median of the samples (nullopt when none was read).
  std::optional<double> stop();

 private:
  Backend& backend_;
  const Device& device_;
  std::atomic<bool> stop_{false};
  std::vector<double> samples_;
  std::thread thread_;
};

}  // namespace flopscope
