# SPDX-License-Identifier: BSD-3-Clause
"""Per-pixel variance and mask maps in the Python likelihoods (airy.Exposure, airy.Posterior,
Config.posterior): the log density against an independent numpy/scipy evaluation (masked
pixels left out, each pixel's own variance), the gradient against central differences, the
per-pixel log_likelihood group, the Python- and config-built forms against each other, and
every bad map raising an exception that names the argument."""
import numpy as np
import pytest

import airy
from airy.distributions import Normal, Uniform

from conftest import SMALL_TOML

stats = pytest.importorskip("scipy.stats")

PRIORS = {"source.x_position": Uniform(-0.1, 0.1), "source.separation": Uniform(0.05, 0.3),
          "source.log_flux": Uniform(3.5, 4.5)}
VALUES = np.array([0.012, 0.16, 4.03])  # x_position ("), separation ("), log_flux


@pytest.fixture(scope="module")
def telescope(small_config):
    return small_config.telescope


@pytest.fixture(scope="module")
def maps(telescope):
    """A variance map spanning 4..40 photons^2 and a mask of 20 scattered pixels plus one
    row; data with a NaN and an absurd value on masked pixels (left out, so harmless)."""
    rng = np.random.default_rng(11)
    shape = telescope.image_shape
    variance = rng.uniform(4.0, 40.0, shape)
    mask = np.zeros(shape, dtype=bool)
    mask[rng.integers(0, shape[0], 20), rng.integers(0, shape[1], 20)] = True
    mask[3, :] = True
    mu = telescope.model()
    data = mu + rng.normal(0.0, np.sqrt(np.maximum(mu, 0) + variance))
    data[3, 2] = np.nan
    data[3, 5] = 1e30
    variance[3, 7] = np.nan  # a bad pixel's variance: masked, so allowed
    variance[3, 8] = 0.0
    return data, variance, mask


def loglik(kind, d, mu, variance, mask):
    """numpy log L over the unmasked pixels, each with its own variance (photons^2)."""
    keep = ~mask
    d, mu, v = d[keep], mu[keep], variance[keep]
    if kind == "gaussian":
        return float(np.sum(stats.norm.logpdf(d, mu, np.sqrt(v))))
    if kind == "poisson_gaussian":
        return float(np.sum(stats.norm.logpdf(d, mu, np.sqrt(np.maximum(mu, 0) + v))))
    if kind == "poisson":
        return float(np.sum(stats.poisson.logpmf(d, mu)))
    raise ValueError(kind)


def uniform_log_prior_and_jacobian(post, u):
    """log prior + log|dx/du| of the uniform priors in scipy: the logit bijector's Jacobian is
    (high - low) s(u)(1 - s(u)) per site, and the prior density 1/(high - low) cancels it."""
    s = 1 / (1 + np.exp(-u))
    return float(np.sum(np.log(s * (1 - s))))


def central_differences(post, u, h=1e-6):
    g = np.zeros(post.dim)
    for i in range(post.dim):
        du = np.zeros(post.dim)
        du[i] = h * max(1.0, abs(u[i]))
        g[i] = (post.log_density(u + du)[0] - post.log_density(u - du)[0]) / (2 * du[i])
    return g


@pytest.mark.parametrize("kind", ["gaussian", "poisson_gaussian"])
def test_log_density_and_gradient_with_variance_and_mask(telescope, maps, kind):
    data, variance, mask = maps
    post = airy.Posterior(telescope, PRIORS, data, likelihood=kind, sigma=100.0, variance=variance, mask=mask)
    np.testing.assert_array_equal(post.mask, mask)
    np.testing.assert_array_equal(post.variance, variance)
    u = post.unconstrain(VALUES)
    lp, grad = post.log_density(u)
    mu = post.telescope_at(VALUES).model()
    want = loglik(kind, data, mu, variance, mask) + uniform_log_prior_and_jacobian(post, u)
    assert lp == pytest.approx(want, rel=1e-12)
    # sigma = 100 is not used anywhere: the map replaces it on every pixel.
    other = airy.Posterior(telescope, PRIORS, data, likelihood=kind, sigma=1.0, variance=variance, mask=mask)
    assert other.log_density(u)[0] == pytest.approx(lp, rel=1e-14)
    fd = central_differences(post, u)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6 * np.max(np.abs(fd)))
    # Masked pixels do not enter: any data there gives the same density and gradient.
    changed = data.copy()
    changed[mask] = 123.0
    lp2, grad2 = airy.Posterior(telescope, PRIORS, changed, likelihood=kind, variance=variance,
                                mask=mask).log_density(u)
    assert lp2 == lp
    np.testing.assert_array_equal(grad2, grad)


