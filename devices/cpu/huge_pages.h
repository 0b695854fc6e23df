// Heap memory for the CPU GEMMs' matrices and packed panels: on 2 MiB
// boundaries and advised for transparent huge pages.
//
// Why: with 4 KiB pages a blocked GEMM walks the page tables. Each pass of
// the micro-kernels over a block of C touches two pages per column of the
// block, thousands of them, more than the second-level TLB holds (3072
// entries on Zen 4, 4096 on Zen 5). Measured on 2 Zen 5 cores, own DGEMM
// n=4096: 110 GFLOP/s on 4 KiB pages, 172-180 on huge pages; and one core
// at n=2048 fell from 77% to 61% of peak when the B block grew from 1024 to
// 2048 columns on 4 KiB pages, and did not with huge pages. The libraries
// behind the probe (OpenBLAS, BLIS, oneDNN) get their A, B and C from here
// too, so they are measured on the same pages; their own internal buffers
// (OpenBLAS's and BLIS's packed panels, oneDNN's pre-packed weights) are
// theirs, in flopscope and in the bare programs alike.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace flopscope::cpu {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// At least `bytes` (one byte when 0), 64-byte aligned; from 2 MiB up, 2 MiB
// aligned, rounded up to whole huge pages and advised MADV_HUGEPAGE (advice
// only: where the kernel has no huge pages, the memory is still good).
// Release it with std::free. Throws std::bad_alloc. The result file records
// the kernel's mode (host.transparent_huge_pages): "never" ignores the advice.
void* allocate_huge_page_advised(size_t bytes);

// Owns memory from allocate_huge_page_advised (any pointer type).
struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using HugePageBuffer = std::unique_ptr<void, FreeDeleter>;

}  // namespace flopscope::cpu
