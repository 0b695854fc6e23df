#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a GPU machine that has CUDA but no
# Debian packages and no network: the flopscope binary and its CUDA plugin,
# the CUDA test binaries, the bare cuBLAS program, the scripts, and every
# shared library they use that is neither glibc's nor CUDA's/NVIDIA's (the
# machine brings its own of those). At most 64 MiB.
#
#   scripts/pack-gpu-check.sh BUILD_DIR PACK_DIR
# then on the GPU machine:
#   PACK_DIR/scripts/gpu-check.sh OUTDIR
set -euo pipefail

build="${1:?usage: pack-gpu-check.sh BUILD_DIR PACK_DIR}"
pack="${2:?usage: pack-gpu-check.sh BUILD_DIR PACK_DIR}"
build="$(cd "$build" && pwd)"
src="$(cd "$(dirname "$0")/.." && pwd)"

programs=(flopscope libflopscope_cuda.so bench_bare_cublas tests/test_cuda_host tests/test_cuda_gpu)
for p in "${programs[@]}"; do
  [[ -e "$build/$p" ]] || { echo "pack-gpu-check: $build/$p is missing (build the cuda preset)" >&2; exit 2; }
done

rm -rf "$pack"
mkdir -p "$pack/bin" "$pack/lib/compat" "$pack/scripts"
for p in "${programs[@]}"; do cp "$build/$p" "$pack/bin/"; done
cp "$src/scripts/gpu-check.sh" "$pack/scripts/"
[[ -f "$src/scripts/validate-result.py" ]] && cp "$src/scripts/validate-result.py" "$pack/scripts/"
[[ -d "$src/results/schema" ]] && mkdir -p "$pack/results" && cp -r "$src/results/schema" "$pack/results/"

# Libraries every Linux has (glibc's) and the ones the GPU machine brings.
is_system() {
  case "$1" in
    linux-vdso*|ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*) return 0 ;;
    libcuda.so*|libcudart*|libcublas*|libcufft*|libcurand*|libcusparse*|libcusolver*|libnvidia-*|libnvrtc*|libnvJitLink*) return 0 ;;
  esac
  return 1
}
# The C++ runtime goes to lib/compat: used only when the machine's own is too
# old (gpu-check.sh decides), so a newer system one is never shadowed.
is_compat() {
  case "$1" in libstdc++.so*|libgcc_s.so*) return 0 ;; esac
  return 1
}

for p in "${programs[@]}"; do
  ldd "$build/$p" | awk '/=> \// {print $1, $3}' | while read -r name path; do
    is_system "$name" && continue
    if is_compat "$name"; then dest="$pack/lib/compat"; else dest="$pack/lib"; fi
    [[ -e "$dest/$name" ]] || cp -L "$path" "$dest/$name"
  done
done

size_kib=$(du -sk "$pack" | cut -f1)
echo "packed $pack: $((size_kib / 1024)) MiB"
ls -1 "$pack/lib" "$pack/lib/compat" | sed 's/^/  /'
if ((size_kib > 64 * 1024)); then
  echo "pack-gpu-check: $pack is over 64 MiB" >&2
  exit 1
fi
