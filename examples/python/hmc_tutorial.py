# SPDX-License-Identifier: BSD-3-Clause
"""dLux's NumPyro HMC tutorial, ported to airy: the tutorial's 6-parameter AlphaCen model
(bench/compare/tutorial6.toml: 128 px pupil of 1 m, Noll 4-10 fixed at the tutorial's
coefficients, 16 px at 0.03"), written with airy's dLux vocabulary, with airy's JAX function
in place of ``telescope.model()`` inside the tutorial's NumPyro model. The same posterior is
then sampled by airy's own NUTS (airy.sample) and, when dLux and dLuxToliman are installed
(bench/compare/requirements-python.txt), by the original: NumPyro with the dLux telescope
built by the same code from dLux's imports. The three are compared with z-tests on means and
sds against airy.sample.

    python examples/python/hmc_tutorial.py                       # the tutorial's lengths
    python examples/python/hmc_tutorial.py --init map            # every chain from airy's MAP
    python examples/python/hmc_tutorial.py --warmup 100 --samples 100 --chains 1 --npix 32

The script changes from the dLux tutorial only in its imports (``import airy as dl``,
``import airy.utils as dlu``) and in ``telescope_fn = airy.jax.model_function(...)``.
"""
from __future__ import annotations

import argparse
import pathlib
import tomllib

import numpy as np

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as np_j  # noqa: E402
import jax.random as jr  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402

import airy  # noqa: E402
import airy as dl  # noqa: E402
import airy.jax  # noqa: E402
import airy.utils as dlu  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
PARAMETERS = ["x_position", "y_position", "separation", "position_angle", "log_flux", "contrast"]


def build_telescope(wf_npix: int, config: dict, dl=dl, dlu=dlu, AlphaCen=None):
    """The tutorial's telescope (dLux code): with airy's modules by default, or with
    ``dl=dLux, dlu=dLux.utils, AlphaCen=dLuxToliman.AlphaCen`` the original dLux one."""
    optics_cfg = config["optics"]
    diameter = optics_cfg["diameter"]
    source = (AlphaCen or dl.AlphaCen)()
    source = source.set(["log_flux", "separation"], [config["source"]["log_flux"], config["source"]["separation"]])
    coords = dlu.pixel_coords(5 * wf_npix, diameter)
    circle = dlu.circle(coords, diameter / 2)
    transmission = dlu.combine([circle], 5)
    zernike_indexes = np.arange(4, 11)
    true_coeffs = np.asarray(optics_cfg["aberrations"]["coefficients"])  # 1e-9 * jr.normal(PRNGKey(0))
    coords = dlu.pixel_coords(wf_npix, diameter)
    basis = np.array([dlu.zernike(i, coords, diameter) for i in zernike_indexes])
    layers = [("aperture", dl.BasisOptic(basis, transmission, true_coeffs, normalise=True))]
    optics = dl.AngularOpticalSystem(wf_npix, diameter, layers, optics_cfg["psf_npix"], optics_cfg["psf_pixel_scale"])
    return dl.Telescope(optics, ("source", source))


def dlux_telescope(wf_npix: int, config: dict):
    """The same telescope from dLux 0.15.1 + dLuxToliman 0.5.1, or None when not installed."""
    try:
        import dLux
        import dLux.utils
        import dLuxToliman
    except ImportError:
        return None
    return build_telescope(wf_npix, config, dLux, dLux.utils, dLuxToliman.AlphaCen)


def compare(a, b):
    """(mean_a, sd_a, mean_b, sd_b, z of the mean difference, z of the sd difference) of two
    draw arrays (chain, draw); standard errors from ArviZ's bulk ESS (sd: sd / sqrt(2 ESS))."""
    import arviz as az
    ess_a, ess_b = float(az.ess(a)), float(az.ess(b))
    se_mean = np.sqrt(a.var() / ess_a + b.var() / ess_b)
    se_sd = np.sqrt(a.var() / (2 * ess_a) + b.var() / (2 * ess_b))
    return (a.mean(), a.std(), b.mean(), b.std(), (a.mean() - b.mean()) / se_mean, (a.std() - b.std()) / se_sd)


def priors(config: dict) -> dict:
    return {name: (config["priors"][f"source.{name}"]["low"], config["priors"][f"source.{name}"]["high"])
            for name in PARAMETERS}


