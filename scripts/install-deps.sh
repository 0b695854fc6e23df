#!/usr/bin/env bash
# Installs what flopscope needs to build and test on Debian 12 or Ubuntu
# 24.04, using sudo when not root. Installs only what is missing.
#   scripts/install-deps.sh          build and test dependencies
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libhwloc-dev hwloc libcli11-dev nlohmann-json3-dev
  libbenchmark-dev libgtest-dev
  python3 python3-jsonschema
  # Libraries that kernels load at run time, tried side by side.
  libopenblas-dev libblis-dev libfftw3-dev libdnnl-dev
  # Rack runs over MPI (optional: without it, ranks write partial files for flopscope merge).
  libopenmpi-dev openmpi-bin
  # AMD GPUs: the HIP compiler and runtime (ROCm 5.2 on Debian 12) and ROCm SMI's
  # header, so that every HIP file compiles here; GPU tests skip without a GPU.
  hipcc libamdhip64-dev librocm-smi-dev
  # Arm: the aarch64 kernels are cross-compiled and run under qemu in the tests.
  g++-aarch64-linux-gnu qemu-user
)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: no apt-get here; install these yourself: ${packages[*]}" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 2
  fi
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
