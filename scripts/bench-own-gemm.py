#!/usr/bin/env python3
"""flopscope's own GEMM against the BLAS libraries, side by side, in rounds.

Runs bench_own_gemm (kernels/gemm/cpu/own) once per engine and round: each
tile of the own GEMM's widest ISA (as flopscope's probe tries them, the
fastest verified one counts), then each library configuration
(BLIS_ARCH_TYPE, OPENBLAS_CORETYPE), each in its own process (the libraries export the same symbols and fix their
kernels at load time). The order alternates between rounds, so a drift of the
shared machine's clock does not always favour one side. Each series is
verified by bench_own_gemm (column checksums); an unverified or failed series
counts as missing, never as a figure.

Per precision and size it prints the best own tile's median GFLOP/s, its efficiency
(each repetition against the peak at the clock probed on either side of it,
median over the repetitions), the best library configuration of each round,
and own / best library: the median of the rounds' ratios. Then it checks
issue 4's bars in every round (n=4096: DGEMM and SGEMM at >= 85% of the peak
at the measured clock, DGEMM >= 1.10 x the best library; n=1024 and 2048
within 3% of the best library; cv below 2%).

  scripts/bench-own-gemm.py [--rounds 2] [--reps 10] [--min-seconds 1]
      [--sizes 1024,2048,4096] [--precisions fp64,fp32]
      [--libraries blis:skx,openblas:Cooperlake,openblas:SkylakeX]
      [--bench PATH] [--log DIR]

Exit codes: 0 every bar held in every round, 1 a bar did not hold (or a series
failed its check), 2 bad usage, 3 bench_own_gemm or every library missing.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile

LIBDIR = "/usr/lib/x86_64-linux-gnu"
LIBRARIES = {"blis": (f"{LIBDIR}/blis-openmp/libblis.so.4", "BLIS_ARCH_TYPE"),
             "openblas": (f"{LIBDIR}/libopenblas.so.0", "OPENBLAS_CORETYPE")}

# Configurations whose kernels need AVX-512 (a library would die of SIGILL
# or fall back to another kernel without it); the rest need AVX2 at most.
NEEDS = {"skx": "avx512f", "knl": "avx512f", "SkylakeX": "avx512f", "Cooperlake": "avx512_bf16",
         "SapphireRapids": "avx512_fp16"}

# Issue 4's acceptance.
EFFICIENCY_BAR = 0.85  # n=4096, both precisions
RATIO_BAR_LARGE = 1.10  # n=4096, DGEMM
RATIO_BAR_SMALL = 0.97  # n=1024 and 2048
CV_BAR = 0.02
LARGE = 4096


def fail(code, message):
    print(f"bench-own-gemm: {message}", file=sys.stderr)
    sys.exit(code)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument("--sizes", default="1024,2048,4096")
    p.add_argument("--precisions", default="fp64,fp32")
    p.add_argument("--libraries", default="blis:skx,openblas:Cooperlake,openblas:SkylakeX")
    p.add_argument("--bench", help="bench_own_gemm (default: the newest under build/)")
    p.add_argument("--log", help="folder for each run's output (default: a new one in /tmp)")
    try:
        a = p.parse_args()
    except SystemExit as e:
        sys.exit(2 if e.code else 0)
    if a.rounds < 1 or a.reps < 1 or a.min_seconds <= 0:
        fail(2, "--rounds, --reps and --min-seconds must be positive")
    try:
        a.sizes = [int(s) for s in a.sizes.split(",")]
    except ValueError:
        fail(2, f"--sizes: not a list of integers: {a.sizes}")
    if any(n < 1 for n in a.sizes):
        fail(2, "--sizes must be positive")
    a.precisions = a.precisions.split(",")
    if any(pr not in ("fp64", "fp32") for pr in a.precisions):
        fail(2, "--precisions: fp64 and fp32 only")
    a.libraries = [tuple(x.split(":", 1)) for x in a.libraries.split(",") if x]
    for lib in a.libraries:
        if len(lib) != 2 or lib[0] not in LIBRARIES or not lib[1]:
            fail(2, f"--libraries: not blis:CONFIG or openblas:CORETYPE: {':'.join(lib)}")
    return a


def find_bench(path):
    if path:
        if not os.access(path, os.X_OK):
            fail(3, f"{path}: not an executable")
        return path
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    found = glob.glob(os.path.join(root, "build", "*", "kernels/gemm/cpu/own/bench_own_gemm"))
    if not found:
        fail(3, "no bench_own_gemm under build/: build first (scripts/test.sh) or pass --bench")
    return max(found, key=os.path.getmtime)


def own_engines(bench):
    """The widest ISA's tiles, paired across precisions by their order:
    [("own", {"fp64": name, "fp32": name}), ...]."""
    out = subprocess.run([bench, "--list-variants"], capture_output=True, text=True)
    if out.returncode != 0:
        fail(3, f"{bench} --list-variants: {out.stderr.strip() or out.returncode}")
    names = {"fp64": [], "fp32": []}
    for line in out.stdout.split("\n"):
        if line.strip():
            precision, name = line.split()
            names[precision].append(name)
    family = lambda name: name.split("-")[1]  # flopscope-ISA-MRxNR
    for precision, listed in names.items():
        names[precision] = [n for n in listed if family(n) == family(listed[0])]
    count = max(len(v) for v in names.values())
    if count == 0:
        fail(3, "no own GEMM variant runs on this CPU")
    return [("own", {p: v[i] for p, v in names.items() if i < len(v)}) for i in range(count)]


def run_engine(a, bench, engine, log_path):
    """One bench_own_gemm process: {(precision, n): series dict}, and its exit code."""
    cmd = [bench, "--precisions", ",".join(a.precisions), "--sizes",
           ",".join(map(str, a.sizes)), "--reps", str(a.reps), "--min-seconds", str(a.min_seconds)]
    env = dict(os.environ)
    for var in ("OPENBLAS_CORETYPE", "BLIS_ARCH_TYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "BLIS_NUM_THREADS"):
        env.pop(var, None)
    if engine[0] == "own":
        cmd += ["--variant", ",".join(engine[1].values())]
    else:
        family, config = engine
        library, variable = LIBRARIES[family]
        cmd += ["--engine", library]
        env[variable] = config
    with open(log_path, "w") as log:
        rc = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    series = {}
    with open(log_path) as log:
        for line in log:
            if not line.startswith("series "):
                continue
            s = dict(kv.split("=", 1) for kv in line.split()[1:])
            if s["verified"] != "yes":
                continue
            key = (s["precision"], int(s["n"]))
            series[key] = {k: float(v) for k, v in s.items()
                           if k not in ("precision", "n", "verified")}
    return series, rc


def engine_name(engine):
    if engine[0] == "own":  # "own 24x8/48x8"
        return "own " + "/".join(tile(name) for name in engine[1].values())
    return f"{engine[0]} {engine[1]}"


def tile(variant):  # flopscope-avx512-24x8: 24x8
    return variant.split("-")[-1]


def is_own(name):
    return name.startswith("own ")


def main():
    a = parse_args()
    bench = find_bench(a.bench)
    log_dir = a.log or tempfile.mkdtemp(prefix="flopscope-own-gemm-")
    os.makedirs(log_dir, exist_ok=True)
    flags = set()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            flags = set(next((l for l in f if l.startswith("flags")), "").split())
    libraries = []
    for lib in a.libraries:
        need = NEEDS.get(lib[1])
        if not os.path.exists(LIBRARIES[lib[0]][0]):
            print(f"bench-own-gemm: {lib[0]} is not installed, skipped", file=sys.stderr)
        elif need and need not in flags:
            print(f"bench-own-gemm: {':'.join(lib)} needs {need}, skipped", file=sys.stderr)
        else:
            libraries.append(lib)
    if not libraries:
        fail(3, "none of the libraries is installed (scripts/install-deps.sh installs them)")
    own = own_engines(bench)
    tiles = {engine_name(e): {p: tile(v) for p, v in e[1].items()} for e in own}
    print(f"bench: {bench}; logs in {log_dir}", file=sys.stderr)

    keys = [(p, n) for p in a.precisions for n in a.sizes]
    # rounds[r][engine name] = series dict from that run
    rounds = []
    ok = True
    for r in range(a.rounds):
        engines = own + libraries
        if r % 2:
            engines.reverse()
        got = {}
        for e in engines:
            name = engine_name(e)
            log = os.path.join(log_dir, f"round{r + 1}-{name.replace(' ', '-').replace('/', '+')}.log")
            print(f"round {r + 1}/{a.rounds}: {name}", file=sys.stderr, flush=True)
            series, rc = run_engine(a, bench, e, log)
            if rc != 0 or len(series) < len(keys):
                print(f"bench-own-gemm: {name} in round {r + 1} exited {rc} with "
                      f"{len(series)} of {len(keys)} verified series (see {log})", file=sys.stderr)
                if is_own(name):
                    ok = False
            got[name] = series
        rounds.append(got)

    print(f"\n{'precision':<9} {'n':>5} {'best own':>9} {'GFLOP/s':>8} {'eff median':>10} "
          f"{'eff worst':>9} {'cv':>5} {'best library':>19} {'GFLOP/s':>8} {'own/best':>8}  bars")
    for key in keys:
        precision, n = key
        own_rates, own_names, effs, worst, cvs = [], [], [], [], []
        ratios, best_names, best_rates = [], [], []
        failures = []
        for r, got in enumerate(rounds):
            owns = [(s[key]["median_gflops"], name) for name, s in got.items()
                    if is_own(name) and key in s]
            libs = [(s[key]["median_gflops"], name) for name, s in got.items()
                    if not is_own(name) and key in s]
            if not owns:
                failures.append(f"round {r + 1}: no verified own figure")
                continue
            o = got[max(owns)[1]][key]
            own_rates.append(o["median_gflops"])
            own_names.append(tiles[max(owns)[1]][precision])
            effs.append(o["efficiency_median"])
            worst.append(o["efficiency_worst"])
            cvs.append(o["cv"])
            if o["cv"] >= CV_BAR:
                failures.append(f"round {r + 1}: cv {100 * o['cv']:.1f}%")
            if n == LARGE and not o["efficiency_median"] >= EFFICIENCY_BAR:
                failures.append(f"round {r + 1}: {100 * o['efficiency_median']:.1f}% of peak")
            if libs:
                rate, name = max(libs)
                best_rates.append(rate)
                best_names.append(name)
                ratio = o["median_gflops"] / rate
                ratios.append(ratio)
                bar = RATIO_BAR_LARGE if n == LARGE else RATIO_BAR_SMALL
                if (n == LARGE and precision == "fp64") or n != LARGE:
                    if ratio < bar:
                        failures.append(f"round {r + 1}: {ratio:.3f} x {name} (bar {bar:.2f})")
        ok = ok and not failures
        med = statistics.median

        def pct(v):
            return f"{100 * med(v):.1f}%" if v else "-"

        def most(names):
            return max(set(names), key=names.count) if names else "-"

        print(f"{precision:<9} {n:>5} {most(own_names):>9} "
              f"{med(own_rates) if own_rates else 0:>8.1f} {pct(effs):>10} "
              f"{(f'{100 * min(worst):.1f}%' if worst else '-'):>9} "
              f"{(f'{100 * max(cvs):.1f}%' if cvs else '-'):>5} "
              f"{most(best_names):>19} "
              f"{med(best_rates) if best_rates else 0:>8.1f} "
              f"{(f'{med(ratios):.3f}' if ratios else '-'):>8}  "
              f"{'; '.join(failures) if failures else 'held'}")
    print("\nall bars held in every round" if ok else "\nsome bars did not hold")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
