#!/usr/bin/env bash
# Side-by-side benchmark of flopscope's CPU GEMM and FFT against small bare
# programs that call the same libraries directly (kernels/gemm/cpu/bare,
# kernels/fft/cpu/bare), with the same threads and pinning, in one run.
# Each bare BLAS is first tried in every configuration this CPU can run
# (OpenBLAS core types, BLIS configurations) at the measured size, and then
# measured in its best one; oneDNN's matmul runs with pre-packed weights;
# FFTW plans with FFTW_MEASURE, without wisdom. Prints medians, spreads
# (min-max over the repetitions) and the flopscope / best-bare ratios.
#
#   scripts/bench-cpu-libraries.sh [--reps N] [--gemm-n N] [--build-dir DIR] [--out DIR]
#                                  [--no-gemm] [--no-fft]
# Acceptance (issue 3): every ratio >= 0.97 on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5 gemm_n=4096 build=build/cpu out="" do_gemm=1 do_fft=1
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --gemm-n) gemm_n=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-gemm) do_gemm=0; shift ;;
    --no-fft) do_fft=0; shift ;;
    *) echo "bench-cpu-libraries: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$reps" -ge 5 ] 2>/dev/null || { echo "bench-cpu-libraries: --reps must be >= 5" >&2; exit 2; }
out=${out:-$(mktemp -d /tmp/flopscope-bench-XXXXXX)}
mkdir -p "$out/bare"

