#!/usr/bin/env python3
"""The JAX side of bench/compare: dLux 0.15.1 + dLuxToliman 0.5.1 + NumPyro NUTS.

Fits DATA (a FITS image, e.g. from `airy simulate`) with the priors and likelihood read from
the same airy TOML configuration that airy fits, and writes OUT/result.json (timings,
gradient evaluations, ArviZ bulk/tail ESS and R-hat per parameter, posterior summaries) and
OUT/draws.npz (the draws, (chain, draw) per parameter, in the sampling units).

The model is the dLux HMC tutorial's NumPyro model (dlux.md §0):
    values = [numpyro.sample(name, prior) for each parameter]
    psf = telescope.set(parameters, values).model()
    numpyro.sample("psf", <likelihood>(psf), obs=data)
with the tutorial's Poisson likelihood replaced by the config's likelihood (the flagship's
"poisson_gaussian": Normal(mu, sqrt(mu + sigma^2)) per pixel) so that both sides evaluate the
same posterior. Zernike coefficients are sampled in the prior's unit (nm) and multiplied by
its scale (1e-9) before they reach dLux.

Usage: numpyro_side.py CONFIG DATA OUT --precision f32|f64 [--chain-method parallel|vectorized]
       [--chains 4 --warmup N --samples N --seed N --devices N]
"""
import argparse
import json
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("config")
ap.add_argument("data")
ap.add_argument("out")
ap.add_argument("--precision", choices=["f32", "f64"], default="f64")
ap.add_argument("--chain-method", default="parallel",
                choices=["parallel", "vectorized", "sequential"])
ap.add_argument("--chains", type=int, default=4)
ap.add_argument("--warmup", type=int, default=None)
ap.add_argument("--samples", type=int, default=None)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--init-values", default=None,
                help="optimize.csv of `airy optimize` (parameter,unit,value,...): every chain "
                     "starts there (init_to_value) instead of the tutorial's uniform(-2, 2)")
ap.add_argument("--devices", type=int, default=None,
                help="XLA host devices (default: max(usable cores, chains))")
args = ap.parse_args()

import numpyro  # noqa: E402  (imports jax, but no backend is initialised yet)

ncores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
ndev = args.devices or max(ncores, args.chains)
numpyro.set_host_device_count(ndev)
numpyro.set_platform("cpu")
if args.precision == "f64":
    numpyro.enable_x64()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as onp  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.infer import MCMC, NUTS  # noqa: E402
from numpyro.infer.util import initialize_model  # noqa: E402
from astropy.io import fits  # noqa: E402
import arviz as az  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dlux_model as dm  # noqa: E402

# --------------------------------------------------------------------- compile-time listener
COMPILE_EVENTS = ("/jax/core/compile/jaxpr_trace_duration",
                  "/jax/core/compile/jaxpr_to_mlir_module_duration",
                  "/jax/core/compile/backend_compile_duration")
_compile = {"s": 0.0}


def _on_duration(event, duration, **kw):
    if event in COMPILE_EVENTS:
        _compile["s"] += duration


jax.monitoring.register_event_duration_secs_listener(_on_duration)

# --------------------------------------------------------------------- model
cfg = dm.load_config(args.config)
smp = cfg.get("sampler", {})
num_warmup = args.warmup if args.warmup is not None else int(smp.get("num_warmup", 2000))
num_samples = args.samples if args.samples is not None else int(smp.get("num_samples", 2000))
delta = float(smp.get("delta", 0.8))
max_depth = int(smp.get("max_depth", 10))
metric = smp.get("metric", "diag_e")
if metric not in ("diag_e", "dense_e"):
    raise SystemExit(f"metric {metric} not mapped to NumPyro here")

dtype = jnp.float64 if args.precision == "f64" else jnp.float32
data = jnp.asarray(onp.asarray(fits.getdata(args.data), dtype=onp.float64), dtype=dtype)
telescope = dm.build_telescope(cfg)
PRIORS = dm.priors(cfg)
noll = cfg.get("optics", {}).get("aberrations", {}).get("noll", [])
kind, sigma = dm.likelihood(cfg)


def make_prior(p):
    d = p["dist"]
    if d == "uniform":
        return dist.Uniform(p["low"], p["high"])
    if d == "normal":
        return dist.Normal(p.get("loc", 0.0), p["scale"])
    if d == "half_normal":
        return dist.HalfNormal(p["scale"])
    if d == "log_normal":
        return dist.LogNormal(p.get("loc", 0.0), p["scale"])
    if d == "exponential":
        return dist.Exponential(p["rate"])
    if d == "student_t":
        return dist.StudentT(p["df"], p.get("loc", 0.0), p["scale"])
    raise SystemExit(f"prior {d} not mapped to NumPyro here")


def model(data):
    paths, values = [], []
    for name, path, p, scale in PRIORS:
        prior = make_prior(p)
        if name == "coefficients":
            v = numpyro.sample(name, prior.expand([len(noll)]).to_event(1))
            paths.append("aperture.coefficients")
        else:
            v = numpyro.sample(name, prior)
            paths.append(name)
        values.append(v * scale if scale != 1.0 else v)
    mu = telescope.set(paths, values).model()
    if kind == "poisson_gaussian":
        lik = dist.Normal(mu, jnp.sqrt(mu + sigma ** 2))
    elif kind == "gaussian":
        lik = dist.Normal(mu, sigma)
    elif kind == "poisson":
        lik = dist.Poisson(mu)
    else:
        raise SystemExit(f"likelihood {kind} not mapped to NumPyro here")
    numpyro.sample("psf", lik.to_event(2), obs=data)


