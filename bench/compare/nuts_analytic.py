#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""NumPyro NUTS on the analytic targets of src/infer/nuts_bench.cpp, side by side with airy.

Targets and settings mirror nuts_bench.cpp / src/infer/test_densities.hpp and the
SamplerOptions defaults (include/airy/infer/sampler.hpp):
  * 100-d standard normal, diagonal metric;
  * 2-d Gaussian, rho = 0.99, sds (1, 3), dense and diagonal metric;
  * 4 chains x 1000 warmup + 1000 draws, target acceptance 0.8, max tree depth 10,
    inits uniform(-2, 2), float64 (jax_enable_x64), one potential_fn per target.

Metrics match the airy counters: min bulk-ESS over coordinates (ArviZ, all chains pooled),
gradient evaluations = sum of NUTS num_steps over warmup and draws of all chains (airy counts
warmup too), wall seconds = warmup + sampling of all chains. Compilation is excluded: each
target's MCMC object first runs once untimed with the same lengths (NumPyro's loop length is a
static argument, so a shorter warm-up run would not compile the same program; the compiled programs
are kept in a per-process JAX persistent compilation cache), then --reps timed runs with fresh seeds; ESS, gradients and seconds are averaged over the
reps like the airy benchmark (ESS/gradient = sum ESS / sum gradients, ESS/s = sum ESS / sum s).

Usage: nuts_analytic.py [--airy-json FILE] [--reps N] [--chains N] [--warmup N]
                        [--samples N] [--chain-method parallel|sequential]
Prints one Markdown table (airy rows read from the --airy-json Google Benchmark output).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
import warnings


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--airy-json", help="build/airy_infer_bench --benchmark_format=json output")
    p.add_argument("--reps", type=int, default=3, help="timed runs per target (airy: 3)")
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--chain-method", default="parallel", choices=["parallel", "sequential"])
    return p.parse_args()


ARGS = parse_args()
# Host devices for chain_method="parallel" must be set before jax is imported.
if ARGS.chain_method == "parallel":
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_force_host_platform_device_count" not in flags:
        os.environ["XLA_FLAGS"] = (
            f"{flags} --xla_force_host_platform_device_count={ARGS.chains}".strip()
        )
os.environ.setdefault("JAX_PLATFORMS", "cpu")
warnings.filterwarnings("ignore", category=FutureWarning)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)
# NumPyro re-jits its sampling loop on every warmup()/run() call, even on the same MCMC object
# (about 2-3 s of XLA compilation per call here). A per-process persistent compilation cache makes
# the repeated, identical programs load from disk instead, so the timed runs exclude compilation.
_CACHE_DIR = tempfile.mkdtemp(prefix="nuts_analytic_jax_cache_")
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)
jax.config.update("jax_compilation_cache_dir", _CACHE_DIR)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)

import arviz as az  # noqa: E402
from numpyro.infer import MCMC, NUTS  # noqa: E402

# ------------------------------------------------------------------ targets (test_densities.hpp)


def std_normal_potential(q):
    return 0.5 * jnp.sum(q * q)


def correlated_potential_factory(rho: float, sd1: float, sd2: float):
    cov = np.array([[sd1 * sd1, rho * sd1 * sd2], [rho * sd1 * sd2, sd2 * sd2]])
    prec = jnp.asarray(np.linalg.inv(cov))

    def potential(q):
        return 0.5 * q @ prec @ q

    return potential


# (name, metric, potential, dim, dense) in nuts_bench.cpp order / airy benchmark name
TARGETS = [
    ("BM_Nuts_StdNormal100", "100-d std normal", "diag_e", std_normal_potential, 100, False),
    ("BM_Nuts_Correlated099Dense", "2-d Gaussian rho=0.99", "dense_e",
     correlated_potential_factory(0.99, 1.0, 3.0), 2, True),
    ("BM_Nuts_Correlated099Diag", "2-d Gaussian rho=0.99", "diag_e",
     correlated_potential_factory(0.99, 1.0, 3.0), 2, False),
]


