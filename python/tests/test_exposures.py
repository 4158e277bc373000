# SPDX-License-Identifier: BSD-3-Clause
"""The multi-exposure posterior from Python (airy::posterior::ImagePosterior with N exposures,
[[exposures]] configs): its log density against an independent numpy/scipy evaluation and
against the sum of one-exposure posteriors, its gradient against finite differences, its
Fisher information against the sum of the exposures', the Python- and config-built forms
against each other, and sample/optimize/fisher/ArviZ on it."""
import numpy as np
import pytest

import airy
from airy.distributions import LogNormal, Normal

from conftest import SMALL_TOML

stats = pytest.importorskip("scipy.stats")

# The small binary of conftest seen twice, on a sky background: exposure "a" as configured,
# exposure 1 dithered and 1.3x brighter. Shared: x_position, log_flux, the Zernike
# coefficients (nm); each exposure's own: its background (log-normal, so the log-Jacobian of
# the exp bijector enters).
SIGMA = 3.0
EXPOSURES_TOML = SMALL_TOML.split("[likelihood]")[0] + f"""
[[detector.layers]]
type = "background"
value = 10.0
[likelihood]
kind = "poisson_gaussian"
sigma = {SIGMA}
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
dist = "log_normal"
loc = 2.3
scale = 0.3
[sampler]
num_chains = 2
num_warmup = 60
num_samples = 40
seed = 4

[[exposures]]
name = "a"

[[exposures]]
dither = [0.03, -0.02]
flux_scale = 1.3
"""


@pytest.fixture(scope="module")
def cfg():
    return airy.parse_config(EXPOSURES_TOML, "<exposures>")


@pytest.fixture(scope="module")
def images(cfg):
    """Independent noise per exposure: Poisson photons + N(0, SIGMA) read noise."""
    rng = np.random.default_rng(7)
    return [rng.poisson(t.model()) + rng.normal(0.0, SIGMA, t.image_shape) for t in cfg.telescopes]


@pytest.fixture(scope="module")
def post(cfg, images):
    return cfg.posterior(images)


def poisson_gaussian_loglik(d, mu):
    """log L of docs/config.md's default likelihood: d ~ Normal(mu, max(mu, 0) + sigma^2)."""
    v = np.maximum(mu, 0.0) + SIGMA**2
    return float(np.sum(-0.5 * (d - mu) ** 2 / v - 0.5 * np.log(2 * np.pi * v)))


def test_config_exposures_give_one_telescope_each(cfg):
    assert cfg.num_exposures == 2
    assert cfg.exposure_names == ["a", "1"]
    a, b = cfg.telescopes
    assert cfg.telescope is a
    np.testing.assert_array_equal(b.get("exposure.dither"), [0.03, -0.02])
    assert b.get("exposure.flux_scale") == 1.3
    # Same scene, different pointing and exposure time: the images differ, the totals by 1.3x
    # (up to the light the dither moves off the 12 px detector).
    assert not np.allclose(a.model(), b.model())
    assert b.model().sum() / a.model().sum() == pytest.approx(1.3, rel=0.05)
    # Simulated data as `airy simulate`: one image per exposure, independent noise (stream
    # 1 + e), exposure e alone on request.
    photon_only, data = cfg.simulate()
    assert len(data) == 2 and data[1].shape == b.image_shape
    np.testing.assert_array_equal(cfg.simulate(exposure=1)[1], data[1])
    noise = [d - t.model() for d, t in zip(data, cfg.telescopes)]
    assert abs(np.corrcoef(noise[0].ravel(), noise[1].ravel())[0, 1]) < 0.5
    with pytest.raises(airy.InvalidArgument, match="exposure = 2"):
        cfg.simulate(exposure=2)


def test_names_and_sites(post):
    assert post.num_exposures == 2
    assert post.exposure_names == ["a", "1"]
    assert post.names == ["x_position", "log_flux", "coefficients[1]", "coefficients[2]",
                          "coefficients[3]", "value_e0", "value_e1"]
    assert post.site_exposures() == [-1, -1, -1, 0, 1]
    assert isinstance(post.data, list) and len(post.data) == 2
    np.testing.assert_allclose(post.current_values(), [0.0, 4.0, 20.0, -10.0, 15.0, 10.0, 10.0],
                               rtol=1e-12, atol=1e-15)


