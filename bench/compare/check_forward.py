#!/usr/bin/env python3
"""Check that both sides fit the same forward model: render the dLux (float64) image at the
true values of DATADIR/truth.toml and compare it with airy's noise-free image
(DATADIR/psf.fits or model.fits). Prints one line and writes DATADIR/forward_check.txt.
Usage: check_forward.py CONFIG DATADIR
"""
import os
import sys
import tomllib

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import numpy as onp  # noqa: E402
from astropy.io import fits  # noqa: E402

import dlux_model as dm  # noqa: E402


def main():
    cfg_path, d = sys.argv[1], sys.argv[2]
    cfg = dm.load_config(cfg_path)
    img = next((os.path.join(d, f) for f in ("psf.fits", "model.fits")
                if os.path.exists(os.path.join(d, f))), None)
    if img is None:
        raise SystemExit(f"no psf.fits/model.fits in {d}")
    with open(os.path.join(d, "truth.toml"), "rb") as fh:
        truth = tomllib.load(fh)
    src = {k: float(truth[k]) for k in dm.STELLAR if k in truth}
    coeffs = None
    scale = {name: s for name, _, _, s in dm.priors(cfg)}.get("coefficients", 1e-9)
    if "coefficients" in truth:
        coeffs = [float(c) * scale for c in truth["coefficients"]]
    elif "coefficients[1]" in truth:
        n = len(cfg["optics"]["aberrations"]["noll"])
        coeffs = [float(truth[f"coefficients[{i + 1}]"]) * scale for i in range(n)]
    ref = onp.asarray(dm.build_telescope(cfg, coeffs, src).model(), dtype=onp.float64)
    a = onp.asarray(fits.getdata(img), dtype=onp.float64)
    rel = float(onp.abs(a - ref).max() / onp.abs(ref).max())
    line = (f"forward model: airy {os.path.basename(img)} vs dLux 0.15.1 float64 at the truth: "
            f"max |diff| / max = {rel:.2e} (sum {a.sum():.6f} vs {ref.sum():.6f})")
    print(line)
    with open(os.path.join(d, "forward_check.txt"), "w") as fh:
        fh.write(line + "\n")


if __name__ == "__main__":
    main()
