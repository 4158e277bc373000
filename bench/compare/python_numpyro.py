#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""NumPyro NUTS with airy's JAX function vs NumPyro NUTS with dLux, side by side in ONE
process (issue #12 §5): the same NumPyro model (the tutorial's, priors and likelihood read
from CONFIG), the same data, inits, PRNG keys, chains, warmup, draws and kernel settings; only
the forward model differs:

    dLux:  mu = telescope.set(paths, values).model()          (dLux 0.15.1 + dLuxToliman 0.5.1)
    airy:  mu = airy.jax.model_function(telescope, paths)(jnp.stack(values))   (XLA FFI call)

Reports, per side: microseconds per potential + gradient call (jitted, single chain; the two
sides timed in alternating rounds so that load changes hit both), the potentials' agreement at
the same point, then the MCMC wall time (and JAX compile time), gradient evaluations, ArviZ
min/median bulk ESS, max R-hat, divergences and min bulk-ESS per second. The load average is
recorded before and after each phase (the machine is shared).

Usage: python_numpyro.py CONFIG OUT [--data data.fits] [--precision f64|f32] [--chains 2]
       [--warmup 500] [--samples 500] [--seed 1] [--init map|uniform]
  --data     a FITS image (e.g. `airy simulate`); default: airy's Config.simulate() of CONFIG
  --init     map: every chain of both sides starts at airy's MAP of the same posterior
             (airy.optimize, 16 starts, not timed); uniform: NumPyro's init_to_uniform with the
             same key on both sides (identical unconstrained starts)
