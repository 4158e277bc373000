# SPDX-License-Identifier: BSD-3-Clause
"""dLux's NumPyro HMC tutorial, ported to airy: the tutorial's 6-parameter AlphaCen model
(bench/compare/tutorial6.toml: 128 px pupil of 1 m, Noll 4-10 fixed at the tutorial's
coefficients, 16 px at 0.03"), written with airy's dLux vocabulary, with airy's JAX function
in place of ``telescope.model()`` inside the tutorial's NumPyro model. The same posterior is
then sampled by airy's own NUTS (airy.sample) and the two are compared (z-tests on means and
sds).

    python examples/python/hmc_tutorial.py                       # the tutorial's lengths
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


def build_telescope(wf_npix: int, config: dict):
    """The tutorial's telescope (dLux code, airy imports)."""
    optics_cfg = config["optics"]
    diameter = optics_cfg["diameter"]
    source = dl.AlphaCen()
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


def priors(config: dict) -> dict:
    return {name: (config["priors"][f"source.{name}"]["low"], config["priors"][f"source.{name}"]["high"])
            for name in PARAMETERS}


def run(warmup=1000, samples=1000, chains=1, npix=128, seed=0, quiet=False):
    """Runs both samplers; returns {'numpyro': draws, 'airy': draws, 'table': rows}."""
    with open(ROOT / "bench" / "compare" / "tutorial6.toml", "rb") as fh:
        config = tomllib.load(fh)
    telescope = build_telescope(npix, config)
    psf = telescope.model()
    data = np.asarray(jr.poisson(jr.PRNGKey(seed), psf), dtype=np.float64)  # the tutorial's noise

    # --- the tutorial's NumPyro model, airy's JAX function in place of telescope.model() -----
    telescope_fn = airy.jax.model_function(telescope, PARAMETERS)
    bounds = priors(config)

    def psf_model(data):
        values = [numpyro.sample(name, dist.Uniform(*bounds[name])) for name in PARAMETERS]
        model_psf = telescope_fn(np_j.stack(values))
        with numpyro.plate("data", len(data.flatten())):
            numpyro.sample("psf", dist.Poisson(model_psf.flatten()), obs=data.flatten())

    sampler = numpyro.infer.MCMC(numpyro.infer.NUTS(psf_model), num_warmup=warmup, num_samples=samples,
                                 num_chains=chains, progress_bar=not quiet)
    sampler.run(jr.PRNGKey(seed + 1), data)
    np_draws = {k: np.asarray(v) for k, v in sampler.get_samples(group_by_chain=True).items()}

    # --- the same posterior sampled by airy's NUTS --------------------------------------------
    posterior = airy.Posterior(telescope, {name: airy.distributions.Uniform(*bounds[name]) for name in PARAMETERS},
                               data, likelihood="poisson")
    idata = airy.sample(posterior, num_warmup=warmup, num_samples=samples, num_chains=max(chains, 2),
                        seed=seed + 2, progress_bar=not quiet)

    import arviz as az
    rows = []
    for name in PARAMETERS:
        a = np_draws[name]
        b = idata.posterior[name].values
        ess_a, ess_b = float(az.ess(a)), float(az.ess(b))
        se_mean = np.sqrt(a.var() / ess_a + b.var() / ess_b)
        z_mean = (a.mean() - b.mean()) / se_mean
        # sd: normal-approximation standard error sd / sqrt(2 ESS) on each side
        se_sd = np.sqrt(a.var() / (2 * ess_a) + b.var() / (2 * ess_b))
        z_sd = (a.std() - b.std()) / se_sd
        rows.append((name, a.mean(), a.std(), b.mean(), b.std(), z_mean, z_sd))
    if not quiet:
        print(f"{'parameter':15s} {'NumPyro+airy mean':>18s} {'sd':>10s} {'airy.sample mean':>18s} {'sd':>10s} {'z(mean)':>8s} {'z(sd)':>7s}")
        for r in rows:
            print(f"{r[0]:15s} {r[1]:18.6g} {r[2]:10.3g} {r[3]:18.6g} {r[4]:10.3g} {r[5]:8.2f} {r[6]:7.2f}")
    return {"numpyro": np_draws, "airy": idata, "table": rows, "truth": [telescope.get(p) for p in PARAMETERS]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=1)
    ap.add_argument("--npix", type=int, default=128, help="pupil pixels (the tutorial: 128)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    run(args.warmup, args.samples, args.chains, args.npix, args.seed)


if __name__ == "__main__":
    main()
