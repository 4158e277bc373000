# SPDX-License-Identifier: BSD-3-Clause
"""A multi-exposure, masked `airy fit` opened in the tools a user would use (issue 14):
posterior.nc in ArviZ (groups, exposure dims, noll coords, units, az.loo / az.waic per
exposure and for the joint model, az.plot_ppc on the masked exposure), the chains in
cmdstanpy, every FITS image in astropy (fits verify, WCS, CCDData); and airy.sample of the
same posterior from Python in the same layout.

The run: the small binary of conftest on a sky background, seen in two exposures (b dithered
and 1.3x brighter), each with its own background; exposure b has a variance map, a NaN pixel
and a flagged (masked) pixel holding 1e6 photons, which must appear nowhere as data."""
from __future__ import annotations

import glob
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

from conftest import ROOT, SMALL_TOML

SCALE = 0.05  # arcsec per pixel (psf_pixel_scale, oversample 1)
NAN_PIXEL = (2, 3)  # (y, x) of b's NaN pixel
FLAGGED = (9, 7)  # (y, x) of b's masked pixel, whose value is a cosmic ray
BASE = SMALL_TOML.split("[likelihood]")[0] + """
[[detector.layers]]
type = "background"
value = 10.0
[likelihood]
kind = "poisson_gaussian"
sigma = 3.0
[priors."source.x_position"]
dist = "normal"
loc = 0.0
scale = 0.05
[priors."source.log_flux"]
dist = "normal"
loc = 4.0
scale = 0.5
[priors."optics.aperture.coefficients"]
dist = "normal"
loc = 0.0
scale = 30.0
unit = "nm"
[priors."exposures.*.detector.background.value"]
dist = "normal"
loc = 10.0
scale = 3.0
[sampler]
num_chains = 2
num_warmup = 80
num_samples = 40
seed = 6
init = "map"
metric_init = "laplace"
map_starts = 6
[output]
posterior_predictive_draws = 20
"""
SIM = BASE + """
[[exposures]]
name = "a"
[[exposures]]
name = "b"
dither = [0.03, -0.02]
flux_scale = 1.3
"""


@pytest.fixture(scope="module")
def run(cli, tmp_path_factory):
    """simulate -> mask / NaN / variance on b -> fit; returns (sim dir, fit dir, b's mask)."""
    fits = pytest.importorskip("astropy.io.fits")
    d = tmp_path_factory.mktemp("cli_exposures")
    (d / "sim.toml").write_text(SIM)
    subprocess.run([cli, "simulate", str(d / "sim.toml"), "--out", str(d / "sim")], check=True,
                   capture_output=True)
    with fits.open(d / "sim" / "data_b.fits") as hdul:
        b = hdul[0].data.astype(float)
    b[NAN_PIXEL] = np.nan
    b[FLAGGED] = 1e6
    mask = np.zeros(b.shape, np.int16)
    mask[FLAGGED] = 4  # a DQ flag
    ny, nx = b.shape
    variance = 9.0 * (1.0 + 0.5 * np.arange(nx) / nx)[None, :].repeat(ny, axis=0)
    fits.PrimaryHDU(b).writeto(d / "b.fits")
    fits.PrimaryHDU(mask).writeto(d / "b_dq.fits")
    fits.PrimaryHDU(variance).writeto(d / "b_var.fits")
    (d / "fit.toml").write_text(BASE + f"""
[[exposures]]
name = "a"
data = "{d / 'sim' / 'data_a.fits'}"
[[exposures]]
name = "b"
data = "b.fits"
variance = "b_var.fits"
mask = "b_dq.fits"
dither = [0.03, -0.02]
flux_scale = 1.3
""")
    subprocess.run([cli, "fit", str(d / "fit.toml"), "--out", str(d / "fit"), "-q", "--no-plots"],
                   check=True, capture_output=True)
    left_out = mask != 0
    left_out[NAN_PIXEL] = True
    return d / "sim", d / "fit", left_out


