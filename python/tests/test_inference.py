# SPDX-License-Identifier: BSD-3-Clause
"""airy's NUTS from Python: ArviZ output, Python/JAX log densities against analytic
posteriors, Ctrl-C, errors, MAP/Fisher, and the bridgestan-style interface driving BlackJAX."""
import os
import signal

import numpy as np
import pytest

import airy
from airy.distributions import Uniform

az = pytest.importorskip("arviz")

MU = np.array([1.0, -2.0])
COV = np.array([[1.0, 0.5], [0.5, 2.0]])
PREC = np.linalg.inv(COV)


def gaussian(theta):
    d = theta - MU
    return -0.5 * d @ PREC @ d, -PREC @ d


def z_scores(idata, var, truth_mean, truth_sd):
    """(mean - truth)/MCSE and (sd - truth)/MCSE_sd per coordinate (ArviZ's MCSE)."""
    x = idata.posterior[var]
    mean = x.mean(("chain", "draw")).values
    sd = x.std(("chain", "draw")).values
    mcse_mean = az.mcse(idata, var_names=[var], method="mean")[var].values
    mcse_sd = az.mcse(idata, var_names=[var], method="sd")[var].values
    return (mean - truth_mean) / mcse_mean, (sd - truth_sd) / mcse_sd


def test_python_log_density_matches_the_analytic_posterior():
    target = airy.LogDensity(gaussian, 2, names=["theta[1]", "theta[2]"])
    idata = airy.sample(target, num_warmup=300, num_samples=1000, num_chains=2, seed=11,
                        progress_bar=False)
    assert set(idata.groups()) >= {"posterior", "sample_stats"}
    z_mean, z_sd = z_scores(idata, "theta", MU, np.sqrt(np.diag(COV)))
    assert np.all(np.abs(z_mean) < 4.5) and np.all(np.abs(z_sd) < 4.5), (z_mean, z_sd)
    assert idata.attrs["complete"] == 1


def test_init_values_as_arrays():
    """init= a numpy vector (every chain) or one row per chain: a regression test, as comparing
    an array with 'map' raised ValueError inside airy.sample."""
    target = airy.LogDensity(gaussian, 2)
    for init in (np.array([1.5, -1.0]), np.array([[1.0, -2.0], [0.5, -1.5]]), [1.0, -2.0]):
        idata = airy.sample(target, init=init, num_warmup=20, num_samples=10, num_chains=2, seed=3,
                            progress_bar=False)
        assert idata.posterior["theta"].shape == (2, 10, 2)
        assert np.all(np.isfinite(idata.posterior["theta"].values))


def test_jax_log_density_matches_the_analytic_posterior():
    jnp = pytest.importorskip("jax.numpy")
    target = airy.LogDensity.from_jax(lambda t: -0.5 * jnp.sum(((t - 3.0) / 0.5) ** 2), 3)
    idata = airy.sample(target, num_warmup=200, num_samples=600, num_chains=1, seed=2, progress_bar=False)
    z_mean, z_sd = z_scores(idata, "theta", np.full(3, 3.0), np.full(3, 0.5))
    assert np.all(np.abs(z_mean) < 4.5) and np.all(np.abs(z_sd) < 4.5), (z_mean, z_sd)


def test_inference_data_groups_dims_and_coords(small_config, small_data):
    idata = airy.sample(small_config, small_data, num_warmup=40, num_samples=30, progress_bar=False)
    assert set(idata.groups()) >= {"posterior", "sample_stats", "observed_data", "log_likelihood"}
    post = idata.posterior
    assert post["coefficients"].dims == ("chain", "draw", "noll")
    assert list(post["noll"].values) == [4, 5, 6]
    assert post["separation"].shape == (2, 30)
    ss = idata.sample_stats
    for name in ("lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging", "energy"):
        assert ss[name].shape == (2, 30), name
    assert ss["diverging"].dtype == bool
    assert idata.observed_data["image"].dims == ("y", "x")
    np.testing.assert_array_equal(idata.observed_data["image"].values, small_data)
    ll = idata.log_likelihood["image"]
    assert ll.dims == ("chain", "draw", "y", "x") and np.all(np.isfinite(ll.values))
    assert idata.attrs["units"].split(",")[3] == "nm"


