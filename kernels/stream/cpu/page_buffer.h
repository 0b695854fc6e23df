// Large arrays for bandwidth kernels (stream, stencil): mapped but not
// touched, so the OpenMP thread that first writes a page decides its NUMA
// node (first touch), 2 MiB aligned and advised for transparent huge pages
// so streaming through hundreds of MiB does not walk the page tables.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "devices/cpu/huge_pages.h"

namespace flopscope::stream::cpu {

template <typename T>
class PageBuffer {
 public:
  static constexpr size_t kAlignment = flopscope::cpu::kHugePageBytes;

  PageBuffer() = default;
  explicit PageBuffer(size_t elements) : elements_(elements) {
    mapped_bytes_ = elements * sizeof(T) + kAlignment;
    void* p =
        mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      throw std::runtime_error("cannot map " + std::to_string(mapped_bytes_ >> 20) +
                               " MiB for a bandwidth kernel's array");
    mapping_ = p;
    auto addr = reinterpret_cast<uintptr_t>(p);
    data_ = reinterpret_cast<T*>((addr + kAlignment - 1) & ~(uintptr_t{kAlignment} - 1));
#ifdef MADV_HUGEPAGE
    // Advice only: without huge pages the kernel still runs, a little slower.
    madvise(data_, elements * sizeof(T), MADV_HUGEPAGE);
#endif
  }
  ~PageBuffer() {
    if (mapping_) munmap(mapping_, mapped_bytes_);
  }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;
  PageBuffer(PageBuffer&& o) noexcept {
    swap(o);
  }
  PageBuffer& operator=(PageBuffer&& o) noexcept {
    swap(o);
    return *this;
  }

  T* data() {
    return data_;
  }
  const T* data() const {
    return data_;
  }
  size_t size() const {
    return elements_;
  }
  T& operator[](size_t i) {
    return data_[i];
  }
  const T& operator[](size_t i) const {
    return data_[i];
  }

 private:
  void swap(PageBuffer& o) noexcept {
    std::swap(mapping_, o.mapping_);
    std::swap(mapped_bytes_, o.mapped_bytes_);
    std::swap(data_, o.data_);
    std::swap(elements_, o.elements_);
  }

  void* mapping_ = nullptr;
  size_t mapped_bytes_ = 0;
  T* data_ = nullptr;
  size_t elements_ = 0;
};

}  // namespace flopscope::stream::cpu
