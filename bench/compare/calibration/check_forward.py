#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Both sides fit one model: dLux 0.15.1 (float64) at the configured truth against airy
simulate's noise-free images SIMDIR/psf_<exposure>.fits, exposure by exposure. Prints one line
per exposure and the worst max |diff| / max, writes SIMDIR/forward_check.txt, and fails above
--tol (default 1e-12 of the peak).

    check_forward.py examples/calibration.toml SIMDIR
"""
import argparse
import os
import sys

import jax

jax.config.update("jax_platforms", "cpu")
jax.config.update("jax_enable_x64", True)

import numpy as onp  # noqa: E402
import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calib_model as cm  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("simdir")
    ap.add_argument("--tol", type=float, default=1e-12)
    args = ap.parse_args()
    cfg = cm.load_config(args.config)
    model = cm.Calibration(cfg, jnp.float64)
    dlux = onp.asarray(model.images(cm.to_dtype(cm.config_values(cfg), jnp.float64)))
    lines, worst = [], 0.0
    for k, name in enumerate(model.names):
        airy = cm.read_fits(os.path.join(args.simdir, f"psf_{name}.fits"))
        rel = float(onp.abs(airy - dlux[k]).max() / onp.abs(dlux[k]).max())
        worst = max(worst, rel)
        lines.append(f"  {name}: max |airy - dLux| / max = {rel:.2e} (sum {airy.sum():.9g} vs "
                     f"{dlux[k].sum():.9g}, peak {dlux[k].max():.6g} photons)")
    head = (f"forward model: airy simulate's psf_<exposure>.fits vs dLux 0.15.1 float64 at the "
            f"truth, {len(model.names)} exposures: worst max |diff| / max = {worst:.2e}")
    print(head)
    print("\n".join(lines))
    with open(os.path.join(args.simdir, "forward_check.txt"), "w") as fh:
        fh.write(head + "\n" + "\n".join(lines) + "\n")
    if not worst <= args.tol:
        sys.exit(f"check_forward: {worst:.3e} > {args.tol:g}: the two models differ")


if __name__ == "__main__":
    main()
