#!/usr/bin/env bash
# Builds everything this machine can compile (the ci preset: CPU, plus CUDA
# and HIP where their compilers are found) and runs the test suite.
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci
ctest --preset ci
