#!/usr/bin/env python3
"""flopscope's file readers (compare, certify, report, merge, devices --topology) on
damaged input.

Takes real results made here (a quick peak run, a soak, and where mpirun
runs, a two-rank rack run with its rank files) and a reference file from
results/references, damages copies of them (a value of
the wrong type or range, a key removed, the file cut short: one to three
changes each, from a fixed seed) and runs each reader on them; likewise an
hwloc recording for `devices --topology` (lines dropped or repeated,
attribute values replaced). Every run must
end the way DESIGN.md's exit codes say: 0 or 1, or 2 or 3 with exactly one
line on stderr, and never a crash, an uncaught exception or a sanitizer
report (this script is what scripts/test.sh --sanitize runs too).

    check-readers-on-mutated-files.py FLOPSCOPE REFERENCE TOPOLOGY [RUNS]
"""
import copy
import json
import os
import random
import re
import subprocess
import sys
import tempfile

# Values that no field expects all of: wrong types, empty ones, extremes.
# A long name too: the readers' schema check must refuse it before its
# (recursive) regex matching runs out of stack.
ODD_VALUES = [None, "", "x", -1, 0, 3.5, 1e308, -1e308, 2**63, True, [], {}, [1, "a"],
              {"a": 1}, "NaN", "fp64", "cpu0", "cpu" + "7" * 100000]
ODD_ATTRIBUTES = ["", "-1", "0", "1.5", "x", "4294967295", "99999999999999999999"]
CRASH_SIGNS = ["Sanitizer", "runtime error:", "terminate called", "what():", "Segmentation"]


def node_paths(doc, path=()):
    """Every path into doc, following at most three entries of each list."""
    yield path
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from node_paths(value, path + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:3]):
            yield from node_paths(value, path + (i,))


def damaged(doc, rng):
    doc = copy.deepcopy(doc)
    paths = [p for p in node_paths(doc) if p]
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(paths)
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict) and rng.random() < 0.3:
                del parent[path[-1]]
            else:
                parent[path[-1]] = rng.choice(ODD_VALUES)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change removed or replaced the way there
    text = json.dumps(doc)
    return text[: rng.randint(0, len(text))] if rng.random() < 0.1 else text


def damaged_xml(text, rng):
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(lines))
        change = rng.random()
        if change < 0.4:
            del lines[at]
        elif change < 0.8:
            lines[at] = re.sub(r'="[^"]*"', '="' + rng.choice(ODD_ATTRIBUTES) + '"', lines[at],
                               count=1)
        else:
            lines.insert(at, lines[rng.randrange(len(lines))])
    return "\n".join(lines)


def run(flopscope, args):
    """None when the run ended as documented, else what went wrong."""
    try:
        r = subprocess.run([flopscope] + args, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "still running after 120 s"
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    crashed = [s for s in CRASH_SIGNS if s in r.stderr]
    if r.returncode not in (0, 1, 2, 3) or crashed:
        return f"exit {r.returncode}: " + " | ".join(lines[:8])
    if r.returncode in (2, 3) and len(lines) != 1:
        return f"exit {r.returncode} with {len(lines)} lines on stderr: " + " | ".join(lines[:4])
    return None


def make_result(flopscope, folder, name, extra):
    path = os.path.join(folder, name)
    cmd = [flopscope, "run", "--devices", "cpu", "--kernels", "peak", "--precisions", "fp64",
           "--quiet", "--output", path] + extra
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    with open(path) as f:
        return path, json.load(f)


def make_rack(flopscope, folder):
    """The rack result and its two rank files, or None without mpirun or MPI."""
    if subprocess.run(["sh", "-c", "command -v mpirun"], capture_output=True).returncode != 0:
        print("no rack files: no mpirun")
        return None
    out = os.path.join(folder, "rack.json")
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2",
           flopscope, "run", "--quick", "--kernels", "peak", "--precisions", "fp64", "--quiet",
           "--output", out, "--", "--benchmark_min_time=0.01", "--benchmark_repetitions=2",
           "--benchmark_min_warmup_time=0"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        print("no rack files: mpirun still running after 120 s")
        return None
    ranks = [os.path.join(folder, f"rack.rank{i}.json") for i in (0, 1)]
    # Exit 1 is a rank below its peer on two shared cores: its files stand.
    if r.returncode not in (0, 1) or not all(os.path.exists(p) for p in ranks + [out]):
        why = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[0]
        print(f"no rack files (a build without MPI, or mpirun failed): {why}")
        return None
    docs = []
    for p in [out] + ranks:
        with open(p) as f:
            docs.append((p, json.load(f)))
    return docs


def main():
    flopscope, reference, topology = sys.argv[1], sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 120
    rng = random.Random(20261130)
    with open(reference) as f:
        ref_doc = json.load(f)
    with open(topology) as f:
        topology_xml = f.read()
    failures = []
    with tempfile.TemporaryDirectory(prefix="flopscope-mutated-") as d:
        results = [make_result(flopscope, d, "burst.json", ["--quick"]),
                   make_result(flopscope, d, "soak.json", ["--duration", "2s"])]
        rack = make_rack(flopscope, d)
        if rack:
            results.append(rack[0])
        else:
            print("merge sees lone results")
        for i in range(runs):
            # Each reader (i % 6) meets each result in turn.
            good_path, good_doc = results[i // 6 % len(results)]
            bad = os.path.join(d, "damaged.json")
            with open(bad, "w") as f:
                f.write(damaged(good_doc, rng))
            bad_ref = os.path.join(d, "damaged-reference.json")
            with open(bad_ref, "w") as f:
                f.write(damaged(ref_doc, rng))
            args = [["compare", good_path, bad],
                    ["certify", bad, "--reference", reference],
                    ["certify", good_path, "--reference", bad_ref],
                    ["report", bad, "--output", os.path.join(d, "report.html")],
                    ["merge", good_path, bad, "--output", os.path.join(d, "merged.json")],
                    ["devices", "--topology", bad]][i % 6]
            if args[0] == "devices":
                with open(bad, "w") as f:
                    f.write(damaged_xml(topology_xml, rng))
            if args[0] == "merge" and rack:
                # A rank file damaged beside its intact partner.
                rank_path, rank_doc = rack[1 + i // 6 % 2]
                with open(bad, "w") as f:
                    f.write(damaged(rank_doc, rng))
                partner = rack[2 if rank_path == rack[1][0] else 1][0]
                args = ["merge", partner, bad, "--output", os.path.join(d, "merged.json")]
            why = run(flopscope, args)
            if why:
                suffix = ".xml" if args[0] == "devices" else ".json"
                kept = os.path.join(tempfile.gettempdir(), f"flopscope-mutated-{i}{suffix}")
                with open(bad) as src, open(kept, "w") as dst:
                    dst.write(src.read())
                failures.append(f"{' '.join(args[:1])} on {kept}: {why}")
    for f in failures:
        print("FAIL:", f)
    print(f"{runs} damaged files, {len(failures)} ended badly")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
