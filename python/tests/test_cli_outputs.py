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


POINTS = """
[optics]
type = "angular"
npix = 32
diameter = 1.0
psf_npix = 12
psf_pixel_scale = 0.05
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
[source]
type = "points"
positions_x = [-0.12, 0.05, 0.1]
positions_y = [0.02, -0.1, 0.08]
log_fluxes = [4.3, 4.0, 4.1]
n_wavelengths = 2
[likelihood]
kind = "poisson_gaussian"
sigma = 3.0
[priors."source.positions"]   # per star: the stars are not exchangeable (no label switching)
dist = "normal"
loc = [-0.1, 0.0, 0.04, -0.09, 0.11, 0.07]
scale = 0.03
[sampler]
num_chains = 2
num_warmup = 100
num_samples = 30
seed = 2
init = "map"
map_starts = 4
"""


@pytest.fixture(scope="module")
def points_dir(cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_points")
    cfg = d / "points.toml"
    cfg.write_text(POINTS)
    subprocess.run([cli, "simulate", str(cfg), "--out", str(d / "sim")], check=True, capture_output=True)
    subprocess.run([cli, "fit", str(cfg), "--data", str(d / "sim" / "data.fits"), "--out",
                    str(d / "fit"), "-q", "--no-plots"], check=True, capture_output=True)
    return d / "fit"


def test_star_positions_are_named_by_star_and_axis(cli, points_dir):
    """positions[s,a] (a = 1: x, 2: y) in the CSV (positions.s.a), summary.csv, the console
    and `airy summary`; cmdstanpy and ArviZ read the same (star, axis) array."""
    az = pytest.importorskip("arviz")
    cmdstanpy = pytest.importorskip("cmdstanpy")
    files = sorted(glob.glob(str(points_dir / "chain_*.csv")))
    header = next(line for line in open(files[0]) if not line.startswith("#"))
    # CmdStan's matrix order: column-major, the first index fastest.
    assert "positions.1.1,positions.2.1,positions.3.1,positions.1.2" in header
    fit = cmdstanpy.from_csv(files)
    pos = fit.stan_variable("positions")
    assert pos.shape == (60, 3, 2)
    np.testing.assert_allclose(pos.mean(axis=0), [[-0.12, 0.02], [0.05, -0.1], [0.1, 0.08]], atol=0.01)
    cs = az.from_cmdstan(files)
    assert cs.posterior["positions"].shape == (2, 30, 3, 2)
    np.testing.assert_array_equal(cs.posterior["positions"].values.reshape(-1, 3, 2), pos)
    idata = az.from_netcdf(points_dir / "posterior.nc")
    p = idata.posterior["positions"]
    assert p.dims == ("chain", "draw", "star", "axis") and list(p["axis"].values) == ["x", "y"]
    np.testing.assert_array_equal(p.values.reshape(-1, 3, 2), pos)
    # The truth (simulate's truth.toml, by the sampler's names) lands on the same entries.
    truth = idata.constant_data["positions_true"]
    np.testing.assert_allclose(truth.sel(axis="x").values, [-0.12, 0.05, 0.1], atol=1e-12)
    np.testing.assert_allclose(truth.sel(axis="y").values, [0.02, -0.1, 0.08], atol=1e-12)
    # ... where the draws are: star 2's x near 0.05", its y near -0.1".
    assert abs(float(p.sel(star=1, axis="x").mean()) - 0.05) < 0.01
    assert abs(float(p.sel(star=1, axis="y").mean()) + 0.1) < 0.01
    csv = (points_dir / "summary.csv").read_text()
    assert "positions[2,1]" in csv and "positions[3,2]" in csv
    assert "source.positions[2,1]" in (points_dir / "summary.txt").read_text()
    out = subprocess.run([cli, "summary", str(points_dir)], check=True, capture_output=True, text=True).stdout
    assert "source.positions[2,1]" in out
    assert "/6 true values inside" in out  # the run's truth.toml matches the renamed draws
