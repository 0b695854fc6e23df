#!/usr/bin/env bash
# Side-by-side benchmark of flopscope's CPU GEMM and FFT against small bare
# programs that call the same libraries directly (kernels/gemm/cpu/bare,
# kernels/fft/cpu/bare), with the same threads and pinning, in one run; and
# flopscope's own stencil against the roofline set by its own copy kernel,
# measured in the same flopscope run (there is no library to race there).
# Each bare BLAS is first tried in every configuration this CPU can run
# (OpenBLAS core types, BLIS configurations) at the measured size, and then
# measured in its best one; oneDNN's matmul runs with pre-packed weights;
# the bare FFTW program runs flopscope's FFTW_MEASURE plan (its wisdom), and
# also plans afresh, shown apart. Prints medians, spreads (min-max over the
# repetitions) and the flopscope / best-bare ratios.
#
# A shared machine drifts by more than the 3% that matters, so the whole
# comparison runs in rounds (--rounds, default 3), each pairing flopscope
# and the bare programs minutes apart at most (in alternating order);
# a figure is the median over the rounds of each round's median over --reps
# repetitions, and a ratio the median over the rounds of each round's ratio.
#
#   scripts/bench-cpu-libraries.sh [--reps N] [--rounds R] [--gemm-n N] [--fft-sizes S,S]
#                                  [--build-dir DIR] [--out DIR] [--no-gemm] [--no-fft]
#                                  [--no-stencil]
# Acceptance (issue 3): every ratio >= 0.97 on a quiet machine, and the FP64
# 7-point stencil at 256^3 at >= 75% of its copy roofline (median of rounds).
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5 rounds=3 gemm_n=4096 build=build/cpu out="" do_gemm=1 do_fft=1 do_stencil=1
fft_sizes=(1048576 128x128x128)  # flopscope's default FFT sizes
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --gemm-n) gemm_n=$2; shift 2 ;;
    --fft-sizes) IFS=, read -r -a fft_sizes <<<"${2// /}"; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-gemm) do_gemm=0; shift ;;
    --no-fft) do_fft=0; shift ;;
    --no-stencil) do_stencil=0; shift ;;
    *) echo "bench-cpu-libraries: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$reps" -ge 5 ] 2>/dev/null || { echo "bench-cpu-libraries: --reps must be >= 5" >&2; exit 2; }
[ "$rounds" -ge 1 ] 2>/dev/null || { echo "bench-cpu-libraries: --rounds must be >= 1" >&2; exit 2; }
declare -A fft_seen
for size in "${fft_sizes[@]}"; do
  [[ "$size" =~ ^[0-9]+(x[0-9]+){0,2}$ ]] ||
    { echo "bench-cpu-libraries: --fft-sizes: not N, NxN or NxNxN: '$size'" >&2; exit 2; }
  [ -z "${fft_seen[$size]:-}" ] ||
    { echo "bench-cpu-libraries: --fft-sizes: $size given twice" >&2; exit 2; }
  fft_seen[$size]=1
done
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
# flopscope sets its workers' environment itself; the bare programs get the
# same variables here.
unset OPENBLAS_CORETYPE BLIS_ARCH_TYPE MKL_ENABLE_INSTRUCTIONS GOMP_CPU_AFFINITY KMP_AFFINITY
unset OMP_NUM_THREADS OMP_PLACES OMP_PROC_BIND OPENBLAS_NUM_THREADS BLIS_NUM_THREADS
bare_env=(OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" BLIS_NUM_THREADS="$threads"
          OMP_PLACES="$places" OMP_PROC_BIND=close OMP_DYNAMIC=FALSE)
echo "threads: $threads on PUs $pus; results in $out" >&2
run_bare() { env "${bare_env[@]}" taskset -c "$pus" "$@"; }

flags=(); [ "$reps" -ne 5 ] && flags=(-- --benchmark_repetitions="$reps")

