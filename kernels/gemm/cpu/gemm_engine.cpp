#include "kernels/gemm/cpu/gemm_engine.h"

#include "devices/cpu/huge_pages.h"

namespace flopscope::gemm::cpu {

Buffer allocate_buffer(size_t bytes) {
  return Buffer(flopscope::cpu::allocate_huge_page_advised(bytes));
}

}  // namespace flopscope::gemm::cpu