def min_bulk_ess(draws: np.ndarray) -> float:
    """draws: (chains, draws, dim) -> min over coordinates of ArviZ bulk-ESS."""
    idata = az.from_dict(posterior={"x": draws})
    return float(np.min(az.ess(idata, method="bulk")["x"].values))


def one_run(mcmc: MCMC, key, dim: int):
    k_init, k_warm = jax.random.split(key)
    init = jax.random.uniform(k_init, (ARGS.chains, dim), minval=-2.0, maxval=2.0,
                              dtype=jnp.float64)
    t0 = time.perf_counter()
    mcmc.warmup(k_warm, init_params=init, extra_fields=("num_steps",), collect_warmup=True)
    warm_steps = np.asarray(mcmc.get_extra_fields()["num_steps"])
    mcmc.run(mcmc.post_warmup_state.rng_key, extra_fields=("num_steps",))
    draws = mcmc.get_samples(group_by_chain=True)
    jax.block_until_ready(draws)
    seconds = time.perf_counter() - t0
    samp_steps = np.asarray(mcmc.get_extra_fields()["num_steps"])
    grads = float(warm_steps.sum() + samp_steps.sum())
    return min_bulk_ess(np.asarray(draws, dtype=np.float64)), grads, seconds


def numpyro_rows():
    rows = []
    key = jax.random.PRNGKey(ARGS.seed)
    for bench, label, metric, potential, dim, dense in TARGETS:
        kernel = NUTS(potential_fn=potential, dense_mass=dense, target_accept_prob=0.8,
                      max_tree_depth=10)
        mcmc = MCMC(kernel, num_warmup=ARGS.warmup, num_samples=ARGS.samples,
                    num_chains=ARGS.chains, chain_method=ARGS.chain_method,
                    progress_bar=False)
        key, k = jax.random.split(key)
        t0 = time.perf_counter()
        one_run(mcmc, k, dim)  # compile + untimed run
        print(f"# numpyro {bench}: compile run {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
        ess = grads = secs = 0.0
        for _ in range(ARGS.reps):
            key, k = jax.random.split(key)
            e, g, s = one_run(mcmc, k, dim)
            ess += e
            grads += g
            secs += s
        n = ARGS.reps
        rows.append((label, metric, "NumPyro " + ARGS.chain_method, ess / n, grads / n,
                     ess / grads, secs / n, ess / secs))
        print(f"# numpyro {bench}: done", file=sys.stderr)
    return rows


def airy_rows(path: str):
    with open(path) as f:
        data = json.load(f)
    by_name = {b["name"].split("/")[0]: b for b in data["benchmarks"]
               if b.get("run_type", "iteration") == "iteration"}
    rows = []
    for bench, label, metric, *_ in TARGETS:
        b = by_name.get(bench)
        if b is None:
            continue
        ess = b["min_ess_bulk"]
        rows.append((label, metric, "airy", ess, ess / b["ess_per_grad"], b["ess_per_grad"],
                     ess / b["ess_per_s"], b["ess_per_s"]))
    return rows


def main() -> None:
    rows = airy_rows(ARGS.airy_json) if ARGS.airy_json else []
    rows += numpyro_rows()
    order = {(t[1], t[2]): i for i, t in enumerate(TARGETS)}
    rows.sort(key=lambda r: (order[(r[0], r[1])], r[2] != "airy"))
    print("| target | metric | side | min bulk-ESS | gradient evals | ESS/gradient | wall s | ESS/s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for label, metric, side, ess, grads, epg, secs, eps in rows:
        print(f"| {label} | {metric} | {side} | {ess:.0f} | {grads:.0f} | {epg:.4f} | "
              f"{secs:.3f} | {eps:.0f} |")


if __name__ == "__main__":
    main()
