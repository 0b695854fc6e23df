#!/usr/bin/env bash
# Unpacks the -dev packages of rocBLAS, rocFFT, hipBLAS and hipFFT from
# Debian 13 (trixie) into DEST, for a compile-only check of flopscope's
# library adapters on a machine without ROCm (Debian 12 carries only HIP
# 5.2 itself). Nothing is installed into the system: apt runs with its own
# lists and cache under DEST, and the packages are unpacked with dpkg -x.
#
#   scripts/fetch-rocm-dev.sh DEST      -> DEST/root/usr/include/{rocblas,rocfft,...}
# Exits 0 with the headers in place, 1 when they could not be fetched (no
# network, archive changed): the build then compiles without the adapters.
set -euo pipefail
dest=${1:?usage: fetch-rocm-dev.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
stamp=$dest/root/.complete
[ -f "$stamp" ] && exit 0

packages=(librocblas-dev librocfft-dev libhipblas-dev libhipfft-dev)
state=$dest/apt
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc" "$dest/debs"
cat >"$state/etc/sources.list" <<LIST
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
LIST
apt_opts=(-o "Dir::Etc::SourceList=$state/etc/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
          -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
          -o "Dir::State::Status=/dev/null" -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1"
          -o "Acquire::Languages=none" -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false")
if ! timeout 300 apt-get -q "${apt_opts[@]}" update >"$dest/apt-update.log" 2>&1; then
  echo "fetch-rocm-dev: could not read trixie's package lists (see $dest/apt-update.log)" >&2
  exit 1
fi
cd "$dest/debs"
if ! timeout 300 apt-get -q "${apt_opts[@]}" download "${packages[@]}" >"$dest/apt-download.log" 2>&1; then
  echo "fetch-rocm-dev: could not download ${packages[*]} (see $dest/apt-download.log)" >&2
  exit 1
fi
rm -rf "$dest/root"
for deb in ./*.deb; do dpkg -x "$deb" "$dest/root"; done
touch "$stamp"
echo "fetch-rocm-dev: headers in $dest/root/usr/include" >&2