Writes OUT/result.json and OUT/table.md.
"""
import argparse
import json
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("config")
ap.add_argument("out")
ap.add_argument("--data", default=None)
ap.add_argument("--precision", choices=["f32", "f64"], default="f64")
ap.add_argument("--chains", type=int, default=2)
ap.add_argument("--warmup", type=int, default=500)
ap.add_argument("--samples", type=int, default=500)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--init", choices=["map", "uniform"], default="map")
ap.add_argument("--chain-method", default="parallel", choices=["parallel", "sequential"])
args = ap.parse_args()

import numpyro  # noqa: E402

numpyro.set_host_device_count(max(args.chains, 1))
numpyro.set_platform("cpu")
if args.precision == "f64":
    numpyro.enable_x64()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as onp  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.infer import MCMC, NUTS  # noqa: E402
from numpyro.infer.util import initialize_model  # noqa: E402
import arviz as az  # noqa: E402

import airy  # noqa: E402
import airy.jax  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dlux_model as dm  # noqa: E402

COMPILE_EVENTS = ("/jax/core/compile/jaxpr_trace_duration",
                  "/jax/core/compile/jaxpr_to_mlir_module_duration",
                  "/jax/core/compile/backend_compile_duration")
_compile = {"s": 0.0}


def _on_duration(event, duration, **kw):
    if event in COMPILE_EVENTS:
        _compile["s"] += duration


jax.monitoring.register_event_duration_secs_listener(_on_duration)


def load():
    return tuple(round(x, 2) for x in os.getloadavg())


# ------------------------------------------------------------------------------ the two models
cfg_dict = dm.load_config(args.config)
cfg = airy.load_config(args.config)
smp = cfg_dict.get("sampler", {})
delta = float(smp.get("delta", 0.8))
max_depth = int(smp.get("max_depth", 10))
metric = smp.get("metric", "diag_e")
if metric not in ("diag_e", "dense_e"):
    raise SystemExit(f"metric {metric} not mapped to NumPyro here")
PRIORS = dm.priors(cfg_dict)
if any(name == "coefficients" for name, *_ in PRIORS):
    raise SystemExit("python_numpyro.py: configs with sampled Zernike coefficients are not mapped here")
kind, sigma = dm.likelihood(cfg_dict)
names = [name for name, *_ in PRIORS]
scales = [scale for *_, scale in PRIORS]

if args.data:
    from astropy.io import fits
    data_np = onp.asarray(fits.getdata(args.data), dtype=onp.float64)
    data_note = f"data: {args.data}"
else:
    data_np = onp.asarray(cfg.simulate()[1], dtype=onp.float64)
    data_note = f"data: airy Config.simulate() of {os.path.basename(args.config)} (noise.seed {cfg_dict['noise']['seed']})"
dtype = jnp.float64 if args.precision == "f64" else jnp.float32
data = jnp.asarray(data_np, dtype=dtype)

dlux_telescope = dm.build_telescope(cfg_dict)
airy_fn = airy.jax.model_function(cfg.telescope, [path for _, path, _, _ in PRIORS])


def render_dlux(values):
    return dlux_telescope.set(names, values).model()


def render_airy(values):
    return airy_fn(jnp.stack(values))


def make_prior(p):
    if p["dist"] == "uniform":
        return dist.Uniform(p["low"], p["high"])
    if p["dist"] == "normal":
        return dist.Normal(p.get("loc", 0.0), p["scale"])
    raise SystemExit(f"prior {p['dist']} not mapped here")


def make_model(render):
    def model(data):
        values = []
        for name, _, p, scale in PRIORS:
            v = numpyro.sample(name, make_prior(p))
            values.append(v * scale if scale != 1.0 else v)
        mu = render(values)
        if kind == "poisson_gaussian":
            lik = dist.Normal(mu, jnp.sqrt(mu + sigma ** 2))
        elif kind == "gaussian":
            lik = dist.Normal(mu, sigma)
        elif kind == "poisson":
            lik = dist.Poisson(mu)
        else:
            raise SystemExit(f"likelihood {kind} not mapped here")
        numpyro.sample("psf", lik.to_event(2), obs=data)
    return model


SIDES = {"dLux": make_model(render_dlux), "airy": make_model(render_airy)}
result = {"config": os.path.basename(args.config), "precision": args.precision, "chains": args.chains,
          "warmup": args.warmup, "samples": args.samples, "seed": args.seed, "init": args.init,
          "chain_method": args.chain_method, "data": data_note, "cores": os.cpu_count(),
          "versions": dict(jax=jax.__version__, numpyro=numpyro.__version__, airy=airy.__version__,
                           arviz=az.__version__),
          "load": {"start": load()}, "sides": {}}

# ------------------------------------------------------------------------------ per gradient
vg, z0 = {}, None
for side, model in SIDES.items():
    info = initialize_model(jax.random.PRNGKey(0), model, model_args=(data,))
    z0 = info.param_info.z if z0 is None else z0  # the same point for both sides
    vg[side] = jax.jit(jax.value_and_grad(info.potential_fn))
    jax.block_until_ready(vg[side](z0))
(pe_d, g_d), (pe_a, g_a) = vg["dLux"](z0), vg["airy"](z0)
gd = onp.array([float(g_d[k]) for k in names])
ga = onp.array([float(g_a[k]) for k in names])
result["agreement"] = {"potential_dlux": float(pe_d), "potential_airy": float(pe_a),
                       "potential_rel_diff": abs(float(pe_d) - float(pe_a)) / abs(float(pe_a)),
                       "gradient_max_rel_diff": float(onp.max(onp.abs(gd - ga)) / onp.max(onp.abs(ga)))}
times = {side: [] for side in SIDES}
for _ in range(6):  # alternating rounds of ~0.5 s each
    for side in SIDES:
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 0.5:
            jax.block_until_ready(vg[side](z0))
            n += 1
        times[side].append((time.perf_counter() - t0) / n * 1e6)
for side in SIDES:
    result["sides"][side] = {"grad_us_median": float(onp.median(times[side])),
                             "grad_us_rounds": [round(t, 1) for t in times[side]]}
result["load"]["after_gradients"] = load()
print(f"[per gradient, {args.precision}] dLux {result['sides']['dLux']['grad_us_median']:.0f} us, "
      f"airy {result['sides']['airy']['grad_us_median']:.0f} us; potentials differ by "
      f"{result['agreement']['potential_rel_diff']:.1e} (relative), gradients by "
      f"{result['agreement']['gradient_max_rel_diff']:.1e}", file=sys.stderr, flush=True)

# ------------------------------------------------------------------------------ inits
init_strategy = numpyro.infer.init_to_uniform
if args.init == "map":
    post = cfg.posterior(data_np)
    fit = airy.optimize(post, num_starts=16, seed=args.seed)
    by_name = dict(zip(fit["names"], fit["values"]))
    init_strategy = numpyro.infer.init_to_value(values={n: jnp.asarray(by_name[n], dtype=dtype) for n in names})
    result["map"] = {n: float(by_name[n]) for n in names}

# ------------------------------------------------------------------------------ MCMC
for side, model in SIDES.items():
    kernel = NUTS(model, target_accept_prob=delta, max_tree_depth=max_depth,
                  dense_mass=(metric == "dense_e"), init_strategy=init_strategy)
    mcmc = MCMC(kernel, num_warmup=args.warmup, num_samples=args.samples, num_chains=args.chains,
                chain_method=args.chain_method, progress_bar=False)
    _compile["s"] = 0.0
    before = load()
    t0 = time.perf_counter()
    mcmc.warmup(jax.random.PRNGKey(args.seed), data, extra_fields=("num_steps",), collect_warmup=True)
    wf = mcmc.get_extra_fields(group_by_chain=True)
    jax.block_until_ready(wf)
    mcmc.run(mcmc.post_warmup_state.rng_key, data, extra_fields=("num_steps", "diverging"))
    samples = mcmc.get_samples(group_by_chain=True)
    ef = mcmc.get_extra_fields(group_by_chain=True)
    jax.block_until_ready((samples, ef))
    wall = time.perf_counter() - t0
    post = {k: onp.asarray(samples[k], dtype=onp.float64) for k in names}
    idata = az.from_dict(posterior=post)
    ess = az.ess(idata, method="bulk")
    rhat = az.rhat(idata)
    ess_v = [float(ess[k].values) for k in names]
    grads = int(onp.asarray(wf["num_steps"]).sum()) + int(onp.asarray(ef["num_steps"]).sum())
    result["sides"][side].update(
        wall_s=wall, compile_s=_compile["s"], gradient_evaluations=grads,
        min_ess_bulk=min(ess_v), median_ess_bulk=float(onp.median(ess_v)),
        max_rhat=max(float(rhat[k].values) for k in names),
        divergences=int(onp.asarray(ef["diverging"]).sum()),
        min_ess_per_s=min(ess_v) / wall, load_before=before, load_after=load(),
        means={k: float(post[k].mean()) for k in names}, sds={k: float(post[k].std(ddof=1)) for k in names})
    s = result["sides"][side]
    print(f"[{side}] wall {wall:.1f} s (compile {s['compile_s']:.1f} s), {grads} gradients, "
          f"min bulk-ESS {s['min_ess_bulk']:.0f}, max R-hat {s['max_rhat']:.3f}, "
          f"min ESS/s {s['min_ess_per_s']:.2f}, load {before} -> {s['load_after']}", file=sys.stderr, flush=True)

# The two posteriors: z of the difference of means (Monte Carlo standard errors from ESS).
z = {}
for k in names:
    a, b = result["sides"]["dLux"], result["sides"]["airy"]
    se = onp.sqrt(a["sds"][k] ** 2 / a["min_ess_bulk"] + b["sds"][k] ** 2 / b["min_ess_bulk"])
    z[k] = (a["means"][k] - b["means"][k]) / se
result["z_means"] = z
result["load"]["end"] = load()

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "result.json"), "w") as fh:
    json.dump(result, fh, indent=1)
d, a = result["sides"]["dLux"], result["sides"]["airy"]
rows = ["| forward model in NumPyro | us per potential + gradient (median of 6 rounds) | wall s (JAX compile) "
        "| gradient evaluations | min / median bulk-ESS | max R-hat | div | min ESS/s | load before → after |",
        "|---|---|---|---|---|---|---|---|---|"]
for side, s in (("dLux 0.15.1", d), ("airy.jax (FFI)", a)):
    rows.append(f"| {side} | {s['grad_us_median']:.0f} | {s['wall_s']:.1f} ({s['compile_s']:.1f}) | "
                f"{s['gradient_evaluations']} | {s['min_ess_bulk']:.0f} / {s['median_ess_bulk']:.0f} | "
                f"{s['max_rhat']:.3f} | {s['divergences']} | {s['min_ess_per_s']:.2f} | "
                f"{s['load_before'][0]} → {s['load_after'][0]} |")
rows.append("")
rows.append(f"airy / dLux: {d['grad_us_median'] / a['grad_us_median']:.1f}× per gradient, "
            f"{a['min_ess_per_s'] / d['min_ess_per_s']:.1f}× in min ESS/s. Potentials at the same point differ by "
            f"{result['agreement']['potential_rel_diff']:.1e} (relative), gradients by "
            f"{result['agreement']['gradient_max_rel_diff']:.1e}; max |z| of the difference of posterior means "
            f"{max(abs(v) for v in z.values()):.2f}. {args.chains} chains ({args.chain_method}) x ({args.warmup} warmup "
            f"+ {args.samples} draws), {args.precision}, inits: {args.init}; {data_note}; "
            f"load average {result['load']['start'][0]} at start, {result['load']['end'][0]} at end "
            f"({result['cores']} cores).")
with open(os.path.join(args.out, "table.md"), "w") as fh:
    fh.write("\n".join(rows) + "\n")
print("\n".join(rows))
