#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build every
# backend this machine can compile (the all preset: CPU, plus CUDA and HIP
# where nvcc and hipcc are found), and run a quick measurement of every
# detected device. Prints the table and writes the result file (default
# flopscope-result.json; pass --output to change) and its HTML report beside
# it (flopscope-result.html).
#   scripts/quick-run.sh [extra flopscope run options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset all >/dev/null
cmake --build --preset all
args=("$@")
output=""
for ((i = 0; i < ${#args[@]}; ++i)); do
  case "${args[i]}" in
    --output=*) output="${args[i]#--output=}" ;;
    --output) output="${args[i + 1]:-}" ;;
  esac
done
if [ -z "$output" ]; then
  output=flopscope-result.json
  args+=(--output "$output")
fi
rc=0
started=$(date +%s)
build/all/flopscope run --quick "${args[@]+"${args[@]}"}" || rc=$?
# The report of what this run wrote (an interrupted run writes its part),
# never of an older file left by an earlier run.
if [ -f "$output" ] && [ "$(stat -c %Y "$output")" -ge "$started" ]; then
  build/all/flopscope report "$output" || true
fi
exit $rc
