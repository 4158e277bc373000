#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dLux 0.15.1 + optax fit of airy's calibration simulation with the optimiser of dLux's
"Pixel Level Calibration" tutorial (bench/compare/calibration/README.md).

    fit_dlux.py GUESS_TOML OUTDIR [--precision f64|f32] [--epochs N] [--lr-scale S]

GUESS_TOML is examples/calibration_guess.toml (its exposures' `data` are airy simulate's files):
the fit starts from its values, like `airy optimize GUESS_TOML --init config`.

The tutorial (dLux v0.14.3 docs/tutorials/examples/flatfield_calibration.md; it was dropped from
the v0.15 docs) fits positions (rad), fluxes (photons), Zernike coefficients (m) and the pixel
response with one optax.adam per group: learning rates 1e-7, 1e6, 2e-9 and, for the flat field,
optax.piecewise_constant_schedule(1e-10, {100: 1e8}) (frozen for 100 epochs, then 1e-2),
200 epochs of full-batch value+gradient. Adam steps by about its learning rate in the
parameter's units, so the two problem-specific rates are rescaled to this problem:

* positions: 1e-7 rad is 0.22 of the tutorial's image pixel (TolimanOpticalSystem: 0.375"/4);
  here 0.22 of this detector's pixel;
* fluxes: 1e6 is 1 % of the tutorial's 1e8 photons; here 1 % of the guess's mean flux;
* Zernikes (m of OPD, ~10-20 nm in both problems) and the flat field (~1 +- 0.05 in both):
  unchanged.

The loss is not the tutorial's Poisson log-likelihood (these data have read noise and negative
pixels) but the negative log posterior airy maximises (calib_model.py), so both sides fit one
problem. The whole step (value, gradient, Adam update) is jitted; the loss of epoch i is that of
the parameters before its update, as in the tutorial.

Writes OUTDIR/trace.npz (loss, wall and CPU seconds per epoch, checkpoints every
--save-every epochs), OUTDIR/final.npz (the final parameters, float64) and OUTDIR/result.json.
"""
import argparse
import json
import os
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
ap.add_argument("guess")
ap.add_argument("out")
ap.add_argument("--precision", choices=["f64", "f32"], default="f64")
ap.add_argument("--epochs", type=int, default=200, help="epochs (the tutorial: 200)")
ap.add_argument("--flat-start", type=int, default=100,
                help="epoch at which the flat field's learning rate rises by 1e8 (tutorial: 100)")
ap.add_argument("--lr-scale", type=float, default=1.0, help="multiplies every learning rate")
ap.add_argument("--save-every", type=int, default=10, help="checkpoint every N epochs")
args = ap.parse_args()

import jax  # noqa: E402

jax.config.update("jax_platforms", "cpu")
if args.precision == "f64":
    jax.config.update("jax_enable_x64", True)

import numpy as onp  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402
import dLux  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calib_model as cm  # noqa: E402

# The tutorial's settings and the scales they refer to.
TUT_PIXEL_RAD = cm.ARCSEC * 0.375 / 4  # TolimanOpticalSystem(psf_pixel_scale=0.375, oversample=4)
TUT_LR = {"position": 1e-7, "flux": 1e6, "coefficients": 2e-9, "flat": 1e-2}
TUT_MEAN_FLUX = 1e8
TUT_FLAT_FROZEN = 1e-8  # piecewise_constant_schedule(init 1e-2 * 1e-8, {100: 1e8})


def learning_rates(cfg, guess):
    pixel = cm.ARCSEC * float(cfg["optics"]["psf_pixel_scale"])
    s = args.lr_scale
    return {"position": s * TUT_LR["position"] * pixel / TUT_PIXEL_RAD,
            "flux": s * TUT_LR["flux"] * float(onp.mean(guess["flux"])) / TUT_MEAN_FLUX,
            "coefficients": s * TUT_LR["coefficients"],
            "flat": s * TUT_LR["flat"]}


def main():
    dtype = jnp.float64 if args.precision == "f64" else jnp.float32
    cfg = cm.load_config(args.guess)
    model = cm.Calibration(cfg, dtype)
    objective = cm.make_objective(cfg, model)
    data = jnp.asarray(cm.load_data(cfg), dtype)
    guess = cm.config_values(cfg)
    params = cm.to_dtype(guess, dtype)
    lr = learning_rates(cfg, guess)
    flat_sched = optax.piecewise_constant_schedule(
        init_value=lr["flat"] * TUT_FLAT_FROZEN,
        boundaries_and_scales={args.flat_start: 1.0 / TUT_FLAT_FROZEN})
    optim = optax.multi_transform(
        {"position": optax.adam(lr["position"]), "flux": optax.adam(lr["flux"]),
         "coefficients": optax.adam(lr["coefficients"]), "flat": optax.adam(flat_sched)},
        {k: k for k in params})
    state = optim.init(params)

    @jax.jit
    def step(p, s, d):
        loss, grads = jax.value_and_grad(objective)(p, d)
        updates, s = optim.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    loss_only = jax.jit(objective)

    # Compile (not counted in the fit's time; reported separately).
    t0, c0 = time.perf_counter(), time.process_time()
    jax.block_until_ready(step(params, state, data))
    jax.block_until_ready(loss_only(params, data))
    compile_wall, compile_cpu = time.perf_counter() - t0, time.process_time() - c0

    n = args.epochs
    losses = onp.empty(n)
    wall = onp.empty(n)
    cpu = onp.empty(n)
    ckpt_epochs, ckpts = [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(n):
        if i % args.save_every == 0:
            ckpt_epochs.append(i)
            ckpts.append({k: onp.asarray(v, onp.float64) for k, v in params.items()})
        params, state, loss = step(params, state, data)
        losses[i] = float(loss)  # blocks: the epoch is done
        wall[i] = time.perf_counter() - t0
        cpu[i] = time.process_time() - c0
    final_loss = float(loss_only(params, data))
    final = {k: onp.asarray(v, onp.float64) for k, v in params.items()}

    os.makedirs(args.out, exist_ok=True)
    onp.savez(os.path.join(args.out, "final.npz"), **final)
    onp.savez(os.path.join(args.out, "trace.npz"), loss=losses, wall=wall, cpu=cpu,
              ckpt_epochs=onp.array(ckpt_epochs),
              **{f"ckpt_{k}": onp.stack([c[k] for c in ckpts]) for k in final})
    result = {
        "precision": args.precision, "epochs": n, "flat_start": args.flat_start,
        "lr_scale": args.lr_scale, "learning_rates": lr,
        "flat_learning_rate_before_flat_start": lr["flat"] * TUT_FLAT_FROZEN,
        "compile_wall_s": compile_wall, "compile_cpu_s": compile_cpu,
        "fit_wall_s": float(wall[-1]), "fit_cpu_s": float(cpu[-1]),
        "wall_per_epoch_s": float(wall[-1] / n),
        "initial_loss": float(losses[0]), "final_loss_own_precision": final_loss,
        "dlux_version": dLux.__version__, "jax_version": jax.__version__,
        "optax_version": optax.__version__,
        "devices": [str(d) for d in jax.devices()],
    }
    with open(os.path.join(args.out, "result.json"), "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"dLux {args.precision}: {n} epochs in {wall[-1]:.1f} s wall ({cpu[-1]:.1f} s CPU; "
          f"compile {compile_wall:.1f} s), loss {losses[0]:.6g} -> {final_loss:.10g}")


if __name__ == "__main__":
    main()