def test_ctrl_c_stops_cleanly_with_the_draws_so_far():
    calls = {"n": 0}

    def density(theta):
        calls["n"] += 1
        if calls["n"] == 3000:
            os.kill(os.getpid(), signal.SIGINT)  # what Jupyter's "Interrupt" sends
        return gaussian(theta)

    idata = airy.sample(airy.LogDensity(density, 2), num_warmup=200, num_samples=20000,
                        num_chains=1, seed=1, progress_bar=False)
    assert idata.attrs["complete"] == 0
    assert 0 < idata.posterior.sizes["draw"] < 20000


def test_python_exception_propagates():
    def density(theta):
        raise ZeroDivisionError("boom in user code")

    with pytest.raises(ZeroDivisionError, match="boom in user code"):
        airy.sample(airy.LogDensity(density, 2), num_warmup=10, num_samples=10, num_chains=2,
                    progress_bar=False)
    with pytest.raises(ValueError, match="grad"):
        airy.sample(airy.LogDensity(lambda t: (0.0, np.zeros(5)), 2), num_warmup=10,
                    num_samples=10, progress_bar=False)


def test_optimize_and_fisher(small_config, small_data):
    post = small_config.posterior(small_data)
    fit = airy.optimize(post, num_starts=4, seed=3)
    truth = post.current_values()
    f = airy.fisher(post, fit["values"])
    crb = f["crb"].values
    assert np.all(crb > 0)
    assert np.all(np.abs(np.asarray(fit["values"]) - truth) < 6 * crb)
    assert list(f["parameter"].values) == post.names
    assert f["fisher"].dims == ("parameter", "parameter2")


def test_bridgestan_interface(small_config, small_data):
    post = small_config.posterior(small_data)
    bm = airy.BridgeModel(post)
    assert bm.param_unc_num() == bm.param_num() == 6
    assert bm.param_names()[3] == "coefficients.1"
    truth = post.current_values()
    u = bm.param_unconstrain(truth)
    np.testing.assert_allclose(bm.param_constrain(u), truth, rtol=1e-12)
    lp, g = bm.log_density_gradient(u)
    lp0, g0 = bm.log_density_gradient(u, jacobian=False)
    # The Jacobian term of the interval priors: sum log((hi - lo) s (1 - s)), s = logistic(u).
    s = 1 / (1 + np.exp(-u[:3]))
    widths = np.array([0.2, 0.25, 1.0])
    assert lp - lp0 == pytest.approx(np.sum(np.log(widths * s * (1 - s))), rel=1e-12)
    np.testing.assert_allclose((g - g0)[:3], 1 - 2 * s, rtol=1e-10)
    # gradient by central differences
    for i in range(6):
        h = 1e-6
        e = np.zeros(6)
        e[i] = h
        fd = (bm.log_density(u + e) - bm.log_density(u - e)) / (2 * h)
        assert fd == pytest.approx(g[i], rel=1e-5, abs=1e-6)
    with pytest.raises(airy.InvalidArgument, match="theta_unc"):
        bm.log_density_gradient(np.zeros(3))


def test_blackjax_drives_an_airy_posterior_to_the_same_answer(small_config, small_data):
    jax = pytest.importorskip("jax")
    blackjax = pytest.importorskip("blackjax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import airy.jax as aj

    t = small_config.telescope
    post = airy.Posterior(t, {"x_position": Uniform(-0.1, 0.1), "separation": Uniform(0.05, 0.3),
                              "log_flux": Uniform(3.5, 4.5)}, small_data)
    logdensity = aj.log_density_function(post)
    u0 = jnp.asarray(post.unconstrain(post.current_values()))
    warmup = blackjax.window_adaptation(blackjax.nuts, logdensity)
    (state, params), _ = warmup.run(jax.random.PRNGKey(0), u0, num_steps=120)
    kernel = blackjax.nuts(logdensity, **params).step

    def step(s, key):
        s, _ = kernel(key, s)
        return s, s.position

    _, us = jax.lax.scan(step, state, jax.random.split(jax.random.PRNGKey(1), 500))
    draws = np.array([post.constrain(np.asarray(u)) for u in us])
    ref = airy.sample(post, num_warmup=150, num_samples=300, num_chains=2, seed=4, progress_bar=False)
    for k, name in enumerate(["x_position", "separation", "log_flux"]):
        a = ref.posterior[name]
        ess_b = float(az.ess(draws[None, :, k]))
        se = np.sqrt(float(az.mcse(ref, var_names=[name])[name]) ** 2 + draws[:, k].std() ** 2 / ess_b)
        z = (draws[:, k].mean() - float(a.mean())) / se
        assert abs(z) < 4.5, (name, z)
        assert draws[:, k].std() == pytest.approx(float(a.std()), rel=0.25)
