// Keeps the thread that feeds a GPU on the cores of the GPU's NUMA node for
// the life of one kernel run, and restores its previous placement after, so
// the CPU backend's own placement is never disturbed.
#pragma once

#include <sched.h>

#include <vector>

namespace flopscope::gpu {

class ScopedHostPinning {
 public:
  // An empty list leaves the thread where it is.
  explicit ScopedHostPinning(const std::vector<int>& pus);
  ScopedHostPinning(const ScopedHostPinning&) = delete;
  ScopedHostPinning& operator=(const ScopedHostPinning&) = delete;
  ~ScopedHostPinning();
  bool pinned() const { return pinned_; }

 private:
  cpu_set_t previous_{};
  bool pinned_ = false;
};

}  // namespace flopscope::gpu
