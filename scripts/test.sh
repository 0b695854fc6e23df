#!/usr/bin/env bash
# Builds everything this machine can compile (the ci preset: CPU, plus CUDA
# and HIP where their compilers are found) and runs the test suite.
#   scripts/test.sh              what CI runs
#   scripts/test.sh --sanitize   the same backends with the host code under
#                                AddressSanitizer and UndefinedBehaviorSanitizer
#                                (build/sanitize), every test; slower, so not
#                                part of CI
set -euo pipefail
cd "$(dirname "$0")/.."
preset=ci
case "${1:-}" in
  "") ;;
  --sanitize) preset=sanitize ;;
  *)
    echo "usage: scripts/test.sh [--sanitize]" >&2
    exit 2
    ;;
esac
scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
# The sanitize configure preset sets ASAN_OPTIONS (leak checks off: every
# leak they reported came from Open MPI or hwloc's PCI libraries); its build
# (whose test discovery runs the binaries) and test presets inherit it.
if [ "$preset" = sanitize ] && [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)" -gt 28 ]; then
  # ASan before GCC 13.2.1 loops on "AddressSanitizer:DEADLYSIGNAL" with the
  # 32 random mmap bits of newer kernels: run the tests without address
  # randomisation instead.
  exec setarch "$(uname -m)" -R ctest --preset "$preset"
fi
ctest --preset "$preset"
