#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Interval coverage of the flagship posterior (issue #4; driven by tools/coverage.sh).

  coverage.py config BASE_TOML K OUT_TOML   write data set K's config: examples/binary_star.toml
                                            with the 13 true values drawn from the priors
                                            (random.Random(K)), noise seed K, env NPIX; with
                                            env PT=1 the [sampler] table becomes parallel
                                            tempering (method = "pt", pt_chains = PT_CHAINS,
                                            pt_rounds = PT_ROUNDS, max_depth = PT_MAX_DEPTH)
  coverage.py report OUT N                  read OUT/1..N (truth.toml, chain_*.csv, summary.csv,
                                            run_info.toml), print the coverage table, the R-hat
                                            counts and the cost per run, write OUT/coverage.md

Standard library only.
"""
import csv
import glob
import math
import os
import random
import re
import statistics
import sys
import tomllib

LEVEL = 0.90
RHAT_FLAG = 1.05
RHAT_GOOD = 1.01  # issue #13's acceptance: max R-hat <= 1.01 in >= 98 of 100 runs

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


def pt_sampler_table(base_text, pt_chains, pt_rounds, max_depth):
    """The base's [sampler] table replaced by a parallel-tempering one (docs/inference.md §6):
    the NUTS-only keys (warmup, draws, MAP init, dense metric) have no meaning there and are
    errors with method = "pt"; num_chains (the independent PT runs) and seed are kept."""
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    keep = re.compile(r"^\s*(num_chains|seed)\s*=")
    out, table, seen = [], "", False
    for line in base_text.splitlines():
        h = header.match(line)
        if h:
            table = h.group(1)
            out.append(line)
            if table == "sampler":
                seen = True
                out += ['method = "pt"  # tools/coverage.py: PT=1',
                        f"pt_chains = {pt_chains}", f"pt_rounds = {pt_rounds}",
                        f"max_depth = {max_depth}"]
            continue
        if table == "sampler" and line.strip() and not keep.match(line):
            continue  # the NUTS keys and the comments about them
        out.append(line)
    if not seen:
        sys.exit("coverage.py: base config has no [sampler] table")
    return "\n".join(out) + "\n"


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


def read_run_info(path):
    """run_info.toml's numbers (wall_seconds, gradient_evaluations, map_*, log_evidence, pt.*)."""
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as f:
        return tomllib.load(f)


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
        info = read_run_info(os.path.join(d, "run_info.toml"))
        if info.get("status", "complete") != "complete":
            continue  # an interrupted fit (a stopped batch redoes it): its draws are partial
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
        pt = [v for key, v in sorted(info.get("pt", {}).items()) if key.startswith("run_")]
        runs.append(dict(k=k, truth=truth, hits=hits, interval=widths, max_rhat=max_rhat,
                         worst=max(PARAMS, key=lambda p: rhat[p]), divergent=divergent,
                         n_draws=len(draws[PARAMS[0]]), n_chains=n_chains,
                         seconds=info.get("wall_seconds", float("nan")),
                         gradients=info.get("gradient_evaluations", 0.0)
                         + info.get("map_gradient_evaluations", 0.0),
                         ess=info.get("min_ess_bulk", float("nan")),
                         log_z=info.get("log_evidence"), log_z_se=info.get("log_evidence_se"),
                         pt=pt))
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
    good = sum(r["max_rhat"] <= RHAT_GOOD for r in runs)
    w(f"Runs with max R-hat <= {RHAT_GOOD}: {good} of {n}.")
    w("")
    # Cost per run: the sampler's wall time (run_info wall_seconds: the chains or PT runs, not
    # the simulation or the files) and every gradient it spent, the MAP's included.
    secs = [r["seconds"] for r in runs if math.isfinite(r["seconds"])]
    grads = [r["gradients"] for r in runs]
    if secs:
        w(f"Cost per run: wall {statistics.median(secs):.1f} s median ({min(secs):.1f}–"
          f"{max(secs):.1f}, total {sum(secs):.0f} s); gradients {statistics.median(grads):.0f} "
          f"median ({min(grads):.0f}–{max(grads):.0f}).")
        ess = [r["ess"] for r in runs if math.isfinite(r["ess"])]
        if ess:
            w(f"Min bulk ESS per run: {statistics.median(ess):.0f} median ({min(ess):.0f}–"
              f"{max(ess):.0f}); per 1000 gradients: "
              f"{1000 * statistics.median([r['ess'] / r['gradients'] for r in runs if r['gradients'] > 0 and math.isfinite(r['ess'])]):.2f} median.")
    pts = [r for r in runs if r["pt"]]
    if pts:
        lam = [p["barrier"] for r in pts for p in r["pt"]]
        trips = [p["round_trips"] for r in pts for p in r["pt"]]
        acc = [p["min_swap_accept"] for r in pts for p in r["pt"]]
        no_trip = [str(r["k"]) for r in pts if min(p["round_trips"] for p in r["pt"]) == 0]
        w(f"Parallel tempering ({len(pts[0]['pt'])} runs per data set, "
          f"{int(pts[0]['pt'][0]['rungs'])} rungs): Lambda {statistics.median(lam):.2f} median "
          f"({min(lam):.2f}–{max(lam):.2f}); round trips per PT run {statistics.median(trips):.0f} "
          f"median (min {min(trips):.0f}); min swap acceptance {min(acc):.2f}–{max(acc):.2f}; "
          f"data sets with a PT run without a round trip: {', '.join(no_trip) if no_trip else 'none'}.")
        spread = [r for r in pts if len(r["pt"]) > 1]
        if spread:
            # log Z of the runs of one data set: their sd against the reported se of one run.
            z = [(statistics.stdev([p["log_z"] for p in r["pt"]]),
                  statistics.mean([p["log_z_se"] for p in r["pt"]])) for r in spread]
            w(f"log Z between the PT runs of one data set: sd {statistics.median([a for a, _ in z]):.3f}"
              f" median vs reported se of one run {statistics.median([b for _, b in z]):.3f} median.")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(out_dir, "coverage.md"), "w") as f:
        f.write(text)


def main(argv):
    if len(argv) == 4 and argv[0] == "config":
        with open(argv[1]) as f:
            base = f.read()
        npix = int(os.environ.get("NPIX", "32"))
        text = make_config(base, int(argv[2]), npix)
        if os.environ.get("PT", "0") == "1":
            text = pt_sampler_table(text, int(os.environ.get("PT_CHAINS", "10")),
                                    int(os.environ.get("PT_ROUNDS", "10")),
                                    int(os.environ.get("PT_MAX_DEPTH", "8")))
        with open(argv[3], "w") as f:
            f.write(text)
    elif len(argv) == 3 and argv[0] == "report":
        report(argv[1], int(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
