#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""airy.sample from Python vs the CLI's `airy fit` on the same config, data, seed and sampler
settings (issue #12 §5: the Python overhead, target <= 5% of wall time).

Each repetition runs, back to back so that both see the same load:
  CLI:     airy fit CONFIG --data DATA --out DIR --chains C --warmup W --samples S --seed N
           --threads T --quiet --no-plots            (wall of the whole process)
  Python:  airy.sample(airy.load_config(CONFIG), data, same options, progress_bar=False)
           (wall of load_config + sample + the ArviZ conversion, in one warm interpreter),
           once with the per-pixel log_likelihood group (the default) and once without.
The order alternates between repetitions. Besides wall time, each run's CPU time (user + sys:
the CLI process's from getrusage(RUSAGE_CHILDREN), Python's from time.process_time(), which
includes the sampler's C++ threads), the measure that stays meaningful on a loaded machine. Both follow the config's [sampler] table (for
tutorial6.toml: init = "map" with 16 L-BFGS starts, metric_init = "laplace"), and the script
checks that both produced the same draws (the same seed gives the same chains).

Usage: python_vs_cli.py CONFIG DATA.fits OUT [--airy build/apps/airy/airy] [--chains 4]
       [--warmup 1000] [--samples 1000] [--seed 1] [--threads 2] [--reps 2]
Writes OUT/result.json and OUT/table.md.
"""
import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import time

import numpy as np

import airy

ap = argparse.ArgumentParser()
ap.add_argument("config")
ap.add_argument("data")
ap.add_argument("out")
ap.add_argument("--airy", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "apps", "airy", "airy"))
ap.add_argument("--chains", type=int, default=4)
ap.add_argument("--warmup", type=int, default=1000)
ap.add_argument("--samples", type=int, default=1000)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--reps", type=int, default=2)
args = ap.parse_args()

from astropy.io import fits  # noqa: E402

# A warm interpreter (a notebook that has used airy.sample before) has ArviZ/xarray loaded;
# their first import (seconds of CPU) is measured apart, not charged to every airy.sample.
_t, _c = time.perf_counter(), time.process_time()
import arviz  # noqa: E402,F401
IMPORT_S = (time.perf_counter() - _t, time.process_time() - _c)

data = np.asarray(fits.getdata(args.data), dtype=np.float64)
os.makedirs(args.out, exist_ok=True)


def load():
    return round(os.getloadavg()[0], 2)


def cli():
    out = os.path.join(args.out, "cli")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [args.airy, "fit", args.config, "--data", args.data, "--out", out, "--chains", str(args.chains),
           "--warmup", str(args.warmup), "--samples", str(args.samples), "--seed", str(args.seed),
           "--threads", str(args.threads), "--quiet", "--no-plots"]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    # The first chain's draws of the first parameter, to check that both sides ran the same chain.
    with open(os.path.join(out, "chain_1.csv")) as fh:
        rows = [r for r in csv.reader(line for line in fh if not line.startswith("#"))]
    head = rows[0]
    return wall, cpu, head, np.array([[float(x) for x in r] for r in rows[1:]])


def python(log_likelihood):
    c0 = time.process_time()
    t0 = time.perf_counter()
    cfg = airy.load_config(args.config)
    idata = airy.sample(cfg, data, num_chains=args.chains, num_warmup=args.warmup, num_samples=args.samples,
                        seed=args.seed, num_threads=args.threads, progress_bar=False, log_likelihood=log_likelihood)
    return time.perf_counter() - t0, time.process_time() - c0, idata


runs = []
for rep in range(args.reps):
    order = ["cli", "py", "py_noll"] if rep % 2 == 0 else ["py_noll", "py", "cli"]
    for side in order:
        before = load()
        if side == "cli":
            wall, cpu, head, chain = cli()
            cli_chain = (head, chain)
        else:
            wall, cpu, idata = python(side == "py")
            py_idata = idata
        runs.append({"rep": rep, "side": side, "wall_s": wall, "cpu_s": cpu, "load_before": before,
                     "load_after": load()})
        print(f"rep {rep} {side:8s} wall {wall:7.2f} s  cpu {cpu:7.2f} s  load {before} -> {load()}", flush=True)

# Same draws? The CLI's chain 1 vs airy.sample's chain 0, parameter by parameter.
head, chain = cli_chain
same = {}
for name in py_idata.posterior.data_vars:
    if name in head:
        a = chain[:, head.index(name)]
        b = py_idata.posterior[name].values[0]
        same[name] = float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))

med = {s: float(np.median([r["wall_s"] for r in runs if r["side"] == s])) for s in ("cli", "py", "py_noll")}
cpu = {s: float(np.median([r["cpu_s"] for r in runs if r["side"] == s])) for s in ("cli", "py", "py_noll")}
result = {"config": args.config, "chains": args.chains, "warmup": args.warmup, "samples": args.samples,
          "seed": args.seed, "threads": args.threads, "runs": runs, "median_wall_s": med, "median_cpu_s": cpu,
          "overhead_wall_with_log_likelihood": med["py"] / med["cli"] - 1,
          "overhead_wall_without_log_likelihood": med["py_noll"] / med["cli"] - 1,
          "overhead_cpu_with_log_likelihood": cpu["py"] / cpu["cli"] - 1,
          "overhead_cpu_without_log_likelihood": cpu["py_noll"] / cpu["cli"] - 1,
          "draws_max_rel_diff": same, "arviz_import_wall_cpu_s": IMPORT_S, "airy": airy.__version__, "cores": os.cpu_count()}
with open(os.path.join(args.out, "result.json"), "w") as fh:
    json.dump(result, fh, indent=1)
lines = ["| run | wall s (CPU s) per repetition, load before | median wall s | vs CLI | median CPU s | vs CLI |",
         "|---|---|---|---|---|---|"]
labels = {"cli": "`airy fit` (CLI, --no-plots)", "py": "`airy.sample(cfg, data)` (with log_likelihood)",
          "py_noll": "`airy.sample(..., log_likelihood=False)`"}
for s in ("cli", "py", "py_noll"):
    per = ", ".join(f"{r['wall_s']:.1f} ({r['cpu_s']:.1f}), {r['load_before']}" for r in runs if r["side"] == s)
    rel = "" if s == "cli" else f"{100 * (med[s] / med['cli'] - 1):+.1f}%"
    rel_cpu = "" if s == "cli" else f"{100 * (cpu[s] / cpu['cli'] - 1):+.1f}%"
    lines.append(f"| {labels[s]} | {per} | {med[s]:.1f} | {rel} | {cpu[s]:.1f} | {rel_cpu} |")
lines.append("")
lines.append(f"{args.chains} chains x ({args.warmup} + {args.samples}), seed {args.seed}, {args.threads} threads; "
             f"chain 1's draws: max relative difference CLI vs Python "
             f"{max(same.values()) if same else float('nan'):.1e} over {len(same)} parameters; "
             f"`import arviz` before the runs: {IMPORT_S[0]:.1f} s wall, {IMPORT_S[1]:.1f} s CPU.")
with open(os.path.join(args.out, "table.md"), "w") as fh:
    fh.write("\n".join(lines) + "\n")
print("\n".join(lines))
