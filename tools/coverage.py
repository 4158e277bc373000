#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Interval coverage of the flagship posterior (issue #4; driven by tools/coverage.sh).

  coverage.py config BASE_TOML K OUT_TOML   write data set K's config: examples/binary_star.toml
                                            with the 13 true values drawn from the priors
                                            (random.Random(K)), noise seed K, env NPIX
  coverage.py report OUT N                  read OUT/1..N (truth.toml, chain_*.csv, summary.csv),
                                            print the coverage table, write OUT/coverage.md

Standard library only.
"""
import csv
import glob
import math
import os
import random
import re
import sys

LEVEL = 0.90
RHAT_FLAG = 1.05

# (table, key, prior) in the flagship's prior order; the truths are drawn in this order.
SOURCE_PRIORS = [
    ("x_position", -0.1, 0.1),
    ("y_position", -0.1, 0.1),
    ("separation", 0.01, 0.5),
    ("position_angle", 80.0, 100.0),
    ("log_flux", 3.0, 4.0),
    ("contrast", 1.0, 5.0),
]
N_ZERNIKE = 7
ZERNIKE_SCALE_NM = 20.0
PARAMS = [p[0] for p in SOURCE_PRIORS] + [f"coefficients[{i}]" for i in range(1, N_ZERNIKE + 1)]


def draw_truths(k):
    rng = random.Random(k)
    src = {name: rng.uniform(lo, hi) for name, lo, hi in SOURCE_PRIORS}
    coeffs_nm = [rng.gauss(0.0, ZERNIKE_SCALE_NM) for _ in range(N_ZERNIKE)]
    return src, coeffs_nm


def make_config(base_text, k, npix):
    src, coeffs_nm = draw_truths(k)
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    keyline = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
    replace = {("optics", "npix"): f"npix = {npix}"}
    for name, value in src.items():
        replace[("source", name)] = f"{name} = {value!r}"
    replace[("noise", "seed")] = f"seed = {k}"
    drop = {("optics.aberrations", "coefficients_rms"), ("optics.aberrations", "coefficients_seed")}
    coeff_line = "coefficients = [" + ", ".join(repr(c * 1e-9) for c in coeffs_nm) + "]  # m"

    out, table, done = [], "", set()
    for line in base_text.splitlines():
        h = header.match(line)
        if h:
            table = h.group(1)
            out.append(line)
            if table == "optics.aberrations":
                out.append(coeff_line)
                done.add(("optics.aberrations", "coefficients"))
            continue
        m = keyline.match(line)
        if m:
            key = (table, m.group(1))
            if key in drop:
                done.add(key)
                continue
            if key in replace:
                out.append(replace[key] + f"  # coverage data set {k}")
                done.add(key)
                continue
        out.append(line)
    missing = (set(replace) | drop | {("optics.aberrations", "coefficients")}) - done
    if missing:
        sys.exit(f"coverage.py: base config lacks {sorted(missing)}")
    return f"# tools/coverage.py: data set {k}, truths drawn from the priors\n" + "\n".join(out) + "\n"


def read_truth(path):
    truth = {}
    with open(path) as f:
        for line in f:
            m = re.match(r'^\s*"([^"]+)"\s*=\s*(\S+)', line)
            if m:
                truth[m.group(1)] = float(m.group(2))
    return truth


def read_chains(run_dir):
    """Pooled draws per parameter and the divergence count over every chain_*.csv."""
    draws = {p: [] for p in PARAMS}
    divergent, n_chains = 0, 0
    files = sorted(glob.glob(os.path.join(run_dir, "chain_*.csv")))
    for path in files:
        with open(path) as f:
            rows = csv.reader(line for line in f if line.strip() and not line.startswith("#"))
            header = None
            for row in rows:
                if header is None:
                    header = [re.sub(r"\.(\d+)$", r"[\1]", c) for c in row]
                    idx = {p: header.index(p) for p in PARAMS}
                    div = header.index("divergent__") if "divergent__" in header else None
                    continue
                for p, i in idx.items():
                    draws[p].append(float(row[i]))
                if div is not None:
                    divergent += int(float(row[div]))
        n_chains += 1
    return draws, divergent, n_chains


def quantile(sorted_x, q):
    """Linear interpolation between order statistics (numpy's default, R type 7)."""
    h = (len(sorted_x) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_x) - 1)
    return sorted_x[lo] + (h - lo) * (sorted_x[hi] - sorted_x[lo])


def read_rhat(path):
    rhat = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            rhat[row["name"]] = float(row["r_hat"])
    return rhat


