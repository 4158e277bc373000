#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The evidence log Z of an airy config on a data image by dynesty's static nested sampling
(Speagle 2020; Skilling 2004): an estimator independent of airy's parallel tempering, for
bench/evidence/run.sh.

  Z = integral L(x) pi(x) dx  over the constrained parameters x (the config's priors),

with L the config's likelihood of the data (every normalising constant kept, as airy's PT
evidence keeps them) evaluated by airy's C++ through the Python package:
log L(x) = sum over pixels of Posterior.core.log_likelihood_draws(x) (one render per call).
The prior transform (unit cube -> x) is built here from the config's [priors] tables
(uniform: low + u (high - low); normal: loc + scale Phi^-1(u)), not taken from airy.

Checks before sampling (printed, and fatal when they fail), at 8 prior draws:
  1. log L from the pixel sum == log p(u) - log|J(u)| - log pi(x) with airy's own log density
     p on the unconstrained space u = unconstrain(x): the likelihood dynesty integrates is the
     one PT tempers, and this file's prior density agrees with airy's (within 1e-8 relative);
  2. the data file equals airy.load_config(config).simulate() when --simulated (same seed).

Usage: dynesty_evidence.py CONFIG DATA.fits OUT.json [--nlive 500] [--seed 1] [--dlogz 0.01]
         [--sample auto] [--bound multi] [--simulated]
Output: JSON with log_z, log_z_err (dynesty's), the number of likelihood calls, iterations,
wall and CPU seconds, and the weighted posterior mean and sd of every parameter.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np
from scipy import special, stats

import airy
import dynesty
from astropy.io import fits


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def prior_transform_parts(cfg, post):
    """Per site: (name, size, dist, params) in the posterior's site order (x's layout)."""
    priors = {p.path: p for p in cfg.priors}
    parts = []
    for path, name, size in zip(post.core.site_paths(), post.core.site_names(), post.core.site_sizes()):
        if path not in priors:
            sys.exit(f"dynesty_evidence.py: site {name} ({path}) has no [priors] table")
        p = priors[path]
        params = dict(p.params)
        if p.dist == "uniform":
            lo, hi = params["low"], params["high"]
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                sys.exit(f"dynesty_evidence.py: {path}: uniform low = {lo}, high = {hi}")
        elif p.dist == "normal":
            if not params["scale"] > 0:
                sys.exit(f"dynesty_evidence.py: {path}: normal scale = {params['scale']}")
        else:
            sys.exit(f"dynesty_evidence.py: {path}: dist = \"{p.dist}\" has no prior transform here "
                     "(uniform and normal only)")
        parts.append((name, size, p.dist, params))
    return parts


def make_prior(parts):
    def transform(u):
        x = np.empty_like(u)
        i = 0
        for _, size, dist, q in parts:
            s = slice(i, i + size)
            if dist == "uniform":
                x[s] = q["low"] + u[s] * (q["high"] - q["low"])
            else:
                x[s] = q["loc"] + q["scale"] * special.ndtri(u[s])
            i += size
        return x

    def log_density(x):
        lp, i = 0.0, 0
        for _, size, dist, q in parts:
            s = slice(i, i + size)
            if dist == "uniform":
                lp += -size * math.log(q["high"] - q["low"])
            else:
                lp += float(stats.norm.logpdf(x[s], q["loc"], q["scale"]).sum())
            i += size
        return lp

    return transform, log_density


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("config")
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--nlive", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dlogz", type=float, default=0.01)
    ap.add_argument("--sample", default="auto")
    ap.add_argument("--bound", default="multi")
    ap.add_argument("--simulated", action="store_true",
                    help="the data were written by `airy simulate CONFIG`: check them against cfg.simulate()")
    a = ap.parse_args()

    cfg = airy.load_config(a.config)
    data = np.asarray(fits.getdata(a.data), dtype=np.float64)
    post = cfg.posterior(data)
    parts = prior_transform_parts(cfg, post)
    transform, log_prior = make_prior(parts)
    ndim = sum(size for _, size, _, _ in parts)
    names = list(post.names)
    core = post.core

    def log_like(x):
        return float(core.log_likelihood_draws(np.asarray(x, dtype=np.float64)[None, :]).sum())

    # Check 1: the likelihood and prior against airy's own log density.
    rng = np.random.default_rng(a.seed + 1000)
    worst = 0.0
    for _ in range(8):
        x = transform(rng.uniform(size=ndim))
        u = post.unconstrain(x)
        lp, _ = post.log_density(u)
        lj, _ = core.log_jacobian(u)
        ll_airy = lp - lj - log_prior(x)
        ll = log_like(x)
        worst = max(worst, abs(ll - ll_airy) / max(1.0, abs(ll)))
    print(f"check: log L (pixel sum) vs log p - log|J| - log prior at 8 prior draws: max rel diff {worst:.2e}")
    if not worst < 1e-8:
        sys.exit("dynesty_evidence.py: the pixel-sum log L disagrees with airy's log density")
    if a.simulated:
        _, sim = cfg.simulate()
        diff = float(np.max(np.abs(np.asarray(sim) - data)))
        print(f"check: data file vs cfg.simulate(): max |diff| {diff:.3g} photons")
        if diff != 0.0:
            sys.exit("dynesty_evidence.py: the data differ from the config's simulation")

    # One likelihood call's cost (median of 50), for the record.
    x0 = transform(np.full(ndim, 0.5))
    ts = []
    for _ in range(50):
        t = time.perf_counter()
        log_like(x0)
        ts.append(time.perf_counter() - t)
    call_ms = 1e3 * float(np.median(ts))

    t0, c0 = time.perf_counter(), cpu_seconds()
    sampler = dynesty.NestedSampler(log_like, transform, ndim, nlive=a.nlive, bound=a.bound,
                                    sample=a.sample, rstate=np.random.default_rng(a.seed))
    sampler.run_nested(dlogz=a.dlogz, print_progress=False)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    res = sampler.results
    w = res.importance_weights()
    mean = np.sum(w[:, None] * res.samples, axis=0)
    sd = np.sqrt(np.sum(w[:, None] * (res.samples - mean) ** 2, axis=0))
    out = {
        "config": os.path.abspath(a.config), "data": os.path.abspath(a.data),
        "log_z": float(res.logz[-1]), "log_z_err": float(res.logzerr[-1]),
        "information_nats": float(res.information[-1]),
        "ncall": int(np.sum(res.ncall)), "niter": int(res.niter), "nlive": a.nlive,
        "seed": a.seed, "dlogz": a.dlogz, "sample": a.sample, "bound": a.bound,
        "wall_s": wall, "cpu_s": cpu, "likelihood_call_ms": call_ms,
        "check_max_rel_diff": worst,
        "posterior": {n: {"mean": float(m), "sd": float(s)} for n, m, s in zip(names, mean, sd)},
        "dynesty": dynesty.__version__, "airy": airy.__version__,
        "load": os.getloadavg(),
    }
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"dynesty {a.config} on {a.data}: log Z = {out['log_z']:.3f} +- {out['log_z_err']:.3f} "
          f"(H = {out['information_nats']:.1f} nats, {out['ncall']} calls of {call_ms:.2f} ms, "
          f"{wall:.0f} s wall)")


if __name__ == "__main__":
    main()