# --------------------------------------------------------------------- potential + gradient cost
t0 = time.perf_counter()
info = initialize_model(jax.random.PRNGKey(0), model, model_args=(data,))
z0 = info.param_info.z
vg = jax.jit(jax.value_and_grad(info.potential_fn))
t1 = time.perf_counter()
jax.block_until_ready(vg(z0))
first_call_s = time.perf_counter() - t1
init_model_s = t1 - t0
nrep = 0
t2 = time.perf_counter()
while time.perf_counter() - t2 < 2.0 and nrep < 2000:
    jax.block_until_ready(vg(z0))
    nrep += 1
grad_eval_us = (time.perf_counter() - t2) / nrep * 1e6
print(f"[numpyro {args.precision}] first potential+grad call {first_call_s:.2f}s, then "
      f"{grad_eval_us:.0f} us per call; {ndev} XLA devices", file=sys.stderr, flush=True)

# --------------------------------------------------------------------- MCMC
init_strategy = numpyro.infer.init_to_uniform  # NumPyro's default: uniform(-2, 2), unconstrained
if args.init_values:
    import csv  # noqa: E402

    with open(args.init_values) as fh:
        given = {r["parameter"]: float(r["value"]) for r in csv.DictReader(fh)}
    init = {}
    for name, path, p, scale in PRIORS:
        if name == "coefficients":
            init[name] = jnp.asarray([given[f"coefficients[{k + 1}]"] for k in range(len(noll))],
                                     dtype=dtype)
        else:
            init[name] = jnp.asarray(given[name], dtype=dtype)
    init_strategy = numpyro.infer.init_to_value(values=init)
    print(f"[numpyro {args.precision}] every chain starts at {args.init_values}",
          file=sys.stderr, flush=True)
kernel = NUTS(model, target_accept_prob=delta, max_tree_depth=max_depth,
              dense_mass=(metric == "dense_e"), init_strategy=init_strategy)
mcmc = MCMC(kernel, num_warmup=num_warmup, num_samples=num_samples, num_chains=args.chains,
            chain_method=args.chain_method, progress_bar=False)
rng = jax.random.PRNGKey(args.seed)
_compile["s"] = 0.0
t0 = time.perf_counter()
mcmc.warmup(rng, data, extra_fields=("num_steps", "diverging"), collect_warmup=True)
wf = mcmc.get_extra_fields(group_by_chain=True)
jax.block_until_ready(wf)
t1 = time.perf_counter()
compile_warmup_s = _compile["s"]
warmup_steps = int(onp.asarray(wf["num_steps"]).sum())
print(f"[numpyro {args.precision}] warmup {t1 - t0:.1f}s (compile {compile_warmup_s:.1f}s), "
      f"{warmup_steps} gradient evaluations", file=sys.stderr, flush=True)
mcmc.run(mcmc.post_warmup_state.rng_key, data, extra_fields=("num_steps", "diverging"))
samples = mcmc.get_samples(group_by_chain=True)
ef = mcmc.get_extra_fields(group_by_chain=True)
jax.block_until_ready((samples, ef))
t2 = time.perf_counter()
compile_s = _compile["s"]
wall_s = t2 - t0
sampling_steps = int(onp.asarray(ef["num_steps"]).sum())
divergences = int(onp.asarray(ef["diverging"]).sum())

# --------------------------------------------------------------------- diagnostics (ArviZ)
post = {}
for name, path, p, scale in PRIORS:
    x = onp.asarray(samples[name], dtype=onp.float64)
    if x.ndim == 3:
        for k in range(x.shape[2]):
            post[f"{name}[{k + 1}]"] = x[:, :, k]
    else:
        post[name] = x
idata = az.from_dict(posterior=post)
ess_bulk = az.ess(idata, method="bulk")
ess_tail = az.ess(idata, method="tail")
rhat = az.rhat(idata)
params = {}
for k, x in post.items():
    params[k] = dict(mean=float(x.mean()), sd=float(x.std(ddof=1)),
                     q5=float(onp.quantile(x, 0.05)), q95=float(onp.quantile(x, 0.95)),
                     ess_bulk=float(ess_bulk[k].values), ess_tail=float(ess_tail[k].values),
                     r_hat=float(rhat[k].values))
os.makedirs(args.out, exist_ok=True)
onp.savez(os.path.join(args.out, "draws.npz"), **post)
res = dict(side="numpyro", precision=args.precision, chain_method=args.chain_method,
           chains=args.chains, warmup=num_warmup, samples=num_samples, devices=ndev,
           cores=ncores, wall_s=wall_s, compile_s=compile_s, compile_warmup_s=compile_warmup_s,
           init_model_s=init_model_s, first_call_s=first_call_s, grad_eval_us=grad_eval_us,
           gradient_evaluations=warmup_steps + sampling_steps, warmup_steps=warmup_steps,
           sampling_steps=sampling_steps, divergences=divergences, params=params,
           init=("values of " + args.init_values) if args.init_values else "uniform(-2, 2)",
           versions=dict(jax=jax.__version__, numpyro=numpyro.__version__,
                         arviz=az.__version__))
with open(os.path.join(args.out, "result.json"), "w") as fh:
    json.dump(res, fh, indent=1)
mins = min(v["ess_bulk"] for v in params.values())
print(f"numpyro {args.precision} {args.chain_method}: wall {wall_s:.1f}s (compile {compile_s:.1f}s), "
      f"grad evals {warmup_steps + sampling_steps}, min bulk-ESS {mins:.0f}, "
      f"max R-hat {max(v['r_hat'] for v in params.values()):.3f}, divergences {divergences}")