def run(warmup=1000, samples=1000, chains=1, npix=128, seed=0, quiet=False, dlux=None, init="uniform",
        dlux_warmup=None, dlux_samples=None, save_dir=None):
    """Runs the samplers; returns {'numpyro': draws, 'airy': idata, 'table': rows (NumPyro+airy
    vs airy.sample), 'dlux': draws or None, 'table_dlux': rows (NumPyro+dLux vs airy.sample) or
    None, 'seconds': per sampler}. ``dlux``: None = when installed, False = skip, True = must.
    ``init``: 'uniform' (NumPyro's default, as the tutorial) or 'map' (every chain of every
    sampler starts at airy's MAP of the posterior). ``dlux_warmup``/``dlux_samples``: shorter
    lengths for NumPyro + dLux alone (default: the same), whose gradients cost ~10x airy's.
    ``save_dir``: each sampler's draws are written there as it finishes (<sampler>.npz)."""
    import time

    with open(ROOT / "bench" / "compare" / "tutorial6.toml", "rb") as fh:
        config = tomllib.load(fh)
    telescope = build_telescope(npix, config)
    psf = telescope.model()
    data = np.asarray(jr.poisson(jr.PRNGKey(seed), psf), dtype=np.float64)  # the tutorial's noise
    bounds = priors(config)
    # The same posterior for airy's own sampler (and its MAP for --init map).
    posterior = airy.Posterior(telescope, {name: airy.distributions.Uniform(*bounds[name]) for name in PARAMETERS},
                               data, likelihood="poisson")
    init_strategy, airy_init = numpyro.infer.init_to_uniform, None
    if init == "map":
        fit = airy.optimize(posterior, num_starts=16, seed=seed + 3)
        airy_init = fit["values"]
        init_strategy = numpyro.infer.init_to_value(values=dict(zip(PARAMETERS, map(float, airy_init))))
    elif init != "uniform":
        raise ValueError(f"init = {init!r}: expected 'uniform' or 'map'")

    def numpyro_run(render, warmup=warmup, samples=samples):
        """The tutorial's NumPyro model around ``render(values) -> psf``."""
        def psf_model(data):
            values = [numpyro.sample(name, dist.Uniform(*bounds[name])) for name in PARAMETERS]
            model_psf = render(values)
            with numpyro.plate("data", len(data.flatten())):
                numpyro.sample("psf", dist.Poisson(model_psf.flatten()), obs=data.flatten())

        sampler = numpyro.infer.MCMC(numpyro.infer.NUTS(psf_model, init_strategy=init_strategy), num_warmup=warmup,
                                     num_samples=samples, num_chains=chains, progress_bar=not quiet)
        t0 = time.perf_counter()
        sampler.run(jr.PRNGKey(seed + 1), data)
        draws = {k: np.asarray(v) for k, v in sampler.get_samples(group_by_chain=True).items()}
        return draws, time.perf_counter() - t0

    def save(name, draws):
        if save_dir is not None:
            pathlib.Path(save_dir).mkdir(parents=True, exist_ok=True)
            np.savez(pathlib.Path(save_dir) / f"{name}.npz", **draws)

    seconds = {}
    # --- the tutorial's NumPyro model, airy's JAX function in place of telescope.model() -----
    telescope_fn = airy.jax.model_function(telescope, PARAMETERS)
    np_draws, seconds["numpyro_airy"] = numpyro_run(lambda values: telescope_fn(np_j.stack(values)))
    save("numpyro_airy", np_draws)

    # --- the same posterior sampled by airy's NUTS --------------------------------------------
    t0 = time.perf_counter()
    idata = airy.sample(posterior, num_warmup=warmup, num_samples=samples, num_chains=max(chains, 2),
                        seed=seed + 2, progress_bar=not quiet, init=airy_init)
    seconds["airy_sample"] = time.perf_counter() - t0
    save("airy_sample", {name: idata.posterior[name].values for name in PARAMETERS})

    # --- the original: NumPyro with the dLux telescope -----------------------------------------
    dlux_draws = None
    dlux_tel = dlux_telescope(npix, config) if dlux is not False else None
    if dlux is True and dlux_tel is None:
        raise ImportError("dLux / dLuxToliman are not installed (bench/compare/requirements-python.txt)")
    if dlux_tel is not None:
        dlux_draws, seconds["numpyro_dlux"] = numpyro_run(lambda values: dlux_tel.set(PARAMETERS, values).model(),
                                                          dlux_warmup or warmup, dlux_samples or samples)
        save("numpyro_dlux", dlux_draws)

    rows = [(name, *compare(np_draws[name], idata.posterior[name].values)) for name in PARAMETERS]
    rows_dlux = None
    if dlux_draws is not None:
        rows_dlux = [(name, *compare(dlux_draws[name], idata.posterior[name].values)) for name in PARAMETERS]
    if not quiet:
        for title, table in (("NumPyro+airy", rows), ("NumPyro+dLux", rows_dlux)):
            if table is None:
                continue
            print(f"{'parameter':15s} {title + ' mean':>18s} {'sd':>10s} {'airy.sample mean':>18s} {'sd':>10s} {'z(mean)':>8s} {'z(sd)':>7s}")
            for r in table:
                print(f"{r[0]:15s} {r[1]:18.6g} {r[2]:10.3g} {r[3]:18.6g} {r[4]:10.3g} {r[5]:8.2f} {r[6]:7.2f}")
        print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    return {"numpyro": np_draws, "airy": idata, "table": rows, "dlux": dlux_draws, "table_dlux": rows_dlux,
            "seconds": seconds, "truth": [telescope.get(p) for p in PARAMETERS]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=1)
    ap.add_argument("--npix", type=int, default=128, help="pupil pixels (the tutorial: 128)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=["uniform", "map"], default="uniform",
                    help="uniform: NumPyro's default (the tutorial); map: every chain from airy's MAP")
    ap.add_argument("--no-dlux", action="store_true", help="skip NumPyro + dLux")
    ap.add_argument("--dlux-warmup", type=int, default=None, help="NumPyro + dLux only (default: --warmup)")
    ap.add_argument("--dlux-samples", type=int, default=None, help="NumPyro + dLux only (default: --samples)")
    ap.add_argument("--json", default=None, help="write the tables and timings to this file")
    ap.add_argument("--save-dir", default=None, help="write each sampler's draws there (<sampler>.npz)")
    args = ap.parse_args()
    out = run(args.warmup, args.samples, args.chains, args.npix, args.seed, dlux=False if args.no_dlux else None,
              init=args.init, dlux_warmup=args.dlux_warmup, dlux_samples=args.dlux_samples,
              save_dir=args.save_dir)
    if args.json:
        import json

        def rows(table):
            return None if table is None else [[r[0], *map(float, r[1:])] for r in table]
        with open(args.json, "w") as fh:
            json.dump({"args": vars(args), "table": rows(out["table"]), "table_dlux": rows(out["table_dlux"]),
                       "seconds": out["seconds"], "truth": [float(np.ravel(t)[0]) for t in out["truth"]]}, fh, indent=1)


if __name__ == "__main__":
    main()