def test_mask_alone_and_with_poisson(telescope, maps):
    """A mask without a variance map (sigma^2 on the kept pixels), and with the Poisson
    likelihood, which takes a mask but no variance map."""
    data, _, mask = maps
    mu_true = telescope.model()
    post = airy.Posterior(telescope, PRIORS, data, sigma=3.0, mask=mask.astype(np.int32) * 7)  # DQ flags
    assert post.variance is None
    u = post.unconstrain(VALUES)
    mu = post.telescope_at(VALUES).model()
    want = loglik("poisson_gaussian", data, mu, np.full(mu.shape, 9.0), mask) + uniform_log_prior_and_jacobian(post, u)
    assert post.log_density(u)[0] == pytest.approx(want, rel=1e-12)

    counts = np.random.default_rng(3).poisson(mu_true).astype(float)
    counts[mask] = -5.0  # impossible under Poisson, but masked
    pois = airy.Posterior(telescope, PRIORS, counts, likelihood="poisson", mask=mask)
    lp, grad = pois.log_density(u)
    assert lp == pytest.approx(loglik("poisson", counts, mu, mu, mask) + uniform_log_prior_and_jacobian(pois, u),
                               rel=1e-12)
    np.testing.assert_allclose(grad, central_differences(pois, u), rtol=1e-6, atol=1e-6 * np.max(np.abs(grad)))
    with pytest.raises(airy.InvalidArgument, match="variance: a variance map needs a Gaussian"):
        airy.Posterior(telescope, PRIORS, counts, likelihood="poisson", mask=mask, variance=np.ones(mu.shape))


def test_per_pixel_log_likelihood_group(telescope, maps):
    """ArviZ's log_likelihood entries: each pixel's term with its own variance, NaN on masked
    pixels (not in the likelihood), summing to the exposure's log L."""
    data, variance, mask = maps
    post = airy.Posterior(telescope, PRIORS, data, likelihood="poisson_gaussian", variance=variance, mask=mask)
    draws = np.array([VALUES, VALUES + [0.01, -0.01, 0.05]])
    ll = post.core.log_likelihood_draws(draws, 0)
    assert ll.shape == (2, *data.shape)
    for i, v in enumerate(draws):
        mu = post.telescope_at(v).model()
        keep = ~mask
        want = stats.norm.logpdf(data[keep], mu[keep], np.sqrt(np.maximum(mu[keep], 0) + variance[keep]))
        np.testing.assert_allclose(ll[i][keep], want, rtol=1e-12)
        assert np.all(np.isnan(ll[i][mask]))
        assert np.nansum(ll[i]) == pytest.approx(loglik("poisson_gaussian", data, mu, variance, mask), rel=1e-12)


