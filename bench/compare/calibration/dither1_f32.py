#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Why calib_model.py renders a lone exposure with dl.Telescope, not a one-dither dl.Dither:
on XLA CPU (JAX 0.10.2, dLux 0.15.1) a jitted forward-only dl.Dither.model() with ONE dither
returns a wrong image in float32, while eager evaluation, jax.grad, float64 and Dither with
several dithers agree. Prints max |jit - eager| / max for each case.

    .venv/bin/python dither1_f32.py [f32|f64]
"""
import sys

import jax

jax.config.update("jax_platforms", "cpu")
if len(sys.argv) > 1 and sys.argv[1] == "f64":
    jax.config.update("jax_enable_x64", True)

import numpy as onp  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import equinox as eqx  # noqa: E402
import dLux as dl  # noqa: E402
import dLux.utils as dlu  # noqa: E402


def main():
    T = dlu.circle(dlu.pixel_coords(64, 1.0), 0.5)
    optics = dl.AngularOpticalSystem(64, 1.0, [("aperture", dl.layers.TransmissiveLayer(
        T, normalise=True))], 64, 0.04)
    src = dl.PointSources(wavelengths=jnp.array([545e-9, 595e-9, 645e-9]),
                          position=dlu.arcsec2rad(jnp.array([[0.0, 0.0], [0.6, 0.4]])),
                          flux=jnp.array([4e5, 2e5]))
    det = dl.LayeredDetector([("flat", dl.layers.ApplyPixelResponse(jnp.ones((64, 64))))])
    d = dlu.arcsec2rad(jnp.array([[0.03, -0.01], [0.02, 0.0]]))
    model = eqx.filter_jit(lambda t: t.model())
    cases = {"Dither, 1 dither": dl.Dither(d[:1], optics, src, det),
             "Dither, 2 dithers": dl.Dither(d, optics, src, det),
             "Telescope + dither": dl.Telescope(optics, src, det).add("source.position", d[0])}
    for name, inst in cases.items():
        eager = onp.asarray(inst.model(), onp.float64)
        jitted = onp.asarray(model(inst), onp.float64)
        print(f"{jnp.zeros(1).dtype} {name:20s} max |jit - eager| / max = "
              f"{onp.abs(jitted - eager).max() / onp.abs(eager).max():.2e}")


if __name__ == "__main__":
    main()
