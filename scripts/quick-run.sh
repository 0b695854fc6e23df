#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build every
# backend this machine can compile (the all preset: CPU, plus CUDA and HIP
# where nvcc and hipcc are found), and run a quick measurement of every
# detected device. Prints the table and writes
# the result file (default flopscope-result.json; pass --output to change).
#   scripts/quick-run.sh [extra flopscope run options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset all >/dev/null
cmake --build --preset all
args=("$@")
has_output=0
for a in "${args[@]+"${args[@]}"}"; do [[ "$a" == --output* ]] && has_output=1; done
[ $has_output -eq 1 ] || args+=(--output flopscope-result.json)
exec build/all/flopscope run --quick "${args[@]}"
