#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The table of bench/evidence/run.sh: airy's PT evidence (`airy fit --pt`, `airy compare`) next
to dynesty's, per (model, data) pair, and the log Bayes factors binary vs single star.

Usage: table.py OUT_DIR   (reads settings.txt, times.txt, pt_binary/run_info.toml,
                           compare_{binary,single}.txt, dynesty_*_on_*_seed*.json; writes
                           OUT_DIR/table.md and prints it)
Standard library only.
"""
import glob
import json
import math
import os
import re
import sys
import tomllib

NUM = r"(-?[0-9.]+(?:e[-+]?\d+)?)"


def read_compare(path):
    """{'A': (log Z, se, TI, TI se), 'B': ..., 'bf': (log BF, se)} from `airy compare`'s text."""
    if not os.path.exists(path):
        return None
    text = open(path).read()
    out = {}
    for label in ("A", "B"):
        m = re.search(rf"log Z_{label} = {NUM} \+- {NUM} .*TI {NUM} \+- {NUM}", text)
        if m:
            out[label] = tuple(float(g) for g in m.groups())
    m = re.search(rf"log Bayes factor A vs B = log Z_A - log Z_B = {NUM} \+- {NUM}", text)
    if m:
        out["bf"] = (float(m.group(1)), float(m.group(2)))
    out["warnings"] = [l for l in text.splitlines() if l.startswith("warning")]
    return out


def read_dynesty(out_dir, model, data):
    runs = []
    for path in sorted(glob.glob(os.path.join(out_dir, f"dynesty_{model}_on_{data}_seed*.json"))):
        with open(path) as f:
            runs.append(json.load(f))
    return runs


def combine(runs):
    """Mean of the seeds' log Z; its error: the mean of dynesty's errors / sqrt(n) (each run's
    own estimate), and the seeds' sample sd when there are several."""
    n = len(runs)
    z = sum(r["log_z"] for r in runs) / n
    err = math.sqrt(sum(r["log_z_err"] ** 2 for r in runs)) / n
    sd = math.sqrt(sum((r["log_z"] - z) ** 2 for r in runs) / (n - 1)) if n > 1 else float("nan")
    return z, err, sd


def main(out_dir):
    lines = []
    w = lines.append
    for name in ("settings.txt",):
        p = os.path.join(out_dir, name)
        if os.path.exists(p):
            w("Settings: " + "; ".join(open(p).read().strip().splitlines()) + ".")
    w("")
    comp = {d: read_compare(os.path.join(out_dir, f"compare_{d}.txt")) for d in ("binary", "single")}
    fit = None
    info = os.path.join(out_dir, "pt_binary", "run_info.toml")
    if os.path.exists(info):
        with open(info, "rb") as f:
            fit = tomllib.load(f)

    w("| model | data | airy PT log Z ± se (source) | PT thermodynamic integration | dynesty log Z ± err (seeds; sd over seeds) | PT − dynesty | within 0.2 nats | importance sampling (importance_evidence.py) |")
    w("|---|---|---|---|---|---|---|---|")
    dyn_z = {}
    for d in ("binary", "single"):
        for m, label in (("binary", "A"), ("single", "B")):
            pt = []
            if fit is not None and "log_evidence" in fit and m == "binary" and d == "binary":
                pt.append((fit["log_evidence"], fit["log_evidence_se"], None, None, "`airy fit --pt`"))
            c = comp[d]
            if c and label in c:
                z, se, ti, ti_se = c[label]
                pt.append((z, se, ti, ti_se, f"`airy compare` ({label})"))
            runs = read_dynesty(out_dir, m, d)
            dz = combine(runs) if runs else None
            if dz:
                dyn_z[(m, d)] = dz
            if not pt:
                pt = [(None, None, None, None, "–")]
            for z, se, ti, ti_se, src in pt:
                zs = f"{z:.3f} ± {se:.3f} ({src})" if z is not None else "–"
                tis = f"{ti:.3f} ± {ti_se:.3f}" if ti is not None else "–"
                if dz:
                    sd = f"; sd {dz[2]:.3f}" if not math.isnan(dz[2]) else ""
                    ds = f"{dz[0]:.3f} ± {dz[1]:.3f} ({len(runs)}{sd})"
                else:
                    ds = "–"
                if dz and z is not None:
                    diff = z - dz[0]
                    ok = "yes" if abs(diff) <= 0.2 else "**no**"
                    comb = math.hypot(se, dz[1])
                    dd = f"{diff:+.3f} (± {comb:.3f})"
                else:
                    dd, ok = "–", "–"
                isv = []
                for path in sorted(glob.glob(os.path.join(out_dir, f"is_{m}_on_{d}*.json"))):
                    with open(path) as f:
                        r = json.load(f)
                    isv.append(f"{r['log_z']:.3f} ± {r['se']:.3f} (ESS {r['ess']:.0f})")
                w(f"| {m} | {d} | {zs} | {tis} | {ds} | {dd} | {ok} | {'; '.join(isv) if isv else '–'} |")
    w("")
    w("| data | log BF binary vs single: `airy compare` | dynesty (difference of its log Z) |")
    w("|---|---|---|")
    for d in ("binary", "single"):
        c = comp[d]
        a = f"{c['bf'][0]:+.3f} ± {c['bf'][1]:.3f}" if c and "bf" in c else "–"
        if ("binary", d) in dyn_z and ("single", d) in dyn_z:
            zb, zs = dyn_z[("binary", d)], dyn_z[("single", d)]
            b = f"{zb[0] - zs[0]:+.3f} ± {math.hypot(zb[1], zs[1]):.3f}"
        else:
            b = "–"
        w(f"| {d} | {a} | {b} |")
    w("")
    for d in ("binary", "single"):
        c = comp[d]
        for warn in (c or {}).get("warnings", []):
            w(f"- compare on {d} data: {warn}")
    if fit is not None and "log_evidence" in fit:
        k = 1
        while f"run_{k}" in fit.get("pt", {}):
            r = fit["pt"][f"run_{k}"]
            w(f"- `airy fit --pt` run {k}: Lambda {r['barrier']:.2f}, {int(r['rungs'])} rungs, "
              f"{int(r['round_trips'])} round trips, min swap acceptance {r['min_swap_accept']:.2f}, "
              f"log Z {r['log_z']:.3f} ± {r['log_z_se']:.3f}, {int(r['gradient_evaluations'])} gradients, "
              f"{r['seconds']:.0f} s")
            k += 1
    for path in sorted(glob.glob(os.path.join(out_dir, "dynesty_*.json"))):
        with open(path) as f:
            r = json.load(f)
        w(f"- {os.path.basename(path)}: {r['ncall']} likelihood calls ({r['likelihood_call_ms']:.2f} ms each), "
          f"{r['niter']} iterations, H = {r['information_nats']:.1f} nats, {r['wall_s']:.0f} s wall, "
          f"{r['cpu_s']:.0f} s CPU, load {', '.join(f'{x:.1f}' for x in r['load'])} at the end")
    p = os.path.join(out_dir, "times.txt")
    if os.path.exists(p):
        for l in open(p).read().strip().splitlines():
            w(f"- {l}")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