# Per key ("gemm/fp64/4096"): each round's flopscope median and best bare
# median as "ROUND:VALUE" words (a side that failed in a round has no word
# for it), the lowest and highest repetition seen on each side, and names.
declare -A fs_rounds bare_rounds fs_lo fs_hi bare_lo bare_hi fs_impl bare_impl round_best round_name
widen() {  # lo-array hi-array key lo hi
  local -n lo_=$1 hi_=$2
  if [ -z "${lo_[$3]:-}" ] || awk -v a="$4" -v b="${lo_[$3]}" 'BEGIN{exit !(a<b)}'; then lo_[$3]=$4; fi
  if [ -z "${hi_[$3]:-}" ] || awk -v a="$5" -v b="${hi_[$3]}" 'BEGIN{exit !(a>b)}'; then hi_[$3]=$5; fi
}
# A bare log's median, kept when it is this round's best for the key.
bare_result() {  # key log name
  local m lo hi
  m=$(awk '/^median/ {print $2*1e9; f=1} END {if (!f) print 0}' "$2")
  lo=$(awk '/^median/ {print $5*1e9}' "$2") hi=$(awk '/^median/ {print $7*1e9}' "$2")
  [ -n "$lo" ] && widen bare_lo bare_hi "$1" "$lo" "$hi"
  if awk -v a="$m" -v b="${round_best[$1]:-0}" 'BEGIN{exit !(a>b)}'; then
    round_best[$1]=$m round_name[$1]=$3
  fi
}
end_bare_round() {  # key
  if [ -n "${round_best[$1]:-}" ]; then
    bare_rounds[$1]+=" $round:${round_best[$1]}"; bare_impl[$1]=${round_name[$1]}
  fi
  unset "round_best[$1]" "round_name[$1]"
}
# flopscope's result file: each measurement's median, repetition range and
# implementation (or why it did not run); prints "key batch" per line. Not
# to be run in a subshell: it fills the arrays above.
flopscope_result() {  # file
  local key med lo hi batch impl
  while read -r key med lo hi batch impl; do
    fs_impl[$key]=$impl
    if [ "$med" != 0 ]; then fs_rounds[$key]+=" $round:$med"; widen fs_lo fs_hi "$key" "$lo" "$hi"; fi
    echo "$key $batch"
  done < <(python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["measurements"]:
    size = m["size"]
    dims = "x".join(str(v) for k, v in size.items() if k not in ("batch", "variant"))
    reps = m.get("repetition_flops") or [0]
    ok = m["status"] == "ok"
    print(f'{m["kernel"]}/{m["precision"]}/{dims}', m.get("median_flops", 0) if ok else 0,
          min(reps), max(reps), size.get("batch", 1),
          (m.get("implementation") or m.get("message") or m["status"]).replace(" ", "_"))
PY
)
}
run_blas() {  # family binary precision config reps
  if [ "$1" = openblas ]; then
    if [ "$4" = auto ]; then run_bare "$2" "$3" "$gemm_n" "$5"
    else OPENBLAS_CORETYPE=$4 run_bare "$2" "$3" "$gemm_n" "$5"; fi
  else
    if [ "$4" = auto ]; then run_bare "$2" "$3" "$gemm_n" "$5"
    else run_bare "$2" "$3" "$gemm_n" "$5" "$4"; fi
  fi
}

# 3. GEMM. First each bare BLAS in every configuration this CPU can run (one
#    call each) to find its best; then, each round and precision, the bare
#    libraries in their best configurations and flopscope right after them.
declare -A best_cfg
if [ $do_gemm -eq 1 ]; then
  avx512=0; grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && avx512=1
  for prec in fp64 fp32; do
    for entry in "${bare_blas[@]}"; do
      read -r family variant bin <<<"$entry"
      if [ "$family" = openblas ]; then configs=(auto Haswell Zen); [ $avx512 -eq 1 ] && configs+=(SkylakeX Cooperlake)
      else configs=(auto haswell zen zen2 zen3); [ $avx512 -eq 1 ] && configs+=(skx); fi
      best=0
      for cfg in "${configs[@]}"; do
        log=$out/bare/gemm-$prec-$family-$variant-$cfg-try.txt
        run_blas "$family" "$bin" "$prec" "$cfg" 1 >"$log" 2>&1 || continue
        # OpenBLAS falls back quietly from a core type it refuses.
        [ "$family" != openblas ] || [ "$cfg" = auto ] || grep -qi "coretype=$cfg" "$log" || continue
        m=$(awk '/^median/ {print $2*1e9}' "$log")
        echo "  bare $family-$variant $prec $cfg: $(awk -v x="$m" 'BEGIN{printf "%.1f", x/1e9}') GFLOP/s (try)" >&2
        if awk -v a="$m" -v b="$best" 'BEGIN{exit !(a>b)}'; then best=$m; best_cfg[$prec/$bin]=$cfg; fi
      done
    done
  done
fi