# 1. Build flopscope when missing, and the bare programs.
if [ ! -x "$build/flopscope" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target flopscope
fi
flopscope=$build/flopscope
libdir=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
cflags=(-O2 -std=c11 -D_GNU_SOURCE -Wall)
bare_blas=()  # "family variant binary"
for dir in "$libdir"/openblas-*/ "$libdir"/blis-*/; do
  [ -d "$dir" ] || continue
  name=$(basename "$dir") family=${name%%-*} variant=${name#*-}
  bin=$out/bare/bare_${family}_${variant}
  if [ "$family" = openblas ] && [ -e "$dir/libopenblas.so.0" ]; then
    ln -sf "$dir/libopenblas.so.0" "$out/bare/libopenblas.so"
    gcc "${cflags[@]}" kernels/gemm/cpu/bare/bare_blas_gemm.c -o "$bin" -L"$out/bare" -lopenblas \
      -Wl,-rpath,"$dir" -lm
  elif [ "$family" = blis ] && [ -e "$dir/libblis.so.4" ]; then
    ln -sf "$dir/libblis.so.4" "$out/bare/libblis.so"
    gcc "${cflags[@]}" -DBARE_BLIS kernels/gemm/cpu/bare/bare_blas_gemm.c -o "$bin" -L"$out/bare" \
      -lblis -Wl,-rpath,"$dir" -lm
  else
    continue
  fi
  bare_blas+=("$family $variant $bin")
done
have_dnnl=0
if [ -e /usr/include/oneapi/dnnl/dnnl.h ]; then
  gcc "${cflags[@]}" kernels/gemm/cpu/bare/bare_onednn_matmul.c -o "$out/bare/bare_onednn" -ldnnl && have_dnnl=1
fi
gcc "${cflags[@]}" -fopenmp kernels/fft/cpu/bare/bare_fftw.c -o "$out/bare/bare_fftw_fp64" \
  -lfftw3_omp -lfftw3 -lm
gcc "${cflags[@]}" -fopenmp -DBARE_FLOAT kernels/fft/cpu/bare/bare_fftw.c -o "$out/bare/bare_fftw_fp32" \
  -lfftw3f_omp -lfftw3f -lm

# 2. Threads and pinning: flopscope's (one thread per core, pinned), given
#    to the bare programs through OpenMP's places, the BLAS thread counts and
#    taskset. A shell-wide OPENBLAS_CORETYPE or BLIS_ARCH_TYPE is dropped.
"$flopscope" devices --json >"$out/devices.json"
pus=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=[x for x in d["devices"] if x["kind"]=="cpu"][0]; print(",".join(map(str,c["details"]["pinned_pus"])))' "$out/devices.json")
threads=$(echo "$pus" | tr ',' '\n' | wc -l)
places=$(echo "$pus" | sed 's/\([0-9][0-9]*\)/{\1}/g')
unset OPENBLAS_CORETYPE BLIS_ARCH_TYPE MKL_ENABLE_INSTRUCTIONS GOMP_CPU_AFFINITY KMP_AFFINITY
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads BLIS_NUM_THREADS=$threads
export OMP_PLACES=$places OMP_PROC_BIND=close OMP_DYNAMIC=FALSE
echo "threads: $threads on PUs $pus; results in $out" >&2
run_bare() { taskset -c "$pus" "$@"; }
median_of() { awk '/^median/ {print $2*1e9; found=1} END {if (!found) print 0}' "$1"; }
spread_of() { awk '/^median/ {printf "%.1f-%.1f", $5, $7}' "$1"; }

flags=(); [ "$reps" -ne 5 ] && flags=(-- --benchmark_repetitions="$reps")
declare -A fs_median fs_spread fs_impl bare_median bare_spread bare_impl

read_flopscope() {  # file -> lines "key median min max implementation"
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["measurements"]:
    size = m["size"]
    dims = "x".join(str(v) for k, v in size.items() if k not in ("batch", "variant"))
    key = f'{m["kernel"]}/{m["precision"]}/{dims}'
    reps = m.get("repetition_flops") or [0]
    ok = m["status"] == "ok"
    print(key, m.get("median_flops", 0) if ok else 0, min(reps), max(reps), size.get("batch", 1),
          (m.get("implementation") or m.get("message") or m["status"]).replace(" ", "_"))
PY
}

# 3. GEMM: flopscope, then each bare library in its best configuration.
if [ $do_gemm -eq 1 ]; then
  echo "gemm: flopscope n=$gemm_n" >&2
  "$flopscope" run --devices cpu --kernels gemm --precisions fp64,fp32,bf16,int8 \
    --sizes "$gemm_n" --quiet --output "$out/gemm.json" "${flags[@]}" >"$out/gemm.txt" || true
  while read -r key med lo hi _ impl; do
    fs_median[$key]=$med; fs_spread[$key]=$(awk -v a="$lo" -v b="$hi" 'BEGIN{printf "%.1f-%.1f", a/1e9, b/1e9}')
    fs_impl[$key]=$impl
  done < <(read_flopscope "$out/gemm.json")

  avx512=0; grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && avx512=1
  for prec in fp64 fp32; do
    key=gemm/$prec/$gemm_n
    for entry in "${bare_blas[@]}"; do
      read -r family variant bin <<<"$entry"
      if [ "$family" = openblas ]; then configs=(auto Haswell Zen); [ $avx512 -eq 1 ] && configs+=(SkylakeX Cooperlake)
      else configs=(auto haswell zen zen2 zen3); [ $avx512 -eq 1 ] && configs+=(skx); fi
      best=0 best_cfg=""
      for cfg in "${configs[@]}"; do
        log=$out/bare/gemm-$prec-$family-$variant-$cfg-try.txt
        if [ "$family" = openblas ]; then
          if [ "$cfg" = auto ]; then run_bare "$bin" "$prec" "$gemm_n" 1 >"$log" 2>&1 || continue
          else OPENBLAS_CORETYPE=$cfg run_bare "$bin" "$prec" "$gemm_n" 1 >"$log" 2>&1 || continue; fi
          grep -qi "coretype=$cfg" "$log" || [ "$cfg" = auto ] || continue  # refused core type
        else
          if [ "$cfg" = auto ]; then run_bare "$bin" "$prec" "$gemm_n" 1 >"$log" 2>&1 || continue
          else run_bare "$bin" "$prec" "$gemm_n" 1 "$cfg" >"$log" 2>&1 || continue; fi
        fi
        m=$(median_of "$log")
        echo "  bare $family-$variant $prec $cfg: $(awk -v x="$m" 'BEGIN{printf "%.1f", x/1e9}') GFLOP/s (try)" >&2
        if awk -v a="$m" -v b="$best" 'BEGIN{exit !(a>b)}'; then best=$m best_cfg=$cfg; fi
      done
      [ -n "$best_cfg" ] || continue
      log=$out/bare/gemm-$prec-$family-$variant-best.txt
      if [ "$family" = openblas ]; then
        if [ "$best_cfg" = auto ]; then run_bare "$bin" "$prec" "$gemm_n" "$reps" >"$log" 2>&1
        else OPENBLAS_CORETYPE=$best_cfg run_bare "$bin" "$prec" "$gemm_n" "$reps" >"$log" 2>&1; fi
      else
        if [ "$best_cfg" = auto ]; then run_bare "$bin" "$prec" "$gemm_n" "$reps" >"$log" 2>&1
        else run_bare "$bin" "$prec" "$gemm_n" "$reps" "$best_cfg" >"$log" 2>&1; fi
      fi
      m=$(median_of "$log")
      if awk -v a="$m" -v b="${bare_median[$key]:-0}" 'BEGIN{exit !(a>b)}'; then
        bare_median[$key]=$m; bare_spread[$key]=$(spread_of "$log")
        bare_impl[$key]="$family-$variant:$best_cfg"
      fi
    done
  done
  if [ $have_dnnl -eq 1 ]; then
    for prec in fp32 bf16 int8; do
      key=gemm/$prec/$gemm_n log=$out/bare/gemm-$prec-onednn.txt
      run_bare "$out/bare/bare_onednn" "$prec" "$gemm_n" "$reps" >"$log" 2>&1 || true
      if grep -q "^unsupported" "$log"; then
        [ -n "${bare_impl[$key]:-}" ] || bare_impl[$key]="onednn:$(grep '^unsupported' "$log" | tr ' ' '_')"
        continue
      fi
      m=$(median_of "$log")
      if awk -v a="$m" -v b="${bare_median[$key]:-0}" 'BEGIN{exit !(a>b)}'; then
        bare_median[$key]=$m; bare_spread[$key]=$(spread_of "$log"); bare_impl[$key]="onednn"
      fi
    done
  fi
fi

# 4. FFT: flopscope's default sizes (1-D 2^20, 3-D 128^3, batched past the
#    L3), then the bare program on the same sizes and batches.
if [ $do_fft -eq 1 ]; then
  echo "fft: flopscope" >&2
  "$flopscope" run --devices cpu --kernels fft --precisions fp64,fp32 --quiet \
    --output "$out/fft.json" "${flags[@]}" >"$out/fft.txt" || true
  while read -r key med lo hi batch impl; do
    fs_median[$key]=$med; fs_impl[$key]=$impl
    fs_spread[$key]=$(awk -v a="$lo" -v b="$hi" 'BEGIN{printf "%.1f-%.1f", a/1e9, b/1e9}')
    prec=$(echo "$key" | cut -d/ -f2) dims=$(echo "$key" | cut -d/ -f3 | tr 'x' ' ')
    log=$out/bare/fft-$prec-${dims// /x}.txt
    # shellcheck disable=SC2086
    run_bare "$out/bare/bare_fftw_$prec" "$prec" "$reps" "$batch" $dims >"$log" 2>&1 || true
    bare_median[$key]=$(median_of "$log"); bare_spread[$key]=$(spread_of "$log")
    bare_impl[$key]="fftw-bare-measure"
  done < <(read_flopscope "$out/fft.json")
fi

# 5. The table.
printf "\n%-22s %14s %-13s %14s %-13s %7s  %s\n" kernel flopscope "(min-max)" "best bare" "(min-max)" ratio "flopscope implementation | bare"
status=0
for key in $(printf "%s\n" "${!fs_median[@]}" | sort); do
  f=${fs_median[$key]} b=${bare_median[$key]:-0}
  ratio=$(awk -v f="$f" -v b="$b" 'BEGIN{ if (b>0) printf "%.3f", f/b; else print "n/a"}')
  verdict=""
  if [ "$ratio" != n/a ]; then
    awk -v r="$ratio" 'BEGIN{exit !(r>=0.97)}' && verdict=ok || { verdict=LOW; status=1; }
  fi
  printf "%-22s %14s %-13s %14s %-13s %7s %-4s %s | %s\n" "$key" \
    "$(awk -v x="$f" 'BEGIN{printf "%.1f G", x/1e9}')" "(${fs_spread[$key]:-})" \
    "$(awk -v x="$b" 'BEGIN{printf "%.1f G", x/1e9}')" "(${bare_spread[$key]:-})" "$ratio" "$verdict" \
    "${fs_impl[$key]:-}" "${bare_impl[$key]:-}"
done
echo "medians over $reps repetitions; G = GFLOP/s (GOP/s for int8); logs and JSON in $out"
exit $status
