# SPDX-License-Identifier: BSD-3-Clause
"""airy inside JAX: a telescope and parameter paths become ``f(values) -> image``, and an airy
posterior becomes ``logp(theta_unc)``, both XLA FFI custom calls into airy's C++ core (no
Python and no GIL at run time) with airy's exact pullback as the VJP.

Works under jit, grad, value_and_grad and vmap (the handlers loop over any leading batch
dimensions in C++: vmap_method="broadcast_all"), for float32 and float64 inputs (computed in
float64, returned in the input's dtype). Reverse mode only (custom_vjp): jax.jvp and forward
mode raise.
"""
from __future__ import annotations

import numpy as np

import jax
import jax.numpy as jnp

from . import _core

__all__ = ["model_function", "log_density_function", "ffi_api_version"]

_registered = False


def ffi_api_version() -> tuple[int, int]:
    """The XLA FFI API version of the headers airy was compiled against (jaxlib >= 0.9.1 for
    0.3, as the wheel is built against jaxlib 0.10.2)."""
    return tuple(_core.xla_ffi_api_version)


def _register():
    global _registered
    if not _registered:
        for name, capsule in _core.ffi_targets().items():
            jax.ffi.register_ffi_target(name, capsule, platform="cpu")
        _registered = True


def _check_input(x, size, what):
    x = jnp.asarray(x)
    if x.dtype not in (jnp.float32, jnp.float64):
        raise TypeError(f"{what}: expected float32 or float64 values, got dtype {x.dtype}")
    if x.ndim < 1 or x.shape[-1] != size:
        raise ValueError(f"{what}: expected shape (..., {size}), got {x.shape}")
    return x


def model_function(telescope, paths):
    """``f(values) -> image`` for the parameters at ``paths`` (airy or dLux spellings).

    ``values`` is the concatenation of the paths' values (``f.sizes`` entries each; vectors
    row-major), shape (..., f.size); the image is (..., ny, nx) photons in values' dtype.
    ``jax.grad`` uses airy's pullback; ``jax.vmap`` batches in one C++ call.
    """
    from .telescope import Telescope

    if not isinstance(telescope, Telescope):
        raise TypeError(f"telescope: expected an airy.Telescope, got {type(telescope).__name__}")
    if isinstance(paths, str):
        paths = [paths]
    renderer = telescope.renderer(list(paths))
    _register()
    size = renderer.size
    ny, nx = renderer.image_shape
    attrs = {"handle": np.int64(renderer.id)}

    def render(x):
        out = jax.ShapeDtypeStruct(x.shape[:-1] + (ny, nx), x.dtype)
        return jax.ffi.ffi_call("airy_render", out, vmap_method="broadcast_all")(x, **attrs)

    def render_vjp(x, ct):
        out = jax.ShapeDtypeStruct(x.shape, x.dtype)
        return jax.ffi.ffi_call("airy_render_vjp", out, vmap_method="broadcast_all")(x, ct, **attrs)

    @jax.custom_vjp
    def f_core(x):
        return render(x)

    def fwd(x):
        return render(x), x

    def bwd(x, ct):
        return (render_vjp(x, ct.astype(x.dtype)),)

    f_core.defvjp(fwd, bwd)

    def f(values):
        return f_core(_check_input(values, size, "values"))

    # The renderer (and so the C++ telescope) lives as long as f.
    f.renderer = renderer
    f.paths = renderer.paths()
    f.sizes = renderer.path_sizes()
    f.size = size
    f.names = renderer.coordinate_names()
    f.image_shape = (ny, nx)
    f.values = renderer.values  # current values of the paths, numpy float64
    return f


def log_density_function(target):
    """``logp(theta_unc) -> scalar`` of an airy Posterior or LogDensity on the unconstrained
    space (log-Jacobians included), with its exact gradient from the same C++ call; vmap
    batches chains in one call (BlackJAX's multi-chain runs)."""
    from .inference import density_core

    handle = _core.DensityFunction(density_core(target))
    _register()
    dim = handle.dim
    attrs = {"handle": np.int64(handle.id)}

    def call(theta):
        types = (jax.ShapeDtypeStruct(theta.shape[:-1], theta.dtype),
                 jax.ShapeDtypeStruct(theta.shape, theta.dtype))
        return jax.ffi.ffi_call("airy_log_density", types, vmap_method="broadcast_all")(theta, **attrs)

    @jax.custom_vjp
    def logp_core(theta):
        return call(theta)[0]

    def fwd(theta):
        lp, g = call(theta)
        return lp, g

    def bwd(g, ct):
        return (jnp.expand_dims(ct, -1).astype(g.dtype) * g,)

    logp_core.defvjp(fwd, bwd)

    def logp(theta):
        return logp_core(_check_input(theta, dim, "theta"))

    logp.handle = handle
    logp.dim = dim
    return logp
