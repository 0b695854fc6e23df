/* The bare programs' matrices, on the same memory as flopscope's GEMM
 * engines (devices/cpu/huge_pages.h): 2 MiB aligned and advised for
 * transparent huge pages from 2 MiB up, 64-byte aligned below. Without it a
 * side-by-side ratio would measure page sizes, not flopscope: on 4 KiB pages
 * a blocked GEMM at n=4096 walks the page tables. Exits when out of memory. */
#ifndef BARE_HUGE_ALLOC_H
#define BARE_HUGE_ALLOC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

/* madvise and MADV_HUGEPAGE need _GNU_SOURCE (the benchmark script passes it). */
#if defined(__linux__) && !defined(MADV_HUGEPAGE)
#warning "no MADV_HUGEPAGE: build with -D_GNU_SOURCE, or the bare matrices get 4 KiB pages"
#endif

static void* bare_huge_alloc(size_t bytes) {
  const size_t huge = (size_t)2 << 20;
  const size_t align = bytes >= huge ? huge : 64;
  const size_t rounded = bytes > SIZE_MAX - align ? 0 : (bytes + align - 1) / align * align;
  void* p = bytes > SIZE_MAX - align ? NULL : aligned_alloc(align, rounded ? rounded : align);
  if (!p) {
    fprintf(stderr, "out of memory for %zu bytes\n", bytes);
    exit(3);
  }
#ifdef MADV_HUGEPAGE
  if (align == huge) madvise(p, rounded, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
  return p;
}

#endif
