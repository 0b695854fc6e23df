#!/usr/bin/env bash
# Fails when an own-GEMM micro-kernel moves vector registers through the
# stack. Its accumulators must stay in registers for the whole k loop
# (own_microkernel_avx512.cpp says how the tiles were sized for that), but
# the compiler decides: a nested k loop once made GCC 12 keep accumulators
# on the stack, 94 stack accesses in the 16x14 kernel and a few percent of
# DGEMM, with every result still right. Counted: ymm and zmm (the AVX2 and
# AVX-512 vectors) to or from the stack; allowed: a broadcast of alpha or
# beta from it, and scalar xmm moves (once per call, outside the loop).
#   check-micro-kernel-spills.sh OBJDUMP LIBRARY
# Exits 77 (ctest: skipped) without objdump or micro-kernels in LIBRARY.
set -euo pipefail
objdump=$1
library=$2
command -v "$objdump" >/dev/null || { echo "skipped: no objdump"; exit 77; }
report=$("$objdump" -d --no-show-raw-insn -C "$library" | awk '
  />:$/ { kernel = ($0 ~ /micro_kernel_body</); name = $0; if (kernel) ++kernels; next }
  kernel && /[yz]mm/ && /\(%rsp\)|\(%rbp\)/ && !/vbroadcast/ { ++spills[name] }
  END {
    for (n in spills) printf "%d vector stack accesses in %s\n", spills[n], n
    printf "kernels %d\n", kernels
  }')
kernels=$(sed -n 's/^kernels //p' <<<"$report")
[ "$kernels" -gt 0 ] || { echo "skipped: no micro_kernel_body in $library"; exit 77; }
if grep -q 'vector stack accesses' <<<"$report"; then
  grep 'vector stack accesses' <<<"$report"
  exit 1
fi
echo "$kernels micro-kernels, no vector register through the stack"
