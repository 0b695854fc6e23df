#!/usr/bin/env bash
# Cross-compiles tests/arm/neon_peak_check.cpp with the aarch64 kernels it
# tests and runs it under qemu. Exits 77 (ctest: skipped) when
# aarch64-linux-gnu-g++ or qemu-aarch64 is missing (scripts/install-deps.sh
# installs both).
#   run-under-qemu.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 out=$2/arm
for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not found"; exit 77; }
done
mkdir -p "$out"
aarch64-linux-gnu-g++ -std=c++20 -O2 -Wall -Wextra -Werror -static -I"$src" \
  "$src/tests/arm/neon_peak_check.cpp" "$src/kernels/peak/cpu/peak_chains_neon.cpp" \
  "$src/kernels/peak/cpu/peak_narrow_chains_neon.cpp" \
  -o "$out/neon_peak_check"
qemu-aarch64 "$out/neon_peak_check"