def test_log_density_equals_the_sum_of_the_exposures(post, images):
    """log p(u) = sum_e log L_e(d_e | model_e) + log priors + log|d b/d u| of the backgrounds,
    with the images from each exposure's telescope at the values and everything else in
    numpy/scipy."""
    values = np.array([0.01, 4.05, 15.0, -5.0, 10.0, 9.0, 11.5])
    u = post.unconstrain(values)
    np.testing.assert_allclose(u[5:], np.log(values[5:]), rtol=1e-14)  # exp bijector
    lp, grad = post.log_density(u)
    loglik = sum(poisson_gaussian_loglik(d, post.telescope_at(values, e).model())
                 for e, d in enumerate(images))
    prior = (stats.norm.logpdf(values[0], 0.0, 0.05) + stats.norm.logpdf(values[1], 4.0, 0.5)
             + np.sum(stats.norm.logpdf(values[2:5], 0.0, 30.0))
             + np.sum(stats.lognorm.logpdf(values[5:], 0.3, scale=np.exp(2.3))) + np.sum(u[5:]))
    assert lp == pytest.approx(loglik + prior, rel=1e-12)
    # telescope_at(values, e) is exposure e's telescope: its own background, dither and flux.
    assert post.telescope_at(values, 1).get("detector.background.value") == pytest.approx(11.5)
    assert post.telescope_at(values, 1).get("exposure.flux_scale") == 1.3
    np.testing.assert_array_equal(post.telescope_at(values, 1).get("exposure.dither"), [0.03, -0.02])

    # The same from airy's one-exposure posteriors: each sees the shared sites and its own
    # background, so their sum counts the shared priors twice.
    shared = [airy.Prior("source.x_position", Normal(0.0, 0.05)), airy.Prior("source.log_flux", Normal(4.0, 0.5)),
              airy.Prior("optics.aperture.coefficients", Normal(0.0, 30.0), unit="nm", scale=1e-9)]
    one = []
    for e, d in enumerate(images):
        p = airy.Posterior(post.telescopes[e], shared + [airy.Prior("detector.background.value", LogNormal(2.3, 0.3))], d)
        one.append(p.log_density(np.concatenate([u[:5], u[5 + e:6 + e]]))[0])
    shared_prior = prior - np.sum(stats.lognorm.logpdf(values[5:], 0.3, scale=np.exp(2.3))) - np.sum(u[5:])
    assert lp == pytest.approx(one[0] + one[1] - shared_prior, rel=1e-12)

    # The gradient against central differences in each unconstrained coordinate.
    for i in range(post.dim):
        h = 1e-6 * max(1.0, abs(u[i]))
        du = np.zeros(post.dim)
        du[i] = h
        fd = (post.log_density(u + du)[0] - post.log_density(u - du)[0]) / (2 * h)
        assert grad[i] == pytest.approx(fd, rel=1e-6, abs=1e-6 * np.max(np.abs(grad))), i


