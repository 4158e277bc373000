#!/usr/bin/env python3
"""Fallback data set made with dLux (float64) when airy's CLI is not available.

Writes the same files as `airy simulate CONFIG --out DIR`: data.fits (noisy image, float64,
NAXIS1 = x), model.fits (noise-free image), truth.toml (true values by output name,
coefficients in nm) and config.toml (a copy of the configuration).
Noise: Poisson(model) + Normal(0, read_sigma) from numpy's default_rng(noise.seed); the
aberration draws (when not explicit) come from numpy too, so the pixels differ from airy's.
Usage: simulate_dlux.py CONFIG OUTDIR
"""
import os
import shutil
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import numpy as onp  # noqa: E402
from astropy.io import fits  # noqa: E402

import dlux_model as dm  # noqa: E402


def main():
    cfg_path, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    cfg = dm.load_config(cfg_path)
    coeffs = dm.true_coefficients_m(cfg)
    tel = dm.build_telescope(cfg, coeffs)
    image = onp.asarray(tel.model(), dtype=onp.float64)
    noise = cfg.get("noise", {})
    rng = onp.random.default_rng(int(noise.get("seed", 0)))
    data = image.copy()
    if noise.get("photon", True):
        data = rng.poisson(image).astype(onp.float64)
    data = data + float(noise.get("read_sigma", 3.0)) * rng.standard_normal(image.shape)
    fits.PrimaryHDU(data).writeto(os.path.join(out, "data.fits"), overwrite=True)
    fits.PrimaryHDU(image).writeto(os.path.join(out, "model.fits"), overwrite=True)
    s = cfg.get("source", {})
    defaults = dict(x_position=0.0, y_position=0.0, separation=0.1, position_angle=90.0,
                    log_flux=3.5, contrast=3.37)
    with open(os.path.join(out, "truth.toml"), "w") as fh:
        fh.write("# simulated by bench/compare/simulate_dlux.py (dLux float64)\n")
        for k in dm.STELLAR:
            fh.write(f"{k} = {float(s.get(k, defaults[k]))!r}\n")
        if coeffs:
            fh.write("coefficients = [" + ", ".join(repr(float(c) * 1e9) for c in coeffs) + "]\n")
    shutil.copyfile(cfg_path, os.path.join(out, "config.toml"))
    print(f"dLux data set: {out}/data.fits (sum {data.sum():.1f}, model sum {image.sum():.1f})")


if __name__ == "__main__":
    main()
