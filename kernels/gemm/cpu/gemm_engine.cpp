#include "kernels/gemm/cpu/gemm_engine.h"

#include <new>

namespace flopscope::gemm::cpu {

Buffer allocate_buffer(size_t bytes) {
  const size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (!p) throw std::bad_alloc();
  return Buffer(p);
}

}  // namespace flopscope::gemm::cpu
