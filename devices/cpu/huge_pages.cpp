#include "devices/cpu/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace flopscope::cpu {

void* allocate_huge_page_advised(size_t bytes) {
  constexpr size_t kLine = 64;
  const size_t align = bytes >= kHugePageBytes ? kHugePageBytes : kLine;
  if (bytes > SIZE_MAX - align) throw std::bad_alloc();
  const size_t rounded = bytes == 0 ? align : (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, rounded);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (align == kHugePageBytes) madvise(p, rounded, MADV_HUGEPAGE);  // failure is harmless
#endif
  return p;
}

}  // namespace flopscope::cpu
