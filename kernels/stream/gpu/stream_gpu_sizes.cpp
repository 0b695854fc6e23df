#include <algorithm>

#include "kernels/stream/gpu/stream_gpu.h"

namespace flopscope::stream::gpu {

int64_t default_stream_elements(uint64_t memory_bytes, uint64_t l2_bytes, int element_bytes,
                                bool quick) {
  int64_t n = quick ? (int64_t{1} << 27) : (int64_t{1} << 28);
  const uint64_t eb = static_cast<uint64_t>(element_bytes);
  while (n > 1024 && 3 * eb * static_cast<uint64_t>(n) > memory_bytes / 4) n /= 2;
  while (eb * static_cast<uint64_t>(n) < 8 * l2_bytes) n *= 2;
  return n;
}

std::vector<ProblemSize> stream_sizes(int64_t elements) {
  // Multiples of 1024 keep the vector loads whole.
  const int64_t n = std::max<int64_t>(1024, (elements + 1023) / 1024 * 1024);
  ProblemSize copy{{{"elements", n}}}, triad{{{"elements", n}}};
  copy.variant = "copy";
  triad.variant = "triad";
  return {copy, triad};
}

std::vector<ProblemSize> default_stream_sizes(const flopscope::gpu::GpuKernelContext& c,
                                              Precision p, bool quick) {
  const int eb = p == Precision::fp32 ? 4 : 8;
  return stream_sizes(default_stream_elements(c.memory_bytes, c.l2_bytes, eb, quick));
}

}  // namespace flopscope::stream::gpu