def test_exposures_with_their_own_maps_and_the_config_form(small_config, maps):
    """Two exposures of the config's telescope, one with a variance map and a mask, one with
    neither: the joint density is the sum of the two one-exposure densities minus the shared
    priors counted twice, and Config.posterior(..., variance=, mask=) builds the same posterior."""
    data, variance, mask = maps
    t = small_config.telescope
    clean = np.random.default_rng(5).normal(t.model(), 3.0)
    exposures = [airy.Exposure(t, data, sigma=3.0, name="masked", variance=variance, mask=mask),
                 airy.Exposure(t, clean, sigma=3.0, name="clean")]
    joint = airy.Posterior(exposures, PRIORS)
    assert joint.variance[1] is None and not joint.mask[1].any()
    np.testing.assert_array_equal(joint.mask[0], mask)
    u = joint.unconstrain(VALUES)
    one = [airy.Posterior([x], PRIORS).log_density(u)[0] for x in exposures]
    prior = uniform_log_prior_and_jacobian(joint, u)
    assert joint.log_density(u)[0] == pytest.approx(one[0] + one[1] - prior, rel=1e-12)

    # The config posterior (its priors, on the same single image) with the same maps equals the
    # Python-built one with the config's priors.
    cfg_post = small_config.posterior(data, variance=variance, mask=mask)
    np.testing.assert_array_equal(cfg_post.mask, mask)
    priors = [airy.Prior("source.x_position", Uniform(-0.1, 0.1)), airy.Prior("source.separation", Uniform(0.05, 0.3)),
              airy.Prior("source.log_flux", Uniform(3.5, 4.5)),
              airy.Prior("optics.aperture.coefficients", Normal(0.0, 30.0), unit="nm", scale=1e-9)]
    py_post = airy.Posterior(t, priors, data, variance=variance, mask=mask)
    v = py_post.current_values()
    w = cfg_post.unconstrain(v)
    lp_cfg, g_cfg = cfg_post.log_density(w)
    lp_py, g_py = py_post.log_density(w)
    assert lp_py == pytest.approx(lp_cfg, rel=1e-14)
    np.testing.assert_allclose(g_py, g_cfg, rtol=1e-12)
    with pytest.raises(airy.InvalidArgument, match=r"data: non-finite value nan at pixel \(x=2, y=3\)"):
        small_config.posterior(data, variance=variance)


def test_config_with_exposures_takes_one_map_per_exposure():
    from test_exposures import EXPOSURES_TOML
    cfg = airy.parse_config(EXPOSURES_TOML, "<exposures>")
    rng = np.random.default_rng(2)
    images = [rng.normal(t.model(), 3.0) for t in cfg.telescopes]
    shape = cfg.telescopes[0].image_shape
    var = rng.uniform(5.0, 15.0, shape)
    mask = np.zeros(shape, bool)
    mask[0, :4] = True
    post = cfg.posterior(images, variance=[None, var], mask=[mask, None])
    assert post.variance[0] is None
    np.testing.assert_array_equal(post.variance[1], var)
    np.testing.assert_array_equal(post.mask[0], mask)
    assert not post.mask[1].any()
    # Equal to the sum over exposures computed in numpy (exposure 0: sigma^2 = 9 and the mask;
    # exposure 1: the variance map), plus the same priors as the map-free posterior.
    plain = cfg.posterior(images)
    values = plain.current_values()
    u = plain.unconstrain(values)
    mu = [plain.telescope_at(values, e).model() for e in range(2)]
    ll_maps = (loglik("poisson_gaussian", images[0], mu[0], np.full(shape, 9.0), mask)
               + loglik("poisson_gaussian", images[1], mu[1], var, np.zeros(shape, bool)))
    ll_plain = sum(loglik("poisson_gaussian", images[e], mu[e], np.full(shape, 9.0), np.zeros(shape, bool))
                   for e in range(2))
    assert post.log_density(u)[0] - plain.log_density(u)[0] == pytest.approx(ll_maps - ll_plain, rel=1e-10)
    with pytest.raises(airy.InvalidArgument, match="variance: 1 map"):
        cfg.posterior(images, variance=[var])
    with pytest.raises(airy.InvalidArgument, match=r"variance\[1\]: expected shape \(12, 12\)"):
        cfg.posterior(images, variance=[None, np.ones((3, 3))])


