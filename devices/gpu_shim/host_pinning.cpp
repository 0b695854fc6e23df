#include "devices/gpu_shim/host_pinning.h"

#include "devices/topology/pinning.h"

namespace flopscope::gpu {

ScopedHostPinning::ScopedHostPinning(const std::vector<int>& pus) {
  if (pus.empty()) return;
  if (sched_getaffinity(0, sizeof previous_, &previous_) != 0) return;
  pinned_ = topo::pin_current_thread_to_pus(pus);
}

ScopedHostPinning::~ScopedHostPinning() {
  if (pinned_) (void)sched_setaffinity(0, sizeof previous_, &previous_);
}

}  // namespace flopscope::gpu
