#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""NUTS marginal sds against the Laplace sds of a flat-field fit (issue #11 §4;
docs/calibration.md "NUTS at 10^4 parameters").

Reads an `airy fit` run directory made with sampler.metric_init = "laplace" on a flat-field
posterior: laplace.csv (parameter, unit, map, crb, laplace_sd: the Schur-complement Laplace sd
at the MAP the chains started from), summary.csv (NUTS mean, sd, mcse_sd, ess_bulk, ess_tail,
r_hat per parameter), chain_*.csv (tree depth, leapfrogs, divergences per draw) and
run_info.toml (wall time, gradient evaluations).

For each parameter: r = sd_NUTS / sd_Laplace, and z = (sd_NUTS - sd_Laplace) / mcse_sd, the
difference in units of the Monte-Carlo error of the NUTS sd (mcse_sd: the delta method on the
ESS of the squared centred draws, as ArviZ). If the Laplace sds are the posterior's, z is
about N(0, 1): |z| > 2 for ~4.6 % and |z| > 3 for ~0.27 % of the parameters.

    python3 tools/calibration_nuts_compare.py RUN_DIR [--prior-sd 0.05]
"""
import argparse
import csv
import glob
import math
import os
import re
import statistics
import tomllib


def quantiles(v, ps=(0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)):
    s = sorted(v)
    return [s[min(len(s) - 1, int(p * (len(s) - 1) + 0.5))] for p in ps]


def group(name):
    return re.sub(r"\[\d+\]$", "", name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--prior-sd", type=float, default=0.05,
                    help="the flat field's prior sd (pixels whose Laplace sd is below 0.9 of it "
                         "are 'data-informed')")
    a = ap.parse_args()
    lap = {}
    with open(os.path.join(a.run, "laplace.csv"), newline="") as f:
        for r in csv.DictReader(f):
            lap[r["parameter"]] = (float(r["map"]), float(r["laplace_sd"]))
    nuts = {}
    with open(os.path.join(a.run, "summary.csv"), newline="") as f:
        for r in csv.DictReader(f):
            nuts[r["name"]] = {k: float(v) for k, v in r.items() if k != "name"}
    names = [n for n in lap if n in nuts]

    # Sampler statistics from the chains (post-warmup rows; only the first 7 columns parsed).
    depth, leap, div, steps = [], [], 0, set()
    for path in sorted(glob.glob(os.path.join(a.run, "chain_*.csv"))):
        header = None
        with open(path) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    if line.startswith("# Step size"):
                        steps.add(float(line.split("=")[1]))
                    continue
                fields = line.split(",", 7)
                if header is None:
                    header = fields[:7]
                    continue
                row = dict(zip(header, fields[:7]))
                depth.append(int(float(row["treedepth__"])))
                leap.append(int(float(row["n_leapfrog__"])))
                div += int(float(row["divergent__"]))
    with open(os.path.join(a.run, "run_info.toml"), "rb") as f:
        info = tomllib.load(f)
    numbers = info.get("numbers", info)

    print(f"NUTS vs Laplace in {a.run}: {len(names)} parameters\n")
    wall = numbers.get("wall_seconds", float("nan"))
    grads = numbers.get("gradient_evaluations", float("nan"))
    print(f"sampling: {len(depth)} post-warmup draws in {len(glob.glob(os.path.join(a.run, 'chain_*.csv')))} "
          f"chains, wall {wall:.0f} s (sampler, warmup included), {grads:.0f} gradient evaluations "
          f"({1000 * wall / grads:.1f} ms each), MAP {numbers.get('map_seconds', float('nan')):.1f} s "
          f"/ {numbers.get('map_gradient_evaluations', float('nan')):.0f} evaluations; "
          f"{div} divergences; step sizes {', '.join(f'{s:.3g}' for s in sorted(steps))}")
    hist = {d: depth.count(d) for d in sorted(set(depth))}
    print("tree depth (post-warmup draws): " + ", ".join(f"{d}: {c}" for d, c in hist.items())
          + f"; leapfrogs per draw mean {statistics.mean(leap):.1f}, max {max(leap)}")
    ess_b = [nuts[n]["ess_bulk"] for n in names]
    ess_t = [nuts[n]["ess_tail"] for n in names]
    rhat = [nuts[n]["r_hat"] for n in names]
    print(f"ESS bulk: min {min(ess_b):.0f}, 1% {quantiles(ess_b)[0]:.0f}, median "
          f"{statistics.median(ess_b):.0f}; ESS tail: min {min(ess_t):.0f}, median "
          f"{statistics.median(ess_t):.0f}; max R-hat {max(rhat):.3f}; min ESS bulk per gradient "
          f"{min(ess_b) / grads:.2e}, per second {min(ess_b) / wall:.3f}")
    worst = min(names, key=lambda n: nuts[n]["ess_bulk"])
    print(f"  lowest ESS bulk: {worst} ({nuts[worst]['ess_bulk']:.0f})")

    sets = [("all", names),
            ("flat field, data-informed (Laplace sd < 0.9 prior sd)",
             [n for n in names if group(n) == "map" and lap[n][1] < 0.9 * a.prior_sd]),
            ("flat field, prior-dominated",
             [n for n in names if group(n) == "map" and lap[n][1] >= 0.9 * a.prior_sd])]
    for g in dict.fromkeys(group(n) for n in names if group(n) != "map"):
        sets.append((g, [n for n in names if group(n) == g]))
    print(f"\n{'set':<55} {'n':>6}  r = sd_NUTS/sd_Laplace: {'1%':>6} {'5%':>6} {'25%':>6} "
          f"{'50%':>6} {'75%':>6} {'95%':>6} {'99%':>6} {'mean':>6}   z: mean  sd  |z|>2  |z|>3"
          f"   rel. MC err of sd (median)")
    for label, ns in sets:
        if not ns:
            continue
        r = [nuts[n]["sd"] / lap[n][1] for n in ns]
        z = [(nuts[n]["sd"] - lap[n][1]) / nuts[n]["mcse_sd"] for n in ns]
        rel = [nuts[n]["mcse_sd"] / nuts[n]["sd"] for n in ns]
        q = quantiles(r)
        print(f"{label:<55} {len(ns):>6}  {'':>24}" + " ".join(f"{x:>6.3f}" for x in q)
              + f" {statistics.mean(r):>6.3f}   {statistics.mean(z):+.2f} "
              f"{statistics.stdev(z) if len(z) > 1 else float('nan'):.2f} "
              f"{100 * sum(abs(x) > 2 for x in z) / len(z):5.1f}% "
              f"{100 * sum(abs(x) > 3 for x in z) / len(z):5.2f}%   {statistics.median(rel):.3f}")
    # The posterior mean against the MAP (the Laplace approximation's centre), in Laplace sds.
    d = [(nuts[n]["mean"] - lap[n][0]) / lap[n][1] for n in names]
    print(f"\n(posterior mean - MAP) / Laplace sd: quantiles 1/50/99 % "
          + "/".join(f"{x:+.3f}" for x in quantiles(d, (0.01, 0.5, 0.99)))
          + f"; largest {max(d, key=abs):+.3f} ("
          + f"{names[max(range(len(d)), key=lambda i: abs(d[i]))]})")
    print("\nglobals (site units):")
    print(f"  {'parameter':<18} {'MAP':>12} {'Laplace sd':>11} {'NUTS mean':>12} {'NUTS sd':>11}"
          f" {'mcse_sd':>9} {'ratio':>6} {'ESS bulk':>9} {'R-hat':>6}")
    for n in names:
        if group(n) == "map":
            continue
        x = nuts[n]
        print(f"  {n:<18} {lap[n][0]:>12.6g} {lap[n][1]:>11.4g} {x['mean']:>12.6g} "
              f"{x['sd']:>11.4g} {x['mcse_sd']:>9.2g} {x['sd'] / lap[n][1]:>6.3f} "
              f"{x['ess_bulk']:>9.0f} {x['r_hat']:>6.3f}")


if __name__ == "__main__":
    main()