def test_bad_maps_raise_exceptions_naming_the_argument(telescope, maps):
    data, variance, mask = maps
    shape = telescope.image_shape
    ok = np.nan_to_num(data, nan=0.0, posinf=0.0)
    cases = [
        (dict(variance=np.ones((3, 3))), airy.InvalidArgument, r"variance: expected shape \(12, 12\)"),
        (dict(mask=np.zeros((12, 13), bool)), airy.InvalidArgument, r"mask: expected shape \(12, 12\)"),
        (dict(mask=np.zeros(shape)), TypeError, "mask: expected a bool or integer array"),
        (dict(variance=np.ones(shape, bool)), TypeError, "variance: expected a float array"),
        (dict(variance=np.full(shape, "a")), TypeError, "variance: expected numbers"),
        (dict(variance=np.where(np.arange(144).reshape(shape) == 13, 0.0, 1.0)), airy.InvalidArgument,
         r"variance: value 0.0 at pixel \(x=1, y=1\)"),
        (dict(variance=np.where(np.arange(144).reshape(shape) == 14, -2.0, 1.0)), airy.InvalidArgument,
         r"variance: value -2.0 at pixel \(x=2, y=1\)"),
        (dict(variance=np.where(np.arange(144).reshape(shape) == 15, np.inf, 1.0)), airy.InvalidArgument,
         r"variance: value inf at pixel \(x=3, y=1\)"),
        (dict(variance=np.where(np.arange(144).reshape(shape) == 16, np.nan, 1.0)), airy.InvalidArgument,
         r"variance: value nan at pixel \(x=4, y=1\)"),
        (dict(mask=np.ones(shape, bool)), airy.InvalidArgument, "mask: all 144 pixels are masked"),
        (dict(variance=[[1.0, 2.0], [3.0]]), airy.InvalidArgument, "variance: cannot be converted"),
    ]
    for kwargs, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            airy.Posterior(telescope, PRIORS, ok, **kwargs)
        # The same through Exposure, with its name in the message.
        with pytest.raises(exc, match=f"exposure 'e7': {msg}"):
            airy.Exposure(telescope, ok, name="e7", **kwargs)
    # NaN data: only on masked pixels.
    with pytest.raises(airy.InvalidArgument, match=r"data: non-finite value nan at pixel \(x=2, y=3\)"):
        airy.Posterior(telescope, PRIORS, data)
    partial = mask.copy()
    partial[3, 2] = False
    with pytest.raises(airy.InvalidArgument, match=r"data: non-finite value nan at pixel \(x=2, y=3\) that is not masked"):
        airy.Posterior(telescope, PRIORS, data, mask=partial)
    # A variance that is bad only on masked pixels is fine (maps fixture), a variance with a
    # list of exposures is refused (each Exposure carries its own).
    airy.Posterior(telescope, PRIORS, data, variance=variance, mask=mask)
    with pytest.raises(airy.InvalidArgument, match="variance: a list of Exposure objects carries its own maps"):
        airy.Posterior([airy.Exposure(telescope, ok)], PRIORS, variance=variance)
    # Shapes checked in C++ as well (a direct _core call cannot crash the interpreter).
    with pytest.raises(airy.InvalidArgument, match="variance map is 3x3"):
        airy._core.ImagePosterior([telescope._core], [ok], ["gaussian"], [3.0], [""],
                                  [("source.log_flux", Normal(4.0, 1.0).core, 1.0, "", "", -1)],
                                  [np.ones((3, 3))], [np.zeros((0, 0), np.uint8)])
    with pytest.raises(airy.InvalidArgument, match="differ in length"):
        airy._core.ImagePosterior([telescope._core], [ok], ["gaussian"], [3.0], [""],
                                  [("source.log_flux", Normal(4.0, 1.0).core, 1.0, "", "", -1)],
                                  [np.ones(shape), np.ones(shape)], [])


def test_sample_with_maps_returns_the_masked_log_likelihood(telescope, maps):
    data, variance, mask = maps
    post = airy.Posterior(telescope, PRIORS, data, variance=variance, mask=mask)
    idata = airy.sample(post, num_warmup=30, num_samples=10, num_chains=1, seed=2, progress_bar=False)
    # The CLI's layout: masked pixels are no data (NaN in observed_data) and not in the
    # log_likelihood, which holds the unmasked pixels over pixel_image (coordinate y * nx + x).
    ll = idata.log_likelihood["image"]
    keep = np.flatnonzero(~mask.ravel())
    assert ll.dims == ("chain", "draw", "pixel_image") and ll.shape == (1, 10, keep.size)
    np.testing.assert_array_equal(ll["pixel_image"].values, keep)
    assert np.all(np.isfinite(ll.values))
    obs = idata.observed_data["image"].values
    assert np.all(np.isnan(obs[mask])) and np.array_equal(obs[~mask], data[~mask])