def test_groups_dims_coords_and_units(run):
    az = pytest.importorskip("arviz")
    _, fit, left_out = run
    idata = az.from_netcdf(fit / "posterior.nc")
    assert {"posterior", "sample_stats", "observed_data", "log_likelihood",
            "posterior_predictive"} <= set(idata.groups())
    post = idata.posterior
    assert post["coefficients"].dims == ("chain", "draw", "noll")
    assert list(post["noll"].values) == [4, 5, 6]
    for name in ("value_e0", "value_e1"):  # each exposure's background
        assert post[name].dims == ("chain", "draw") and post[name].attrs["units"] == "photon"
    from astropy import units as u
    for group in ("posterior", "sample_stats", "observed_data", "log_likelihood",
                  "posterior_predictive"):
        for name, var in idata[group].data_vars.items():
            assert "units" in var.attrs, (group, name)
            unit = var.attrs["units"]
            # astropy parses every unit (a log10 quantity: its argument's unit).
            u.Unit(unit[len("log10 "):] if unit.startswith("log10 ") else unit)

    # observed_data: every exposure; b's masked pixels (the NaN and the flagged one) are NaN.
    obs = idata.observed_data
    assert set(obs.data_vars) == {"image_a", "image_b"}
    assert obs["image_b"].dims == ("y", "x") and obs["image_b"].attrs["units"] == "photon"
    b = obs["image_b"].values
    assert np.array_equal(np.isnan(b), left_out)
    assert np.nanmax(b) < 1e5  # the cosmic ray is not data
    assert np.all(np.isfinite(obs["image_a"].values))

    # log_likelihood: a over (y, x), b over its unmasked pixels, the joint over both.
    ll = idata.log_likelihood
    assert set(ll.data_vars) == {"image", "image_a", "image_b"}
    assert ll["image_a"].dims == ("chain", "draw", "y", "x")
    keep = np.flatnonzero(~left_out.ravel())
    assert ll["image_b"].dims == ("chain", "draw", "pixel_image_b")
    np.testing.assert_array_equal(ll["pixel_image_b"].values, keep)
    assert ll["image"].dims == ("chain", "draw", "pixel")
    assert ll.sizes["pixel"] == b.size + keep.size
    joint = ll["image"].values
    split = np.concatenate([ll["image_a"].values.reshape(*joint.shape[:2], -1), ll["image_b"].values], axis=-1)
    np.testing.assert_array_equal(joint, split)
    assert np.all(np.isfinite(joint))
    assert ll.sizes["draw"] == post.sizes["draw"]

    # posterior_predictive: each exposure over observed_data's dims, NaN where b is masked.
    pp = idata.posterior_predictive
    assert pp["image_b"].dims == ("chain", "draw", "y", "x")
    assert pp.sizes["chain"] * pp.sizes["draw"] <= 20
    assert np.all(np.isnan(pp["image_b"].values[..., left_out]))
    assert np.all(np.isfinite(pp["image_b"].values[..., ~left_out]))
    assert np.all(np.isfinite(pp["image_a"].values))


def test_loo_and_waic_per_exposure_and_joint(run):
    az = pytest.importorskip("arviz")
    idata = az.from_netcdf(run[1] / "posterior.nc")
    # Several variables: ArviZ wants var_name (documented); "image" is the joint model.
    with pytest.raises(TypeError, match="several log likelihood arrays"):
        az.loo(idata)
    parts = {k: az.loo(idata, var_name=k, pointwise=True) for k in ("image_a", "image_b")}
    joint = az.loo(idata, var_name="image", pointwise=True)
    assert parts["image_b"].loo_i.size == idata.log_likelihood.sizes["pixel_image_b"]
    assert joint.loo_i.size == idata.log_likelihood.sizes["pixel"]
    # PSIS-LOO is per observation: the joint elpd is the sum of the exposures'.
    assert joint.elpd_loo == pytest.approx(parts["image_a"].elpd_loo + parts["image_b"].elpd_loo, rel=1e-12)
    for r in (*parts.values(), joint):
        assert np.isfinite(r.elpd_loo) and 0.0 < r.p_loo < 50.0
    w = az.waic(idata, var_name="image")
    assert np.isfinite(w.elpd_waic) and abs(w.elpd_waic - joint.elpd_loo) < 5.0


def test_plot_ppc_of_the_masked_exposure(run):
    az = pytest.importorskip("arviz")
    import matplotlib
    matplotlib.use("Agg")
    idata = az.from_netcdf(run[1] / "posterior.nc")
    axes = np.atleast_1d(az.plot_ppc(idata, var_names=["image_b"], num_pp_samples=10))
    lines = [ln for ax in axes for ln in ax.get_lines() if ln.get_label() == "Observed"]
    assert len(lines) == 1
    x = np.asarray(lines[0].get_xdata())
    # The observed density spans the unmasked data only: the 1e6 cosmic ray would stretch it.
    data = idata.observed_data["image_b"].values
    assert np.all(np.isfinite(x)) and x.max() < 2 * np.nanmax(data)
    axes = az.plot_ppc(idata, num_pp_samples=10)  # every exposure
    assert np.size(axes) == 2


def test_cmdstanpy_reads_the_chains(run):
    cmdstanpy = pytest.importorskip("cmdstanpy")
    fit = cmdstanpy.from_csv(sorted(glob.glob(str(run[1] / "chain_*.csv"))))
    assert fit.draws().shape[:2] == (40, 2)
    assert fit.stan_variable("coefficients").shape == (80, 3)
    b0, b1 = fit.stan_variable("value_e0"), fit.stan_variable("value_e1")
    assert b0.shape == (80,) and np.all(np.isfinite(b1))