: >"$out/stencil-rounds.txt"  # a reused --out DIR must not feed old rounds in
# One round of one GEMM precision: the bare libraries in their best
# configurations, and flopscope.
gemm_bare_round() {  # prec key round
  local prec=$1 key=$2 round=$3 entry family variant bin cfg log
  if [ "$prec" = fp64 ] || [ "$prec" = fp32 ]; then
    for entry in "${bare_blas[@]}"; do
      read -r family variant bin <<<"$entry"
      cfg=${best_cfg[$prec/$bin]:-}
      [ -n "$cfg" ] || continue
      log=$out/bare/gemm-$prec-$family-$variant-best-r$round.txt
      run_blas "$family" "$bin" "$prec" "$cfg" "$reps" >"$log" 2>&1 || continue
      bare_result "$key" "$log" "$family-$variant:$cfg"
    done
  fi
  if [ $have_dnnl -eq 1 ] && [ "$prec" != fp64 ]; then
    log=$out/bare/gemm-$prec-onednn-r$round.txt
    run_bare "$out/bare/bare_onednn" "$prec" "$gemm_n" "$reps" >"$log" 2>&1 || true
    if grep -q "^unsupported" "$log"; then
      bare_impl[$key]="onednn:$(grep '^unsupported' "$log" | tr ' ' '_')"
    else
      bare_result "$key" "$log" onednn
    fi
  fi
  end_bare_round "$key"
}
gemm_flopscope_round() {  # prec round
  rm -f "$out/gemm-$1-r$2.json"  # a failed run must not leave an earlier invocation's figures
  "$flopscope" run --devices cpu --kernels gemm --precisions "$1" --sizes "$gemm_n" --quiet \
    --output "$out/gemm-$1-r$2.json" "${flags[@]}" >"$out/gemm-$1-r$2.txt" || true
  flopscope_result "$out/gemm-$1-r$2.json" >/dev/null
}

