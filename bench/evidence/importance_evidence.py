#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A third estimate of log Z for a unimodal posterior with few parameters: importance sampling
from a heavy-tailed proposal around the posterior (bench/evidence; used where airy's PT and
dynesty disagree).

  Z = E_q[ L(x) pi(x) / q(x) ],  q = a product of Student-t(nu) densities with the posterior
  mean and `inflate` x the posterior sd of each parameter (from a dynesty_evidence.py JSON),
  truncated to the prior's support by rejecting draws outside it (pi = 0 there, so they add
  0 to the mean; q stays normalised as the untruncated product).

log Z = log mean(w), se from the variance of the weights w (delta method: sd(w) / (mean(w)
sqrt(n))); the effective sample size (sum w)^2 / sum w^2 says whether q covers the posterior.
The likelihood and prior are those of dynesty_evidence.py (airy's C++ through the package).
Misses any mode far from the dynesty posterior's mean: for a unimodal posterior only.

Usage: importance_evidence.py CONFIG DATA.fits DYNESTY.json OUT.json [--n 40000] [--nu 4]
         [--inflate 2] [--seed 1]
"""
import argparse
import json
import math

import numpy as np
from astropy.io import fits
from scipy import stats

import airy
from dynesty_evidence import make_prior, prior_transform_parts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("data")
    ap.add_argument("dynesty_json")
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=40000)
    ap.add_argument("--nu", type=float, default=4.0)
    ap.add_argument("--inflate", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    cfg = airy.load_config(a.config)
    post = cfg.posterior(np.asarray(fits.getdata(a.data), dtype=np.float64))
    parts = prior_transform_parts(cfg, post)
    _, log_prior = make_prior(parts)
    with open(a.dynesty_json) as f:
        dyn = json.load(f)
    names = list(post.names)
    mu = np.array([dyn["posterior"][n]["mean"] for n in names])
    sd = a.inflate * np.array([dyn["posterior"][n]["sd"] for n in names])
    lo = np.array([q["low"] for _, _, _, q in parts])
    hi = np.array([q["high"] for _, _, _, q in parts])
    rng = np.random.default_rng(a.seed)
    x = mu + sd * rng.standard_t(a.nu, size=(a.n, len(mu)))
    inside = np.all((x > lo) & (x < hi), axis=1)
    log_w = np.full(a.n, -np.inf)
    xi = x[inside]
    ll = post.core.log_likelihood_draws(xi).reshape(len(xi), -1).sum(axis=1)
    log_q = stats.t.logpdf((xi - mu) / sd, a.nu).sum(axis=1) - np.log(sd).sum()
    log_w[inside] = ll + np.array([log_prior(v) for v in xi]) - log_q
    c = np.max(log_w)
    w = np.exp(log_w - c)
    log_z = c + math.log(w.mean())
    se = w.std(ddof=1) / (w.mean() * math.sqrt(a.n))
    ess = w.sum() ** 2 / (w ** 2).sum()
    out = {"log_z": log_z, "se": se, "ess": ess, "n": a.n, "inside": int(inside.sum()), "nu": a.nu,
           "inflate": a.inflate, "seed": a.seed, "config": a.config, "data": a.data}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"importance sampling {a.config} on {a.data}: log Z = {log_z:.3f} +- {se:.3f} "
          f"(n {a.n}, {int(inside.sum())} inside the prior, ESS {ess:.0f})")


if __name__ == "__main__":
    main()
