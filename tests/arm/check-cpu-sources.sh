#!/usr/bin/env bash
# Compiles every CPU-side source of flopscope for aarch64 (syntax and types,
# -fsyntax-only: the Arm libraries to link are not installed here), so an
# x86-only header or intrinsic outside its #if is caught on x86 machines.
# The files CMake builds on x86 only (it passes them: the stream and stencil
# loops per x86 ISA), the GPU plugins and the optional MPI layer are left
# out. Exits 77 (ctest: skipped) without aarch64-linux-gnu-g++.
#   check-cpu-sources.sh SOURCE_DIR GENERATED_DIR [X86_ONLY_SOURCE...]   (paths from SOURCE_DIR)
# GENERATED_DIR holds the headers the build generates (the commit, build facts).
set -euo pipefail
src=$1
generated=$2
shift 2
x86_only=("$@")
command -v aarch64-linux-gnu-g++ >/dev/null || { echo "skipped: aarch64-linux-gnu-g++ not found"; exit 77; }
cd "$src"
mapfile -t files < <(find harness devices kernels -name '*.cpp' \
  \( -path 'harness/*' -o -path 'devices/cpu/*' -o -path 'devices/topology/*' \
     -o -path 'devices/gpu/*' -o -path 'devices/node_description.cpp' -o -path 'kernels/*/cpu/*' \) \
  ! -path 'harness/mpi/mpi_comm.cpp' ! -path '*/bare/*' |
  sort | grep -vxF -f <(printf '%s\n' "${x86_only[@]}"))
[ ${#files[@]} -gt 50 ] || { echo "check-cpu-sources: only ${#files[@]} sources found"; exit 1; }
# The third-party headers (hwloc, CLI11, nlohmann, Google Benchmark) are
# the build machine's; the cross compiler's own C and C++ headers come first.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
# One compiler per core: a hundred files take minutes one at a time.
export multiarch generated
compile() {
  aarch64-linux-gnu-g++ -std=c++20 -fsyntax-only -fopenmp -Wall -Werror -Wno-psabi -I. \
    -I"$generated" -idirafter /usr/include -idirafter "/usr/include/$multiarch" \
    -DFLOPSCOPE_VERSION='"0"' -DFLOPSCOPE_SOURCE_DIR='"."' "$1" ||
    { echo "aarch64: $1 does not compile"; return 1; }
}
export -f compile
status=0
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -I{} bash -c 'compile {}' || status=1
echo "aarch64: ${#files[@]} CPU sources checked"
exit $status
