#!/usr/bin/env bash
# scripts/bench-own-gemm.py end to end on a tiny size (what it prints and
# how it exits, not how fast): bad usage exits 2 with one line, a missing
# bench 3, and a run against one library prints a row per precision and
# size, a log per engine, and exits 0 (every bar held) or 1 (one did not:
# at n=64 the bars are not the point).
#   check-bench-own-gemm-script.sh SCRIPT BENCH
# Exits 77 (ctest: skipped) without OpenBLAS Haswell (as bench_own_gemm
# --list-libraries finds it) or an own GEMM variant here.
set -uo pipefail
script=$1
bench=$2
"$bench" --list-libraries --library openblas:haswell >/dev/null ||
  { echo "skipped: no OpenBLAS Haswell"; exit 77; }
variants=$("$bench" --list-variants) || { echo "FAIL: --list-variants exited $?"; exit 1; }
[ -n "$variants" ] || { echo "skipped: no own GEMM variant runs here"; exit 77; }
expect_exit() {  # code args...
  local want=$1; shift
  local err
  err=$("$script" "$@" 2>&1 >/dev/null); local got=$?
  [ "$got" -eq "$want" ] || { echo "FAIL: $* exited $got, want $want: $err"; exit 1; }
  [ -n "$err" ] && [ "$(wc -l <<<"$err")" -eq 1 ] ||
    { echo "FAIL: $* did not print one line: '$err'"; exit 1; }
}
expect_exit 2 --sizes 64,x
expect_exit 2 --rounds x
expect_exit 2 --no-such-option
expect_exit 2 --reps 1
expect_exit 2 --libraries "blis skx"
expect_exit 2 --libraries ""
expect_exit 2 --precisions fp16
expect_exit 2 --own-args "--threads 1"
expect_exit 2 --own-args "--kc"
expect_exit 2 --own-args "--kc 0"
expect_exit 2 --own-args "--kc 'x"
expect_exit 3 --bench /nonexistent/bench_own_gemm
# A configuration nothing installed provides: skipped, and with nothing left, exit 3.
err=$("$script" --bench "$bench" --libraries nosuchblas:avx2 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 3 ] && grep -q "^bench-own-gemm: nosuchblas:avx2: no installed configuration" <<<"$err" ||
  { echo "FAIL: an unknown library exited $rc: $err"; exit 1; }
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# Variables from the shell do not reach the library: it runs with the
# probe's environment only (bench_own_gemm's apply_library_environment).
out=$(OPENBLAS_CORETYPE=Zen BLIS_JC_NT=3 "$script" --bench "$bench" --libraries openblas:Haswell --sizes 64 --reps 2 --own-args "--kc 32" \
  --min-seconds 0.01 --rounds 1 --log "$log" 2>&1); rc=$?
echo "$out"
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { echo "FAIL: exited $rc"; exit 1; }
for p in fp64 fp32; do
  grep -Eq "^$p +64 +[0-9]+x[0-9]+ +[0-9.]+ +([0-9.]+%|-) +([0-9.]+%|-) +[0-9.]+% +openblas[-a-z]*:haswell +[0-9.]+ +[0-9.]+ " \
    <<<"$out" || { echo "FAIL: no $p row"; exit 1; }
done
grep -q "failed run" <<<"$out" && { echo "FAIL: a run failed"; exit 1; }
# One log per own tile of the widest ISA (the most any precision has) and one for the library.
tiles=$(awk '{split($2, f, "-"); fam[$1] = fam[$1] ? fam[$1] : f[2]; if (f[2] == fam[$1]) ++n[$1]}
             END {m = 0; for (p in n) if (n[p] > m) m = n[p]; print m}' <<<"$variants")
[ "$(ls "$log" | wc -l)" -eq $((tiles + 1)) ] || { echo "FAIL: want $((tiles + 1)) logs in $log"; exit 1; }
# The own engines ran with the blocking given, the library without it.
grep -l "kc=32 " "$log"/*own* >/dev/null || { echo "FAIL: --own-args did not reach the own engines"; exit 1; }
grep -q "kc=32" "$log"/*openblas* && { echo "FAIL: --own-args reached the library"; exit 1; }
engine=$(grep "^engine:" "$log"/*openblas*)
grep -qi " OPENBLAS_CORETYPE=Haswell " <<<"$engine $" && ! grep -q "BLIS_JC_NT" <<<"$engine" ||
  { echo "FAIL: the library ran with the shell's variables: $engine"; exit 1; }
# A library given by path keeps the variables its user set.
path=$("$bench" --list-libraries --library openblas:haswell | awk '{print $3; exit}')
engine=$(BLIS_JC_NT=3 OPENBLAS_NUM_THREADS=1 "$bench" --engine "$path" --precisions fp64 --sizes 64 \
  --reps 2 --min-seconds 0.01 2>&1 | grep "^engine:")
grep -q " BLIS_JC_NT=3" <<<"$engine" && grep -q " OPENBLAS_NUM_THREADS=1 " <<<"$engine $" ||
  { echo "FAIL: --engine PATH did not keep the user's variables: $engine"; exit 1; }
# Every series of the real bench says how its FMA chains fared.
grep -q "^series .* chains_worst=[0-9.na]* verified=yes" "$log"/*own* ||
  { echo "FAIL: no chains_worst in the own engines' series"; exit 1; }
# A round whose chains fell to half the clock's peak (the host shared the
# FMA units) is named beside the bars, which still count it: a stand-in
# bench prints such series (own 24x8 at chains 0.50, the library at 0.98).
fake="$log/fake-bench"
cat >"$fake" <<'FAKE'
#!/usr/bin/env bash
case "$*" in
  --list-variants) echo "fp64 flopscope-avx512-24x8" ;;
  "--list-libraries --library"*) echo "openblas-pthread:haswell OPENBLAS_CORETYPE=Haswell /x.so" ;;
  *--variant*) echo "series precision=fp64 n=64 median_gflops=10.00 cv=0.0100 clock_ghz=3.000 efficiency_median=0.9000 efficiency_worst=0.8900 chains_worst=0.5012 verified=yes" ;;
  *) echo "series precision=fp64 n=64 median_gflops=9.00 cv=0.0100 clock_ghz=3.000 efficiency_median=0.8000 efficiency_worst=0.7900 chains_worst=0.9800 verified=yes" ;;
esac
FAKE
chmod +x "$fake"
out=$("$script" --bench "$fake" --libraries openblas:haswell --precisions fp64 --sizes 64 --reps 2 \
  --rounds 1 --log "$log/fake" 2>&1); rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: the stand-in bench's run exited $rc, want 0: $out"; exit 1; }
grep -Eq "^fp64 +64 .* held \(FMA units shared: round 1 own 50%\)$" <<<"$out" ||
  { echo "FAIL: the shared round is not named: $out"; exit 1; }
grep -q "^FMA units shared: the series named" <<<"$out" || { echo "FAIL: no legend: $out"; exit 1; }
echo "PASS"