# One round of one FFT precision. flopscope with the wisdom cache CACHE
# (empty: it plans afresh and fills it); prints "key batch" per size.
fft_flopscope() {  # prec round cache size
  local json=$out/fft-$1-$4-r$2.json
  rm -f "$json"  # a failed run must not leave an earlier invocation's figures
  XDG_CACHE_HOME=$3 "$flopscope" run --devices cpu --kernels fft --precisions "$1" --sizes "$4" \
    --quiet --output "$json" "${flags[@]}" >"$out/fft-$1-$4-r$2.txt" 2>&1 || true
  if [ -s "$json" ]; then flopscope_result "$json"
  else echo "round $2: fft $1 $4: flopscope gave no result ($(tail -1 "$out/fft-$1-$4-r$2.txt"))" >&2; fi
}
# The bare program on the plans in CACHE's wisdom, for each "key batch" line
# on stdin.
fft_bare_same() {  # prec round cache
  local key batch dims log
  while read -r key batch; do
    dims=$(echo "$key" | cut -d/ -f3 | tr 'x' ' ')
    log=$out/bare/fft-$1-${dims// /x}-same-plan-r$2.txt
    # shellcheck disable=SC2086
    BARE_FFTW_WISDOM=$3/flopscope/fftw-wisdom-$1 \
      run_bare "$out/bare/bare_fftw_$1" "$1" "$reps" "$batch" $dims >"$log" 2>&1 </dev/null || true
    bare_result "$key" "$log" fftw-bare-same-plan
    end_bare_round "$key"
  done
}

for round in $(seq 1 "$rounds"); do
  if [ $do_gemm -eq 1 ]; then
    for prec in fp64 fp32 bf16 int8; do
      key=gemm/$prec/$gemm_n
      echo "round $round: gemm $prec n=$gemm_n" >&2
      # Odd rounds bare first, even rounds flopscope first: a machine whose
      # speed drifts during a pair favours neither side over the rounds.
      if [ $((round % 2)) -eq 1 ]; then
        gemm_bare_round "$prec" "$key" "$round"
        gemm_flopscope_round "$prec" "$round"
      else
        gemm_flopscope_round "$prec" "$round"
        gemm_bare_round "$prec" "$key" "$round"
      fi
    done
  fi

  # 4. FFT, per precision and size (flopscope's defaults, 1-D 2^20 and 3-D
  #    128^3, batched past the L3; --fft-sizes), one flopscope run per size
  #    so each pair runs back to back: flopscope against the bare program
  #    running the same FFTW_MEASURE plan (flopscope's wisdom: the ratio
  #    shows what flopscope's harness costs). Odd rounds: flopscope plans
  #    afresh (an empty wisdom cache), then the bare program loads its
  #    wisdom. Even rounds, the other way round: the bare program first, with
  #    the previous round's wisdom, then flopscope with that same cache.
  #    Last, the bare program planning afresh, shown apart: FFTW_MEASURE's
  #    plans differ by tens of percent from one planning to the next on a
  #    busy machine.
  if [ $do_fft -eq 1 ]; then
    for prec in fp64 fp32; do
      echo "round $round: fft $prec" >&2
      cache=$out/cache-$prec keys=$out/fft-$prec-r$round.keys prev=$out/fft-$prec-r$((round - 1)).keys
      bare_first=0
      if [ $((round % 2)) -eq 0 ] && [ -s "$prev" ] && [ -d "$cache" ]; then bare_first=1
      else rm -rf "$cache"; fi
      : >"$keys"
      for size in "${fft_sizes[@]}"; do
        # The previous round's "key batch" line for this size, when the bare
        # program goes first and needs it before flopscope has run.
        line=$(awk -v s="$size" '{split($1, f, "/"); if (f[3] == s) print}' "$prev" 2>/dev/null || true)
        if [ $bare_first -eq 1 ] && [ -n "$line" ]; then
          fft_bare_same "$prec" "$round" "$cache" <<<"$line"
          fft_flopscope "$prec" "$round" "$cache" "$size" >>"$keys"
        else
          fft_flopscope "$prec" "$round" "$cache" "$size" >"$keys.one"
          cat "$keys.one" >>"$keys"
          fft_bare_same "$prec" "$round" "$cache" <"$keys.one"
          rm -f "$keys.one"
        fi
      done
      while read -r key batch; do
        dims=$(echo "$key" | cut -d/ -f3 | tr 'x' ' ')
        # The fresh plan gets a row of its own, for information: it compares
        # FFTW_MEASURE's luck of the moment, not flopscope against FFTW.
        fresh="$key~fresh-plan"
        log=$out/bare/fft-$prec-${dims// /x}-fresh-plan-r$round.txt
        # shellcheck disable=SC2086
        run_bare "$out/bare/bare_fftw_$prec" "$prec" "$reps" "$batch" $dims >"$log" 2>&1 </dev/null || true
        bare_result "$fresh" "$log" fftw-bare-fresh-plan
        end_bare_round "$fresh"
        fs_rounds[$fresh]=${fs_rounds[$key]:-} fs_lo[$fresh]=${fs_lo[$key]:-} fs_hi[$fresh]=${fs_hi[$key]:-}
        fs_impl[$fresh]=${fs_impl[$key]:-}
      done <"$keys"
    done
  fi

  # 5. Stencil: stream and stencil in one flopscope run (default sizes: the
  #    256^3 grids). Each sweep's roofline comes from the copies of its own
  #    grids timed before its repetitions; the run's stream copy, a minute
  #    away, gives the second fraction. Per round: "star fraction GFLOP/s
  #    GB/s stream-copy-fraction" (0: none).
  if [ $do_stencil -eq 1 ]; then
    echo "round $round: stream + stencil fp64" >&2
    "$flopscope" run --devices cpu --kernels stream,stencil --precisions fp64 --quiet \
      --output "$out/stencil-r$round.json" "${flags[@]}" >"$out/stencil-r$round.txt" || true
    python3 - "$out/stencil-r$round.json" >>"$out/stencil-rounds.txt" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["measurements"]:
    roof = m.get("roofline") or {}
    if m["kernel"] == "stencil" and m["status"] == "ok" and roof.get("fraction"):
        print(m["size"]["variant"], roof["fraction"], m["median_flops"] / 1e9,
              roof["bandwidth_bytes_per_second"] / 1e9, roof.get("stream_copy_fraction", 0))
PY
  fi
done

# 6. The tables.
median_list() { tr ' ' '\n' | sed '/^$/d; s/^[0-9]*://' | sort -g |
  awk '{v[++n]=$1} END {if (!n) print 0; else print (n % 2) ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2}'; }
# flopscope / bare for each round both sides finished, in round order.
round_ratios() {  # fs-words bare-words
  LC_ALL=C join <(echo "$1" | tr ' ' '\n' | sed '/^$/d' | tr ':' ' ' | LC_ALL=C sort -k1,1) \
       <(echo "$2" | tr ' ' '\n' | sed '/^$/d' | tr ':' ' ' | LC_ALL=C sort -k1,1) |
    sort -n | awk '$2>0 && $3>0 {printf "%s%.3f", (n++?",":""), $2/$3}'
}
g() { awk -v x="$1" 'BEGIN{printf "%.1f", x/1e9}'; }
printf "\n%-22s %9s %-13s %9s %-13s %6s %-4s %-20s %s\n" kernel flopscope "(min-max)" "bare" "(min-max)" \
  ratio "" "ratio per round" "flopscope implementation | best bare"
status=0
for key in $(printf "%s\n" "${!fs_impl[@]}" | sort); do
  f=$(echo "${fs_rounds[$key]:-}" | median_list) b=$(echo "${bare_rounds[$key]:-}" | median_list)
  # The ratio is the median of the rounds' ratios: each round's two sides
  # ran minutes apart at most, while the rounds' medians, taken apart, mix
  # the machine's quiet and busy spells (a busy round on one side only
  # would move a ratio of medians by its whole size).
  per_round=$(round_ratios "${fs_rounds[$key]:-}" "${bare_rounds[$key]:-}")
  ratio=$(echo "$per_round" | tr ',' ' ' | median_list |
          awk -v p="$per_round" '{ if (p != "" && $1 > 0) printf "%.3f", $1; else print "n/a"}')
  verdict=""
  if [ "$ratio" != n/a ] && [[ "$key" != *~fresh-plan ]]; then
    awk -v r="$ratio" 'BEGIN{exit !(r>=0.97)}' && verdict=ok || { verdict=LOW; status=1; }
  fi
  printf "%-22s %9s %-13s %9s %-13s %6s %-4s %-20s %s | %s\n" "$key" "$(g "$f")" \
    "($(g "${fs_lo[$key]:-0}")-$(g "${fs_hi[$key]:-0}"))" "$(g "$b")" \
    "($(g "${bare_lo[$key]:-0}")-$(g "${bare_hi[$key]:-0}"))" "$ratio" "$verdict" "${per_round:--}" \
    "${fs_impl[$key]:-}" "${bare_impl[$key]:-}"
done
echo "GFLOP/s (GOP/s for int8): medians over $rounds round(s) of each side's median over $reps"
echo "repetitions; (min-max) over every repetition of every round; ratio: the median of the"
echo "rounds' ratios (flopscope / bare, each pair run back to back). Logs and JSON in $out"
if [ $do_stencil -eq 1 ]; then
  printf "\n%-26s %9s %-15s %-28s %8s  %s\n" stencil "roofline" "(min-max)" "per round" \
    "stream" "(stencil GFLOP/s @ copy GB/s)"
  for star in 7-point 25-point; do
    fractions=$(awk -v s="$star" '$1 == s {print $2}' "$out/stencil-rounds.txt" 2>/dev/null)
    [ -n "$fractions" ] || { printf "%-26s %9s\n" "stencil/fp64/$star/256" "no figure"; status=1; continue; }
    f=$(echo "$fractions" | median_list)
    verdict=""
    if [ "$star" = 7-point ]; then
      awk -v r="$f" 'BEGIN{exit !(r>=0.75)}' && verdict=ok || { verdict=LOW; status=1; }
    fi
    stream_f=$(awk -v s="$star" '$1 == s && $5 > 0 {print $5}' "$out/stencil-rounds.txt" | median_list)
    printf "%-26s %8.1f%% %-15s %-28s %8s  %s %s\n" "stencil/fp64/$star/256" "$(awk -v x="$f" 'BEGIN{print 100*x}')" \
      "$(echo "$fractions" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "(%.1f-%.1f%%)", 100*lo, 100*hi}')" \
      "$(echo "$fractions" | awk '{printf "%s%.3f", (NR>1?",":""), $1}')" \
      "$(awk -v x="$stream_f" 'BEGIN{if (x > 0) printf "%.1f%%", 100*x; else print "n/a"}')" \
      "$(awk -v s="$star" '$1 == s {printf "%s%.1f@%.1f", (n++?" ":""), $3, $4}' "$out/stencil-rounds.txt")" \
      "$verdict"
  done
  echo "roofline: the sweep's FLOP/s against copy bandwidth x its FLOP per compulsory byte, the"
  echo "copy of its own grids timed before each repetition; stream: against the run's stream copy"
  echo "(another minute); medians over $rounds round(s). Acceptance: 7-point >= 75%."
fi
exit $status
