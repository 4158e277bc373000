#!/usr/bin/env python3
"""Collect an `airy fit` run into the same result.json as numpyro_side.py.

ESS and R-hat are recomputed with ArviZ from DIR/chain_*.csv (CmdStan CSV), exactly as on the
NumPyro side; airy's own summary.csv values are kept alongside for reference. Gradient
evaluations and wall time come from DIR/run_info.toml when present (else: n_leapfrog__ summed
over the saved draws, and the wall time measured by run.sh). With `init = "map"` the multi-start
L-BFGS fit is part of the cost: its seconds and gradient evaluations are added to the
sampler's (and kept separately as map_s / map_gradient_evaluations).
Usage: airy_side.py DIR EXTERNAL_WALL_SECONDS [WARMUP]
"""
import csv
import glob
import json
import os
import re
import sys
import tomllib

import numpy as onp
import arviz as az


def read_cmdstan_csv(path):
    header, rows, comments = None, [], []
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                comments.append(line)
                continue
            if header is None:
                header = line.split(",")
                continue
            rows.append([float(v) for v in line.split(",")])
    return header, onp.array(rows, dtype=onp.float64), comments


def norm_name(n):
    m = re.fullmatch(r"(.+?)\.(\d+)", n)  # CmdStan's coefficients.1 -> coefficients[1]
    return f"{m.group(1)}[{m.group(2)}]" if m else n


def main():
    d, ext_wall = sys.argv[1], float(sys.argv[2])
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else None
    files = sorted(glob.glob(os.path.join(d, "chain_*.csv")))
    if not files:
        raise SystemExit(f"no chain_*.csv in {d}")
    chains = [read_cmdstan_csv(f) for f in files]
    header = chains[0][0]
    ndraw = min(c[1].shape[0] for c in chains)
    arr = onp.stack([c[1][-ndraw:] for c in chains])  # chain, draw, column
    info = {}
    if os.path.exists(os.path.join(d, "run_info.toml")):
        with open(os.path.join(d, "run_info.toml"), "rb") as fh:
            info = tomllib.load(fh)
    post = {norm_name(h): arr[:, :, i] for i, h in enumerate(header) if not h.endswith("__")}
    idata = az.from_dict(posterior=post)
    ess_bulk, ess_tail, rhat = (az.ess(idata, method="bulk"), az.ess(idata, method="tail"),
                                az.rhat(idata))
    own = {}
    if os.path.exists(os.path.join(d, "summary.csv")):
        with open(os.path.join(d, "summary.csv")) as fh:
            for r in csv.DictReader(fh):
                own[norm_name(r["name"])] = {k: v for k, v in r.items() if k != "name"}
    params = {}
    for k, x in post.items():
        params[k] = dict(mean=float(x.mean()), sd=float(x.std(ddof=1)),
                         q5=float(onp.quantile(x, 0.05)), q95=float(onp.quantile(x, 0.95)),
                         ess_bulk=float(ess_bulk[k].values), ess_tail=float(ess_tail[k].values),
                         r_hat=float(rhat[k].values), airy_summary=own.get(k))
    col = {h: i for i, h in enumerate(header)}
    leap = int(arr[:, :, col["n_leapfrog__"]].sum()) if "n_leapfrog__" in col else None
    div = int(arr[:, :, col["divergent__"]].sum()) if "divergent__" in col else None
    map_s = float(info.get("map_seconds", 0.0))
    map_grads = int(info.get("map_gradient_evaluations", 0))
    wall = float(info["wall_seconds"]) + map_s if "wall_seconds" in info else ext_wall
    res = dict(side="airy", precision="f64", chain_method="threads", chains=len(files),
               warmup=warmup, samples=ndraw, wall_s=wall, map_s=map_s,
               map_gradient_evaluations=map_grads, external_wall_s=ext_wall, compile_s=0.0,
               gradient_evaluations=int(info.get("gradient_evaluations", leap or 0)) + map_grads,
               gradient_evaluations_source=("run_info.toml" if "gradient_evaluations" in info
                                            else "n_leapfrog__ of the saved draws only"),
               divergences=int(info.get("divergences", div or 0)), params=params,
               run_info=info)
    with open(os.path.join(d, "result.json"), "w") as fh:
        json.dump(res, fh, indent=1, default=str)
    mins = min(v["ess_bulk"] for v in params.values())
    print(f"airy: wall {res['wall_s']:.1f}s, grad evals {res['gradient_evaluations']}, "
          f"min bulk-ESS {mins:.0f}, max R-hat {max(v['r_hat'] for v in params.values()):.3f}")


if __name__ == "__main__":
    main()
