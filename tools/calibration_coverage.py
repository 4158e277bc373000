#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Aggregates the coverage of the Laplace intervals over simulated calibration data sets
(tools/calibration_coverage.sh; docs/calibration.md "Coverage over data sets").

Each set OUT/set_K holds truth.toml (the simulation's true values) and map/optimize.csv
(parameter, unit, value, crb, laplace_sd at the MAP). For every parameter with a truth,
z = (MAP - true) / laplace_sd; the interval +-1 sd has nominal coverage 68.27 %, +-2 sd 95.45 %.

Errors: the flat-field pixels of one set share the global parameters' errors (the fluxes
scale whole stars' pixels), so they are not independent draws. Two errors are given: the
binomial sd sqrt(p (1 - p) / n) of the pooled fraction (valid if the pixels were
independent), and the standard error of the mean of the per-set fractions over the S sets
(sd over sets / sqrt(S)), which holds whatever the correlation within a set.

    python3 tools/calibration_coverage.py OUT [--first 1] [--count 20]
"""
import argparse
import csv
import math
import os
import re
import sys
import tomllib

P1 = math.erf(1 / math.sqrt(2))  # 0.6827
P2 = math.erf(2 / math.sqrt(2))  # 0.9545


def load_set(path):
    with open(os.path.join(path, "truth.toml"), "rb") as f:
        truth = {k: v for k, v in tomllib.load(f).items() if isinstance(v, float | int)}
    rows = []
    with open(os.path.join(path, "map", "optimize.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["parameter"] in truth:
                sd = float(r["laplace_sd"])
                value = float(r["value"])
                rows.append((r["parameter"], truth[r["parameter"]], value,
                             sd, (value - truth[r["parameter"]]) / sd))
    return rows


def group(name):
    return re.sub(r"\[\d+\]$", "", name)


def mean_sd(v):
    m = sum(v) / len(v)
    s = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else float("nan")
    return m, s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    a = ap.parse_args()
    sets = []
    for k in range(a.first, a.first + a.count):
        d = os.path.join(a.out, f"set_{k}")
        if not os.path.isfile(os.path.join(d, "map", "optimize.csv")):
            sys.exit(f"calibration_coverage.py: {d}/map/optimize.csv missing")
        sets.append((k, load_set(d)))
    S = len(sets)
    print(f"Coverage of the Laplace intervals over {S} data sets (seeds {a.first}.."
          f"{a.first + S - 1}); nominal {100 * P1:.2f} % (+-1 sd), {100 * P2:.2f} % (+-2 sd)\n")

    # Flat field: per set and pooled.
    per = []
    lines = ["set,n_flat,flat_in_1sd,flat_in_2sd,flat_mean_abs_error,globals,globals_in_1sd,"
             "globals_in_2sd"]
    print(f"{'set':>4} {'pixels':>7} {'in 1 sd %':>10} {'in 2 sd %':>10} {'mean|err|':>10}"
          f" {'globals in 1 sd':>16} {'in 2 sd':>8}")
    for k, rows in sets:
        flat = [r for r in rows if group(r[0]) == "map"]
        glob = [r for r in rows if group(r[0]) != "map"]
        f1 = sum(abs(r[4]) <= 1 for r in flat) / len(flat)
        f2 = sum(abs(r[4]) <= 2 for r in flat) / len(flat)
        err = sum(abs(r[2] - r[1]) for r in flat) / len(flat)
        g1 = sum(abs(r[4]) <= 1 for r in glob)
        g2 = sum(abs(r[4]) <= 2 for r in glob)
        per.append((len(flat), f1, f2))
        print(f"{k:>4} {len(flat):>7} {100 * f1:>10.2f} {100 * f2:>10.2f} {err:>10.4f}"
              f" {g1:>10}/{len(glob):<5} {g2:>3}/{len(glob)}")
        lines.append(f"{k},{len(flat)},{f1:.6f},{f2:.6f},{err:.6g},{len(glob)},{g1},{g2}")
    with open(os.path.join(a.out, "coverage_sets.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    n = sum(p[0] for p in per)
    print(f"\nflat field, {S} sets x {per[0][0]} pixels = {n} true values:")
    for label, idx, p in (("+-1 sd", 1, P1), ("+-2 sd", 2, P2)):
        pooled = sum(q[0] * q[idx] for q in per) / n
        binom = math.sqrt(p * (1 - p) / n)
        m, s = mean_sd([q[idx] for q in per])
        se = s / math.sqrt(S)
        print(f"  {label}: pooled {100 * pooled:.2f} % (nominal {100 * p:.2f} %, binomial sd "
              f"{100 * binom:.2f} %, {(pooled - p) / binom:+.2f} binomial sds); per set "
              f"{100 * min(q[idx] for q in per):.2f}-{100 * max(q[idx] for q in per):.2f} %, "
              f"mean {100 * m:.2f} %, sd over sets {100 * s:.2f} % (one set's binomial sd "
              f"{100 * math.sqrt(p * (1 - p) / per[0][0]):.2f} %), standard error of the mean "
              f"{100 * se:.2f} % ({(m - p) / se:+.2f} standard errors)")

    # Globals: per group and per parameter, over the sets.
    names = [r[0] for r in sets[0][1] if group(r[0]) != "map"]
    z = {nm: [] for nm in names}
    for _, rows in sets:
        for r in rows:
            if r[0] in z:
                z[r[0]].append(r[4])
    print(f"\nglobal parameters, (MAP - true) / Laplace sd over the {S} sets:")
    print(f"  {'group':<14} {'values':>6} {'in 1 sd %':>10} {'in 2 sd %':>10} {'mean z':>8}"
          f" {'rms z':>7}  (binomial sds of the fractions; rms z nominal 1 +- 1/sqrt(2 n))")
    groups = []
    for nm in names:
        if group(nm) not in groups:
            groups.append(group(nm))
    allz = []
    for g in groups + ["all"]:
        v = [x for nm in names if g == "all" or group(nm) == g for x in z[nm]]
        if g != "all":
            allz += v
        c1 = sum(abs(x) <= 1 for x in v) / len(v)
        c2 = sum(abs(x) <= 2 for x in v) / len(v)
        rms = math.sqrt(sum(x * x for x in v) / len(v))
        print(f"  {g:<14} {len(v):>6} {100 * c1:>6.1f}+-{100 * math.sqrt(P1 * (1 - P1) / len(v)):<4.1f}"
              f" {100 * c2:>5.1f}+-{100 * math.sqrt(P2 * (1 - P2) / len(v)):<4.1f}"
              f" {sum(v) / len(v):>8.3f} {rms:>7.3f}+-{1 / math.sqrt(2 * len(v)):.3f}")
    print(f"\n  {'parameter':<18} {'in 1 sd':>8} {'in 2 sd':>8} {'mean z':>8} {'rms z':>7}")
    for nm in names:
        v = z[nm]
        print(f"  {nm:<18} {sum(abs(x) <= 1 for x in v):>4}/{len(v):<3} "
              f"{sum(abs(x) <= 2 for x in v):>4}/{len(v):<3} {sum(v) / len(v):>8.3f} "
              f"{math.sqrt(sum(x * x for x in v) / len(v)):>7.3f}")


if __name__ == "__main__":
    main()