def test_python_built_posterior_equals_the_config_one(cfg, post, images):
    exposures = [airy.Exposure(t, d, sigma=SIGMA, name=n)
                 for t, d, n in zip(cfg.telescopes, images, ["a", ""])]
    priors = [airy.Prior("x_position", Normal(0.0, 0.05)),  # dLux spelling
              airy.Prior("source.log_flux", Normal(4.0, 0.5)),
              airy.Prior("aperture.coefficients", Normal(0.0, 30.0), unit="nm", scale=1e-9),
              airy.Prior("detector.background.value", LogNormal(2.3, 0.3), exposure="*")]
    py = airy.Posterior(exposures, priors)
    assert py.names == post.names and py.exposure_names == post.exposure_names
    rng = np.random.default_rng(1)
    for _ in range(3):
        u = post.unconstrain(post.current_values()) + 0.1 * rng.standard_normal(post.dim)
        lp, g = post.log_density(u)
        lp_py, g_py = py.log_density(u)
        assert lp_py == pytest.approx(lp, rel=1e-14)
        np.testing.assert_allclose(g_py, g, rtol=1e-12)
    # One exposure's own site (exposure=1 only) and errors naming the argument.
    own = airy.Posterior(exposures, priors[:3] + [airy.Prior("detector.background.value", LogNormal(2.3, 0.3), exposure=1)])
    assert own.names[-1] == "value_e1"
    with pytest.raises(airy.InvalidArgument, match="exposure = 2"):
        airy.Posterior(exposures, [airy.Prior("source.log_flux", Normal(4.0, 0.5), exposure=2)])
    with pytest.raises(airy.InvalidArgument, match="data"):
        airy.Posterior(exposures, priors, images[0])
    with pytest.raises(airy.InvalidArgument, match="data"):
        airy.Exposure(cfg.telescopes[0], np.zeros((3, 3)))
    with pytest.raises(airy.InvalidArgument, match="1 image"):
        cfg.posterior(images[:1])


def test_fisher_of_shared_parameters_is_the_sum_of_the_exposures(cfg, images):
    """Independent exposures add information: with every site shared, F = F_a + F_b."""
    priors = [airy.Prior("source.x_position", Normal(0.0, 0.05)),
              airy.Prior("source.log_flux", Normal(4.0, 0.5)),
              airy.Prior("optics.aperture.coefficients", Normal(0.0, 30.0), unit="nm", scale=1e-9)]
    exposures = [airy.Exposure(t, d, sigma=SIGMA) for t, d in zip(cfg.telescopes, images)]
    joint = airy.Posterior(exposures, priors)
    values = joint.current_values()
    f = airy.fisher(joint, values, as_xarray=False)["fisher"]
    parts = [airy.fisher(airy.Posterior([x], priors), values, as_xarray=False)["fisher"] for x in exposures]
    np.testing.assert_allclose(f, parts[0] + parts[1], rtol=1e-10)
    assert np.all(np.linalg.eigvalsh(f) > 0)


def test_sample_optimize_and_arviz(cfg, images, post):
    fit = airy.optimize(post, num_starts=2, seed=3)
    assert len(fit["values"]) == 7 and np.all(np.isfinite(fit["values"]))
    f = airy.fisher(post)
    assert list(f["parameter"].values) == post.names
    assert np.all(f["crb"].values > 0)
    idata = airy.sample(cfg, images, num_warmup=40, num_samples=20, progress_bar=False)
    assert set(idata.groups()) >= {"posterior", "sample_stats", "observed_data", "log_likelihood"}
    assert idata.posterior["coefficients"].dims == ("chain", "draw", "noll")
    assert idata.posterior["value_e1"].shape == (2, 20)
    assert set(idata.observed_data.data_vars) == {"image_a", "image_1"}
    np.testing.assert_array_equal(idata.observed_data["image_1"].values, images[1])
    ll = idata.log_likelihood
    assert ll["image_a"].dims == ("chain", "draw", "y", "x")
    # Per-pixel log L summed over pixels and exposures = the total log L of each draw.
    draw = np.array([idata.posterior[v].values[0, 0] for v in ("x_position", "log_flux")]
                    + list(idata.posterior["coefficients"].values[0, 0])
                    + [idata.posterior[v].values[0, 0] for v in ("value_e0", "value_e1")])
    total = sum(poisson_gaussian_loglik(d, post.telescope_at(draw, e).model()) for e, d in enumerate(images))
    assert float(ll["image_a"][0, 0].sum() + ll["image_1"][0, 0].sum()) == pytest.approx(total, rel=1e-10)
    # ... and the joint variable holds both exposures' pixels (az.loo(var_name="image")).
    assert ll["image"].dims == ("chain", "draw", "pixel") and ll["image"].shape[2] == 2 * images[0].size
    assert float(ll["image"][0, 0].sum()) == pytest.approx(total, rel=1e-10)
