#!/usr/bin/env bash
# The NVIDIA check, on a machine with a GPU: GPU tests, `flopscope devices`,
# a quick run of every CUDA kernel and precision (OUTDIR/result.json), and
# the bare cuBLAS/cuBLASLt programs on the same sizes and data with the
# flopscope/bare ratios, and the stencil without its look-ahead for
# comparison. Every log goes to OUTDIR. Under 6 minutes on one H200.
#
#   scripts/gpu-check.sh OUTDIR                 from a pack (scripts/pack-gpu-check.sh)
#   scripts/gpu-check.sh --build DIR OUTDIR     from a build folder
#
# It relies on the machine's own CUDA libraries (libcudart, libcublas,
# libcublasLt, libcufft, the driver); a pack brings every other library.
# Exit: 0 all passed, 1 some step failed (see OUTDIR/summary.txt), 2 usage.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin=""
if [[ "${1:-}" == "--build" ]]; then
  bin="$(cd "${2:?--build needs a folder}" && pwd)"
  shift 2
elif [[ -x "$here/../bin/flopscope" ]]; then
  bin="$(cd "$here/../bin" && pwd)"
fi
out="${1:-}"
if [[ -z "$out" || -z "$bin" || ! -x "$bin/flopscope" ]]; then
  echo "usage: gpu-check.sh [--build BUILD_DIR] OUTDIR (no flopscope binary found)" >&2
  exit 2
fi
mkdir -p "$out" && out="$(cd "$out" && pwd)"
summary="$out/summary.txt"
: >"$summary"
failed=0

# Libraries: the pack's own first, then the machine's CUDA. libstdc++ from
# the pack (lib/compat) only when the machine's is too old for the binaries.
pack_lib="$(cd "$bin/.." && pwd)/lib"
cuda_libs=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/*/lib /usr/lib64 /usr/lib/x86_64-linux-gnu; do
  [[ -d "$d" ]] && cuda_libs="$cuda_libs:$d"
done
export LD_LIBRARY_PATH="${pack_lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}${cuda_libs}"
if [[ -d "$pack_lib/compat" ]] && ! "$bin/flopscope" --version >/dev/null 2>&1; then
  export LD_LIBRARY_PATH="$pack_lib/compat:$LD_LIBRARY_PATH"
fi
export FLOPSCOPE_PLUGIN_DIR="$bin"
# Test binaries: next to flopscope in a pack, in tests/ of a build folder.
tests="$bin"
[[ -x "$bin/tests/test_cuda_gpu" ]] && tests="$bin/tests"

step() {  # step NAME TIMEOUT_S COMMAND...: runs, logs to OUTDIR/NAME.log, records the outcome
  local name="$1" limit="$2"
  shift 2
  local t0=$SECONDS
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  local status="ok"
  [[ $rc -ne 0 ]] && status="FAILED (exit $rc)" && failed=1
  printf '%-14s %-18s %4ds  %s\n' "$name" "$status" $((SECONDS - t0)) "$out/$name.log" | tee -a "$summary"
  return $rc
}

{
  echo "gpu-check $(date -u +%FT%TZ) on $(hostname)"
  echo "binaries: $bin"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,pci.bus_id,driver_version,clocks.max.sm,power.limit --format=csv
} >"$out/environment.log" 2>&1

step versions 30 "$bin/flopscope" --version
step test_cuda_host 60 "$tests/test_cuda_host" --gtest_output="xml:$out/test_cuda_host.xml"
step test_cuda_gpu 120 "$tests/test_cuda_gpu" --gtest_output="xml:$out/test_cuda_gpu.xml"
step devices 60 "$bin/flopscope" devices
"$bin/flopscope" devices --json >"$out/devices.json" 2>>"$out/devices.log"
step run 240 "$bin/flopscope" run --devices cuda:0 --kernels gemm,stream,peak,fft,stencil \
  --precisions fp64,fp32,tf32,fp16,bf16,fp8,int8 --quick --quiet \
  --output "$out/result.json" --csv "$out/result.csv"
if [[ -s "$out/result.json" ]]; then
  step bare_compare 150 "$bin/bench_bare_cublas" --compare "$out/result.json"
fi
# The stencil march without look-ahead (as measured before it existed), with
# its own copy for the roofline: the run above has the default, planes loaded
# ahead, so the two rooflines side by side say what the look-ahead gives.
step stencil_march 90 "$bin/flopscope" run --devices cuda:0 --kernels stencil \
  --precisions fp64,fp32 --implementation z-march --quick --quiet --output "$out/stencil-z-march.json"

echo >>"$summary"
[[ -s "$out/run.log" ]] && cat "$out/run.log" >>"$summary"
[[ -s "$out/bare_compare.log" ]] && cat "$out/bare_compare.log" >>"$summary"
[[ -s "$out/stencil_march.log" ]] && grep -A1 "stencil" "$out/stencil_march.log" >>"$summary"
echo
cat "$summary"
exit $failed
