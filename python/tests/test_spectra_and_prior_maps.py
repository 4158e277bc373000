# SPDX-License-Identifier: BSD-3-Clause
"""Issue 11 from Python: per-star spectra (airy.PointSources with weights (K, L), the config's
[source] type = "points" with weights = [[...], ...]) and per-element priors (a numpy array as
a distribution parameter, the config's loc = [...] / {file = ...}), each against the TOML path
and an independent evaluation."""
import numpy as np
import pytest

import airy
import airy.utils as dlu
from airy.distributions import Normal, Uniform

stats = pytest.importorskip("scipy.stats")

N, D, K_EDGE = 32, 1.0, 3
WAVELENGTHS_NM = [550.0, 600.0, 650.0]
POS_X = [-0.12, 0.05, 0.1]  # arcsec
POS_Y = [0.02, -0.1, 0.08]
LOG_FLUXES = [4.0, 3.6, 3.8]
WEIGHTS = [[1.0, 2.0, 3.0], [3.0, 1.0, 0.5], [0.0, 1.0, 1.0]]  # star 3 has no 550 nm light

OPTICS = f"""
[optics]
type = "angular"
npix = {N}
diameter = {D}
psf_npix = 12
psf_pixel_scale = 0.05
[optics.aperture]
soft_edge = "oversample"
edge_oversample = {K_EDGE}
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
"""
POINTS = OPTICS + f"""
[source]
type = "points"
positions_x = {POS_X}
positions_y = {POS_Y}
log_fluxes = {LOG_FLUXES}
wavelengths_nm = {WAVELENGTHS_NM}
weights = {WEIGHTS}
"""


def python_optics():
    """The config's optics in dLux's vocabulary: a circle of radius 0.5 m, the mean of 3 x 3
    hard sub-samples per pupil pixel, normalised."""
    t = dlu.combine([dlu.circle(dlu.pixel_coords(N * K_EDGE, D), 0.5)], K_EDGE)
    return airy.AngularOpticalSystem(N, D, [("aperture", airy.TransmissiveLayer(t, normalise=True))], 12, 0.05)


def python_points(weights=WEIGHTS):
    position = dlu.arcsec2rad(np.column_stack([POS_X, POS_Y]))
    return airy.PointSources(np.array(WAVELENGTHS_NM) * 1e-9, position, 10.0 ** np.array(LOG_FLUXES), weights)


def test_per_star_spectra_equal_the_config_and_single_stars():
    cfg = airy.parse_config(POINTS, "<points>")
    optics = python_optics()
    t = airy.Telescope(optics, python_points())
    image = t.model()
    want = cfg.telescope.model()
    assert image.shape == want.shape
    assert np.max(np.abs(image - want)) <= 1e-12 * np.max(want)
    # Independently: the sum of one PointSource per star, each with its own spectrum.
    stars = sum(airy.Telescope(optics, airy.PointSource(np.array(WAVELENGTHS_NM) * 1e-9,
                                                       dlu.arcsec2rad(np.array([x, y])), 10.0 ** f, w)).model()
                for x, y, f, w in zip(POS_X, POS_Y, LOG_FLUXES, WEIGHTS))
    assert np.max(np.abs(image - stars)) <= 1e-12 * np.max(stars)
    # The path holds K * L weights, row-major (star, wavelength), each row normalised to 1,
    # as the config's.
    w = np.array(WEIGHTS)
    np.testing.assert_allclose(t.get("source.weights"), np.ravel(w / w.sum(axis=1, keepdims=True)), rtol=1e-15)
    np.testing.assert_allclose(cfg.telescope.get("source.weights"), t.get("source.weights"))
    # A shared spectrum is not the same image (the per-star weights are used).
    shared = airy.Telescope(optics, python_points(weights=WEIGHTS[0])).model()
    assert np.max(np.abs(shared - image)) > 1e-3 * np.max(image)


def test_per_star_spectra_bad_shapes_are_named():
    with pytest.raises(airy.InvalidArgument, match=r"weights: expected shape \(3, 3\)"):
        python_points(weights=[[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    with pytest.raises(airy.InvalidArgument, match="weights"):
        python_points(weights=[[1.0, 2.0], [1.0, 1.0], [1.0, 1.0]])


FLAT = OPTICS + """
[source]
type = "point"
log_flux = 5.0
wavelengths_nm = [600.0]
[[detector.layers]]
type = "pixel_response"
[likelihood]
kind = "gaussian"
sigma = 3.0
"""


def test_per_element_prior_map_equals_the_config():
    rng = np.random.default_rng(4)
    loc = rng.uniform(0.9, 1.1, (12, 12))
    scale = 0.05
    toml = FLAT + f"""
[priors."detector.pixel_response.map"]
dist = "normal"
loc = [{", ".join(repr(float(v)) for v in np.ravel(loc))}]
scale = {scale}
[priors."source.log_flux"]
dist = "uniform"
low = 4.0
high = 6.0
"""
    cfg = airy.parse_config(toml, "<flat>")
    t = cfg.telescope
    data = t.model() + rng.normal(0.0, 3.0, t.image_shape)
    config_post = cfg.posterior(data)
    prior = Normal(loc=loc, scale=scale)
    assert prior.shape == (12, 12) and prior.event_size == 144
    python_post = airy.Posterior(t, [airy.Prior("detector.pixel_response.map", prior),
                                     airy.Prior("source.log_flux", Uniform(4.0, 6.0))], data,
                                 likelihood="gaussian", sigma=3.0)
    assert python_post.names == config_post.names
    values = np.concatenate([rng.uniform(0.95, 1.05, 144), [5.01]])
    u = config_post.unconstrain(values)
    lp_cfg, g_cfg = config_post.log_density(u)
    lp_py, g_py = python_post.log_density(u)
    assert lp_py == pytest.approx(lp_cfg, rel=1e-12)
    np.testing.assert_allclose(g_py, g_cfg, rtol=1e-12, atol=1e-12 * np.max(np.abs(g_cfg)))
    # The prior itself against scipy: sum_i log N(x_i; loc_i, scale).
    x = values[:144].reshape(12, 12)
    assert prior.log_prob(x) == pytest.approx(stats.norm.logpdf(x, loc, scale).sum(), rel=1e-12)
    draws = prior.sample(4000, seed=2)
    assert draws.shape == (4000, 12, 12)
    assert np.max(np.abs(draws.mean(axis=0) - loc)) < 5 * scale / np.sqrt(4000) * 1.5


def test_per_element_uniform_bounds_and_errors():
    low = np.array([-1.0, 0.0, 2.0])
    u = Uniform(low=low, high=low + 1.0)
    assert u.log_prob([-0.5, 0.5, 2.5]) == pytest.approx(0.0, abs=1e-15)
    assert u.log_prob([-0.5, 1.5, 2.5]) == -np.inf  # element 2 outside its own bounds
    with pytest.raises(airy.InvalidArgument, match="different shapes"):
        Normal(loc=np.zeros(3), scale=np.ones(4))
    with pytest.raises(airy.InvalidArgument, match="scale"):
        Normal(loc=np.zeros(3), scale=np.array([1.0, -1.0, 1.0]))
    with pytest.raises(airy.InvalidArgument, match="non-finite"):
        Normal(loc=np.array([0.0, np.nan]), scale=1.0)