def binom_range(n, p, mass=0.95):
    """Central range [lo, hi] of Binomial(n, p) with at most (1 - mass)/2 in each tail."""
    pmf = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    tail = (1 - mass) / 2
    lo, acc = 0, 0.0
    while acc + pmf[lo] <= tail:
        acc += pmf[lo]
        lo += 1
    hi, acc = n, 0.0
    while acc + pmf[hi] <= tail:
        acc += pmf[hi]
        hi -= 1
    return lo, hi


def report(out_dir, n_requested):
    runs = []
    for k in range(1, n_requested + 1):
        d = os.path.join(out_dir, str(k))
        if not (os.path.exists(os.path.join(d, "summary.csv"))
                and os.path.exists(os.path.join(d, "truth.toml"))):
            continue
        truth = read_truth(os.path.join(d, "truth.toml"))
        draws, divergent, n_chains = read_chains(d)
        rhat = read_rhat(os.path.join(d, "summary.csv"))
        hits, widths = {}, {}
        for p in PARAMS:
            xs = sorted(draws[p])
            lo, hi = quantile(xs, (1 - LEVEL) / 2), quantile(xs, (1 + LEVEL) / 2)
            hits[p] = lo <= truth[p] <= hi
            widths[p] = (lo, hi)
        max_rhat = max(rhat[p] for p in PARAMS)
        runs.append(dict(k=k, truth=truth, hits=hits, interval=widths, max_rhat=max_rhat,
                         worst=max(PARAMS, key=lambda p: rhat[p]), divergent=divergent,
                         n_draws=len(draws[PARAMS[0]]), n_chains=n_chains))
    n = len(runs)
    if n == 0:
        sys.exit(f"coverage.py: no finished runs under {out_dir}")
    lo, hi = binom_range(n, LEVEL)
    lines = []
    w = lines.append
    w(f"Central {LEVEL:.0%} intervals of the pooled draws vs the truth over {n} simulated data "
      f"sets (truths drawn from the priors)" + ("" if n == n_requested else
                                               f"; {n} of {n_requested} requested runs finished") + ".")
    w(f"Expected per parameter: {LEVEL * n:.1f} of {n}; binomial 95% range {lo}–{hi}.")
    w("")
    w("| parameter | covered | of | rate | in binomial 95% range |")
    w("|---|---|---|---|---|")
    total = 0
    for p in PARAMS:
        c = sum(r["hits"][p] for r in runs)
        total += c
        w(f"| {p} | {c} | {n} | {c / n:.2f} | {'yes' if lo <= c <= hi else '**no**'} |")
    checks = len(PARAMS) * n
    rate = total / checks
    se = math.sqrt(rate * (1 - rate) / checks)
    se0 = math.sqrt(LEVEL * (1 - LEVEL) / checks)
    w(f"| **all** | {total} | {checks} | {rate:.3f} ± {se:.3f} | "
      f"z = {(rate - LEVEL) / se0:+.2f} vs {LEVEL} (SE under H0 {se0:.3f}) |")
    w("")
    w("(The 13 checks of one data set share one posterior, so the overall SE, which treats them "
      "as independent, is a lower bound.)")
    w("")
    flagged = [r for r in runs if r["max_rhat"] > RHAT_FLAG]
    w("| run | max R-hat (parameter) | divergences | draws | missed (truth outside the 90% interval) |")
    w("|---|---|---|---|---|")
    for r in runs:
        missed = [p for p in PARAMS if not r["hits"][p]]
        flag = " **R-hat > %.2f**" % RHAT_FLAG if r["max_rhat"] > RHAT_FLAG else ""
        w(f"| {r['k']} | {r['max_rhat']:.3f} ({r['worst']}){flag} | {r['divergent']} | "
          f"{r['n_draws']} | {', '.join(missed) if missed else '–'} |")
    w("")
    if flagged:
        w(f"Runs with max R-hat > {RHAT_FLAG}: " + ", ".join(str(r["k"]) for r in flagged) + ".")
        good = [r for r in runs if r["max_rhat"] <= RHAT_FLAG]
        if good:
            t = sum(sum(r["hits"].values()) for r in good)
            m = len(PARAMS) * len(good)
            w(f"Overall coverage without them: {t}/{m} = {t / m:.3f}.")
    else:
        w(f"No run has max R-hat > {RHAT_FLAG}.")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(out_dir, "coverage.md"), "w") as f:
        f.write(text)


def main(argv):
    if len(argv) == 4 and argv[0] == "config":
        with open(argv[1]) as f:
            base = f.read()
        npix = int(os.environ.get("NPIX", "32"))
        with open(argv[3], "w") as f:
            f.write(make_config(base, int(argv[2]), npix))
    elif len(argv) == 3 and argv[0] == "report":
        report(argv[1], int(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
