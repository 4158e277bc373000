# SPDX-License-Identifier: BSD-3-Clause
"""The CLI's files opened by the tools an astronomer uses (issue 14): posterior.nc in ArviZ
(log_likelihood for az.loo / az.waic, posterior_predictive for az.plot_ppc, named dims and
units) and the chain CSVs in cmdstanpy."""
from __future__ import annotations

import glob
import subprocess

import numpy as np
import pytest

from conftest import SMALL_TOML

RUN = SMALL_TOML.replace("num_warmup = 150", "num_warmup = 100").replace(
    "num_samples = 150", "num_samples = 60")


@pytest.fixture(scope="module")
def fit_dir(cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_outputs")
    cfg = d / "small.toml"
    cfg.write_text(RUN + "\n[output]\nposterior_predictive_draws = 20\n")
    subprocess.run([cli, "simulate", str(cfg), "--out", str(d / "sim")], check=True,
                   capture_output=True)
    subprocess.run([cli, "fit", str(cfg), "--data", str(d / "sim" / "data.fits"), "--out",
                    str(d / "fit"), "-q", "--no-plots"], check=True, capture_output=True)
    return d / "fit"


def test_arviz_groups_dims_coords_and_units(fit_dir):
    az = pytest.importorskip("arviz")
    idata = az.from_netcdf(fit_dir / "posterior.nc")
    assert {"posterior", "sample_stats", "observed_data", "log_likelihood",
            "posterior_predictive"} <= set(idata.groups())
    post = idata.posterior
    assert post["coefficients"].dims == ("chain", "draw", "noll")
    assert list(post["noll"].values) == [4, 5, 6]
    assert post["coefficients"].attrs["units"] == "nm"
    assert post["separation"].attrs["units"] == "arcsec"
    for group in ("posterior", "sample_stats", "observed_data", "log_likelihood",
                  "posterior_predictive"):
        for name, var in idata[group].data_vars.items():
            assert "units" in var.attrs, (group, name)
    obs = idata.observed_data["image"]
    assert obs.dims == ("y", "x") and obs.attrs["units"] == "photon"
    ll = idata.log_likelihood["image"]
    assert ll.dims == ("chain", "draw", "y", "x") and np.all(np.isfinite(ll.values))
    assert ll.sizes["draw"] == post.sizes["draw"]
    pp = idata.posterior_predictive["image"]
    assert pp.dims == ("chain", "draw", "y", "x") and pp.shape[2:] == obs.shape
    assert pp.sizes["chain"] * pp.sizes["draw"] <= 20
    # The replicates scatter about the data as the noise model says: the pooled standardised
    # residual (pp - data) / sqrt(model + sigma^2) has about unit variance, the model being
    # close to the data's expectation; a replicate without noise or with the wrong variance
    # would give ~0 or >> 1. sigma = 3 photons (SMALL_TOML).
    z = (pp.values - obs.values) / np.sqrt(np.maximum(obs.values, 0.0) + 9.0)
    assert 1.3 < float(np.var(z)) < 2.7  # data and replicate each carry one unit of noise


def test_arviz_loo_waic_and_plot_ppc(fit_dir):
    az = pytest.importorskip("arviz")
    import matplotlib
    matplotlib.use("Agg")
    idata = az.from_netcdf(fit_dir / "posterior.nc")
    loo = az.loo(idata, pointwise=True)
    assert np.isfinite(loo.elpd_loo) and loo.loo_i.size == idata.observed_data["image"].size
    # The pointwise log likelihood sums to a plausible total: elpd is below the in-sample
    # mean log likelihood by the effective number of parameters p_loo (> 0, well below the
    # pixel count).
    total = float(idata.log_likelihood["image"].sum(("y", "x")).mean())
    assert 0.0 < total - loo.elpd_loo < 50.0
    assert np.isfinite(az.waic(idata).elpd_waic)
    axes = az.plot_ppc(idata, num_pp_samples=10)
    assert np.size(axes) >= 1


def test_cmdstanpy_reads_the_chains(fit_dir):
    cmdstanpy = pytest.importorskip("cmdstanpy")
    files = sorted(glob.glob(str(fit_dir / "chain_*.csv")))
    fit = cmdstanpy.from_csv(files)
    assert fit.draws().shape[:2] == (60, 2)
    assert fit.stan_variable("coefficients").shape == (120, 3)
