#!/usr/bin/env bash
# Builds everything this machine can compile (the ci preset: CPU, plus CUDA
# and HIP where their compilers are found) and runs the test suite.
#   scripts/test.sh              what CI runs
#   scripts/test.sh --sanitize   the CPU build under AddressSanitizer and
#                                UndefinedBehaviorSanitizer (build/sanitize),
#                                every test; slower, so not part of CI
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
if [ "$preset" = sanitize ]; then
  # Leak checks off: every leak they report comes from Open MPI or hwloc's
  # PCI libraries, and fails the test it ends. The worker processes that the
  # GEMM tests start are this build too, and inherit these options.
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
fi
ctest --preset "$preset"
