# SPDX-License-Identifier: BSD-3-Clause
"""airy.jax: the XLA FFI model function under jit, grad, vmap, float32/float64."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import airy  # noqa: E402
import airy.jax as aj  # noqa: E402
from conftest import dlux_fixture  # noqa: E402
from test_models import build_from_fixture  # noqa: E402

SOURCE = ["x_position", "y_position", "separation", "position_angle", "log_flux", "contrast"]


@pytest.fixture(scope="module")
def flagship():
    fx = dlux_fixture("flagship.toml")
    grad = dlux_fixture("grad_flagship.toml")
    t = build_from_fixture(fx)
    f = aj.model_function(t, SOURCE + ["aperture.coefficients"])
    return t, f, grad


def loss_fn(f, w):
    return lambda x: jnp.sum(f(x) * w)


def test_image_equals_the_telescope_model(flagship):
    t, f, _ = flagship
    x = jnp.asarray(f.values())
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(x)), t.model())
    assert f.names[-1] == "optics.aperture.coefficients[7]" and f.size == 13


def test_grad_equals_dlux_cpp_and_finite_differences(flagship):
    _, f, ref = flagship
    w = np.asarray(ref["weights"]["data"])
    x0 = np.asarray(f.values())
    loss = loss_fn(f, w)
    value, g = jax.value_and_grad(loss)(jnp.asarray(x0))
    g = np.asarray(g)
    assert float(value) == pytest.approx(ref["loss_value"], rel=1e-12)
    # dLux 0.15.1's jax.grad (float64) of the same loss: an independent implementation.
    np.testing.assert_allclose(g[:6], ref["source_gradient"]["grad"], rtol=1e-8)
    np.testing.assert_allclose(g[6:], ref["zernike_gradient"]["grad"], rtol=1e-8)
    # airy's C++ pullback called directly (numpy).
    np.testing.assert_allclose(g, f.renderer.vjp(x0[None], w[None])[0], rtol=1e-14)
    # Fourth-order central differences of the C++ render.
    steps = np.array([1e-4, 1e-4, 1e-4, 1e-2, 1e-3, 1e-3] + [1e-11] * 7)
    for i, h in enumerate(steps):
        xs = np.repeat(x0[None], 4, axis=0)
        xs[:, i] += np.array([-2, -1, 1, 2]) * h
        L = np.einsum("byx,yx->b", f.renderer.render(xs), w)
        fd = (L[0] - 8 * L[1] + 8 * L[2] - L[3]) / (12 * h)
        assert abs(fd - g[i]) <= 1e-8 * abs(g[i]), (i, fd, g[i])


def test_vmap_equals_a_loop_and_jits(flagship):
    _, f, ref = flagship
    w = np.asarray(ref["weights"]["data"])
    x0 = np.asarray(f.values())
    xs = np.stack([x0, x0 + np.r_[0.01, -0.01, 0.02, 1.0, 0.1, 0.2, np.full(7, 2e-9)], x0 * 0.9])
    images = jax.jit(jax.vmap(f))(jnp.asarray(xs))
    grads = jax.vmap(jax.grad(loss_fn(f, w)))(jnp.asarray(xs))
    for b in range(3):
        np.testing.assert_array_equal(np.asarray(images[b]), np.asarray(f(jnp.asarray(xs[b]))))
        np.testing.assert_allclose(np.asarray(grads[b]), np.asarray(jax.grad(loss_fn(f, w))(jnp.asarray(xs[b]))), rtol=1e-14)


def test_float32_inputs_work(flagship):
    _, f, ref = flagship
    w = np.asarray(ref["weights"]["data"])
    x0 = np.asarray(f.values())
    img32 = f(jnp.asarray(x0, dtype=jnp.float32))
    assert img32.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(img32), np.asarray(f(jnp.asarray(x0))), rtol=1e-5, atol=1e-4)
    g32 = jax.grad(loss_fn(f, jnp.asarray(w, dtype=jnp.float32)))(jnp.asarray(x0, dtype=jnp.float32))
    assert g32.dtype == jnp.float32
    g64 = np.asarray(jax.grad(loss_fn(f, w))(jnp.asarray(x0)))
    # Inputs rounded to float32 move the star by ~1e-9 arcsec; the gradient agrees to ~1e-5.
    np.testing.assert_allclose(np.asarray(g32)[:6], g64[:6], rtol=1e-3)


def test_bad_inputs_raise_not_crash(flagship):
    t, f, _ = flagship
    with pytest.raises(ValueError, match="values"):
        f(jnp.zeros(3))
    with pytest.raises(TypeError, match="values"):
        f(jnp.zeros(13, dtype=jnp.int32))
    with pytest.raises(airy.InvalidArgument, match="nearest|separatoin"):
        aj.model_function(t, ["separatoin"])
    with pytest.raises(TypeError, match="telescope"):
        aj.model_function("not a telescope", ["separation"])
