#!/usr/bin/env bash
# Rack runs: one flopscope rank per GPU (or per node), started by Slurm or
# mpirun. Each rank measures its share of its node (local rank -> GPU, cores
# split by the topology) and writes OUTPUT.rank<N>.json first; rank 0 then
# gathers every rank's result into OUTPUT (per-node sections, the rack total
# per class, outliers). If the job dies before that, join what was written:
#   flopscope merge rack.rank*.json --output rack.json    (exit 3 names missing ranks)
#
# usage: scripts/run-rack.sh slurm|mpirun [flopscope run options...]
#   scripts/run-rack.sh slurm --duration 10m --reference results/references/my-node.json
#   HOSTS=node1,node2 RANKS_PER_NODE=8 scripts/run-rack.sh mpirun --duration 10m
set -euo pipefail

launcher=${1:-}
shift || true
flopscope=${FLOPSCOPE:-$(dirname "$0")/../build/all/flopscope}  # cmake --preset all
output=${OUTPUT:-rack-$(date +%Y%m%dT%H%M%S).json}
# One rank per GPU flopscope finds on this node (NVIDIA and AMD alike), or one
# for a CPU-only node; RANKS_PER_NODE overrides.
count_gpus() {
  "${flopscope}" devices --json 2>/dev/null | python3 -c \
    'import json, sys; print(sum(d["kind"] in ("cuda", "hip") for d in json.load(sys.stdin)["devices"]))' \
    2>/dev/null || echo 1
}
ranks_per_node=${RANKS_PER_NODE:-$(count_gpus)}
[ "${ranks_per_node}" -ge 1 ] 2>/dev/null || ranks_per_node=1

case "${launcher}" in
  slurm)
    # Inside an allocation (salloc/sbatch): one task per GPU on every node.
    # flopscope pins its own threads, so Slurm binds nothing.
    exec srun --ntasks-per-node="${ranks_per_node}" --cpu-bind=none --kill-on-bad-exit=0 \
      "${flopscope}" run --output "${output}" "$@"
    ;;
  mpirun)
    # Open MPI: HOSTS=a,b,... (default: this host). As root, Open MPI also
    # needs --allow-run-as-root.
    hosts=${HOSTS:-localhost}
    nodes=$(tr ',' '\n' <<<"${hosts}" | grep -c .)
    root_flag=()
    [ "$(id -u)" -eq 0 ] && root_flag=(--allow-run-as-root)
    exec mpirun "${root_flag[@]}" --bind-to none --map-by "ppr:${ranks_per_node}:node" \
      --host "$(sed "s/\(,\|$\)/:${ranks_per_node}\1/g" <<<"${hosts}")" \
      -np "$((nodes * ranks_per_node))" "${flopscope}" run --output "${output}" "$@"
    ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