def test_every_fits_image_opens_in_astropy(run):
    pytest.importorskip("astropy")
    from astropy import units as u
    from astropy.io import fits
    from astropy.nddata import CCDData
    from astropy.wcs import WCS
    sys.path.insert(0, str(ROOT / "tests" / "python"))
    import check_fits

    sim, fit, left_out = run
    files = sorted(glob.glob(str(sim / "*.fits"))) + sorted(glob.glob(str(fit / "*.fits")))
    names = {pathlib.Path(f).name for f in files}
    assert {"data_a.fits", "data_b.fits", "psf_a.fits", "psf_b.fits"} <= names
    assert {f"{k}_{e}.fits" for k in ("data", "model", "residual") for e in "ab"} <= names
    for f in files:
        with fits.open(f) as hdul:
            hdul.verify("exception")
            for i, hdu in enumerate(hdul):
                with warnings.catch_warnings():
                    warnings.simplefilter("error")  # a FITSFixedWarning: a header astropy fixed
                    w = WCS(hdu.header)
                assert w.has_celestial, (f, i)
                assert u.Unit(hdu.header["BUNIT"]) == u.photon, (f, i)
                ccd = CCDData.read(f, hdu=i)
                assert ccd.unit == u.photon and ccd.wcs.has_celestial
        if pathlib.Path(f).name.startswith(("data_", "model_", "residual_")):
            check_fits.main(f, SCALE)  # WCS at the optical axis, pixel steps, provenance
    # fit's copy of b's data: the NaN kept, where it came from in HISTORY.
    with fits.open(fit / "data_b.fits") as hdul:
        assert np.isnan(hdul[0].data[NAN_PIXEL])
        assert "b.fits" in str(hdul[0].header.get("HISTORY", ""))
    # The residual of a masked pixel is no residual: NaN.
    with fits.open(fit / "residual_b.fits") as hdul:
        assert np.all(np.isnan(hdul[0].data[left_out]))
        assert np.all(np.isfinite(hdul[0].data[~left_out]))


def test_python_sample_of_the_same_posterior(run):
    """airy.sample on the config's posterior with b's maps: the same layout as posterior.nc."""
    az = pytest.importorskip("arviz")
    import airy
    from astropy.io import fits
    sim, fit, left_out = run
    cfg = airy.load_config(fit.parent / "fit.toml")
    images = [fits.getdata(sim / "data_a.fits").astype(float), fits.getdata(fit.parent / "b.fits").astype(float)]
    variance = [None, fits.getdata(fit.parent / "b_var.fits").astype(float)]
    # The Python API leaves NaN pixels out only when the mask says so (it rejects NaN data
    # otherwise); the CLI masks them by itself.
    mask = [None, left_out]
    post = cfg.posterior(images, variance=variance, mask=mask)
    idata = airy.sample(post, num_warmup=80, num_samples=20, num_chains=2, seed=3, progress_bar=False,
                        init="map")
    obs = idata.observed_data["image_b"].values
    assert np.array_equal(np.isnan(obs), left_out)
    ll = idata.log_likelihood
    assert set(ll.data_vars) == {"image", "image_a", "image_b"}
    assert ll["image_b"].dims == ("chain", "draw", "pixel_image_b")
    np.testing.assert_array_equal(ll["pixel_image_b"].values, np.flatnonzero(~left_out.ravel()))
    assert ll.sizes["pixel"] == obs.size + int((~left_out).sum())
    # The joint pointwise values sum to the log likelihood of the draw, evaluated here in
    # scipy: d ~ Normal(mu, max(mu, 0) + v) over the unmasked pixels, v = 9 (sigma = 3) for a
    # and the variance map for b.
    stats = pytest.importorskip("scipy.stats")
    draw = np.array([float(idata.posterior[v].values[0, 3]) for v in ("x_position", "log_flux")]
                    + list(idata.posterior["coefficients"].values[0, 3])
                    + [float(idata.posterior[v].values[0, 3]) for v in ("value_e0", "value_e1")])
    total = 0.0
    for e, (d, v) in enumerate(zip(images, [np.full(images[0].shape, 9.0), variance[1]])):
        mu = post.telescope_at(draw, e).model()
        keep = ~left_out if e == 1 else np.ones(mu.shape, bool)
        total += stats.norm.logpdf(d[keep], mu[keep], np.sqrt(np.maximum(mu[keep], 0.0) + v[keep])).sum()
    assert float(ll["image"].values[0, 3].sum()) == pytest.approx(total, rel=1e-10)
    loo = az.loo(idata, var_name="image")
    assert np.isfinite(loo.elpd_loo)
    # posterior_predictive: 20 draws of each chain by default (100 // 2 chains, at most 20).
    pp = idata.posterior_predictive
    assert pp["image_b"].dims == ("chain", "draw", "y", "x") and pp.sizes["draw"] == 20
    assert np.all(np.isnan(pp["image_b"].values[..., left_out]))
    assert np.all(np.isfinite(pp["image_b"].values[..., ~left_out]))
    assert pp["image_a"].attrs["units"] == "photon"
    # The replicates scatter about the data as the noise model says (one unit of noise each in
    # data and replicate: pooled variance of the standardised difference ~ 2).
    z = (pp["image_b"].values - obs) / np.sqrt(np.maximum(obs, 0.0) + variance[1])
    assert 1.3 < float(np.nanvar(z)) < 2.7
    import matplotlib
    matplotlib.use("Agg")
    assert np.size(az.plot_ppc(idata, var_names=["image_b"], num_pp_samples=10)) == 1
