#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Scores airy's MAP and the dLux + optax fits on one scale (float64), for table.py.

    evaluate.py OUT [--dlux DIR ...]

OUT is run.sh's output folder: OUT/examples/calibration.toml (the truth config with its flat
field), OUT/examples/calibration_guess.toml (the start and the data), OUT/airy-map (airy
optimize), OUT/airy-optimize.time (/usr/bin/time of it). Each --dlux DIR is a fit_dlux.py
output. Writes OUT/results.json.

* Loss: calib_model.make_objective (airy's negative log posterior in its unconstrained
  coordinates) in float64 at every final point, at the truth and at the guess; at airy's MAP it
  must equal -objective of airy's optimize_starts.csv (the relative difference is recorded:
  both sides really minimise the same function).
* Time to convergence: the first time the loss is within `--within` nats (default 1) of the
  lowest final loss of all fits. dLux: the loss of the checkpoints fit_dlux.py stores every
  --save-every epochs, re-evaluated in float64 (so float32 runs are judged on the same scale);
  the time is the fit's wall/CPU clock after that many epochs (compilation excluded, reported
  apart). airy: its L-BFGS stops at max_i |s_i d log p/du_i| <= 1e-4 and keeps no trace, so
  its row gives the MAP's time to that stop (optimize_starts.csv) and the whole command's.
* Illuminated pixels: those whose flat-field Fisher information at the truth,
  I_p = sum_e m_ep^2 / (mu_ep + sigma^2) (mu the noise-free counts of airy simulate's
  psf_<exposure>.fits, m = mu / f_true the counts before the flat field), is at least the
  prior's precision 1/0.05^2: the data, not the prior, determine these pixels.
* Coverage: the fraction of true flat-field values inside airy's Laplace intervals
  MAP +- 0.9945 sd (68 %) and +- 1.96 sd (95 %), over all pixels and the illuminated ones.
"""
import argparse
import csv
import json
import os
import sys
import tomllib

import jax

jax.config.update("jax_platforms", "cpu")
jax.config.update("jax_enable_x64", True)

import numpy as onp  # noqa: E402
import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calib_model as cm  # noqa: E402

Z68, Z95 = 0.994458, 1.959964


def read_time(path):
    """/usr/bin/time -f '%e %U %S %M' output: wall, user, sys seconds and max RSS (KiB)."""
    if not os.path.exists(path):
        return {}
    last = open(path).read().strip().splitlines()[-1].split()
    return {"wall_s": float(last[0]), "cpu_s": float(last[1]) + float(last[2]),
            "max_rss_mib": float(last[3]) / 1024.0}


def airy_globals(rows, truth_names, truth_values, cfg):
    """positions (K, 2) rad, fluxes (K,), coefficients (J,) m from optimize.csv rows, with the
    layout of the flat positions vector checked against the truth config."""
    K = len(cfg["source"]["positions_x"])
    byname = {r["parameter"]: r for r in rows}

    def vec(name, n):
        return onp.array([float(byname[f"{name}[{i + 1}]"]["value"]) for i in range(n)])

    units = {name: byname[f"{name}[1]"]["unit"] for name in ("positions", "fluxes", "coefficients")}
    if units != {"positions": "arcsec", "fluxes": "photon", "coefficients": "nm"} and \
            units != {"positions": "arcsec", "fluxes": "photons", "coefficients": "nm"}:
        raise SystemExit(f"evaluate: unexpected units in optimize.csv: {units}")
    # The flat positions vector: interleaved (x1, y1, x2, ...) or blocked (x..., y...)?
    t = onp.array([truth_values[f"positions[{i + 1}]"] for i in range(2 * K)])
    x, y = onp.asarray(cfg["source"]["positions_x"]), onp.asarray(cfg["source"]["positions_y"])
    if onp.allclose(t, onp.stack([x, y], 1).reshape(-1)):
        to_xy = lambda v: v.reshape(K, 2)  # noqa: E731
    elif onp.allclose(t, onp.concatenate([x, y])):
        to_xy = lambda v: v.reshape(2, K).T  # noqa: E731
    else:
        raise SystemExit("evaluate: cannot match truth.toml's positions to the config's")
    J = len(cfg["optics"]["aberrations"]["noll"])
    return {"position": to_xy(vec("positions", 2 * K)) * cm.ARCSEC,
            "flux": vec("fluxes", K), "coefficients": vec("coefficients", J) * 1e-9}


def metrics(p, truth, illum, sd=None):
    ff_err = onp.abs(p["flat"] - truth["flat"])
    dpos = (p["position"] - truth["position"]) / cm.ARCSEC * 1e3  # mas
    r = onp.hypot(dpos[:, 0], dpos[:, 1])
    out = {"flat_mean_abs_error_illuminated": float(ff_err[illum].mean()),
           "flat_mean_abs_error_all": float(ff_err.mean()),
           "zernike_rms_error_nm": float(onp.sqrt(onp.mean(
               onp.square(p["coefficients"] - truth["coefficients"]))) * 1e9),
           "position_rms_error_mas": float(onp.sqrt(onp.mean(r * r))),
           "position_max_error_mas": float(r.max()),
           "flux_max_rel_error": float(onp.max(onp.abs(p["flux"] / truth["flux"] - 1.0)))}
    if sd is not None:
        z = ff_err / sd
        for name, m in (("all", onp.ones_like(illum)), ("illuminated", illum)):
            out[f"coverage68_{name}"] = float(onp.mean(z[m] < Z68))
            out[f"coverage95_{name}"] = float(onp.mean(z[m] < Z95))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--dlux", nargs="*", default=[])
    ap.add_argument("--within", type=float, default=1.0,
                    help="convergence: loss within this many nats of the best final loss")
    args = ap.parse_args()
    out = args.out
    tcfg = cm.load_config(os.path.join(out, "examples", "calibration.toml"))
    gcfg = cm.load_config(os.path.join(out, "examples", "calibration_guess.toml"))
    model = cm.Calibration(gcfg, jnp.float64)
    objective = jax.jit(cm.make_objective(gcfg, model))
    data = jnp.asarray(cm.load_data(gcfg), jnp.float64)

    def loss(p):
        return float(objective(cm.to_dtype(p, jnp.float64), data))

    truth = cm.config_values(tcfg)
    guess = cm.config_values(gcfg)
    psf = cm.load_data(gcfg, "psf")
    m = psf / truth["flat"][None]
    sigma2 = float(gcfg["likelihood"]["sigma"]) ** 2
    info = onp.sum(m * m / (psf + sigma2), 0)
    prior_sd = float(gcfg["priors"]["detector.pixel_response.map"]["scale"])
    illum = info >= 1.0 / prior_sd ** 2

    res = {"n_pixels": int(illum.size), "n_illuminated": int(illum.sum()),
           "n_parameters": int(illum.size + truth["position"].size + truth["flux"].size
                               + truth["coefficients"].size),
           "within_nats": args.within,
           "loss_truth": loss(truth), "loss_guess": loss(guess)}
    fwd = os.path.join(out, "calibration-sim", "forward_check.txt")
    if os.path.exists(fwd):
        res["forward_check"] = open(fwd).read().splitlines()[0]

    # ------------------------------------------------------------------ airy
    adir = os.path.join(out, "airy-map")
    rows = list(csv.DictReader(open(os.path.join(adir, "optimize.csv"))))
    with open(os.path.join(out, "calibration-sim", "truth.toml"), "rb") as fh:
        tt = tomllib.load(fh)
    tvals = {}
    for k, v in tt.items():  # scalars, or vectors as lists (name[i], 1-based)
        if isinstance(v, list):
            tvals.update({f"{k}[{i + 1}]": float(x) for i, x in enumerate(v)})
        elif isinstance(v, (int, float)):
            tvals[k] = float(v)
    p_airy = airy_globals(rows, list(tvals), tvals, tcfg)
    p_airy["flat"] = cm.read_fits(os.path.join(adir, "flat_field.fits"))
    sd = cm.read_fits(os.path.join(adir, "flat_field_sd.fits"))
    # map[k] of optimize.csv must be the same numbers as flat_field.fits (y, x) row-major
    fmap = onp.array([float(r["value"]) for r in rows if r["parameter"].startswith("map[")])
    assert onp.allclose(fmap, p_airy["flat"].reshape(-1), rtol=1e-8, atol=0), "map order"
    starts = list(csv.DictReader(open(os.path.join(adir, "optimize_starts.csv"))))
    best = next(s for s in starts if s["best"] == "1")
    airy = {"loss": loss(p_airy), "objective": float(best["objective"]),
            "iterations": int(best["iterations"]), "evaluations": int(best["evaluations"]),
            "map_wall_s": float(best["seconds"]), "reason": best["reason"],
            "scaled_gradient_max": float(best["scaled_gradient_max"]),
            "command": read_time(os.path.join(out, "airy-optimize.time"))}
    airy["loss_identity_rel"] = abs(airy["loss"] + airy["objective"]) / abs(airy["objective"])
    airy.update(metrics(p_airy, truth, illum, sd))
    res["airy"] = airy

    # ------------------------------------------------------------------ dLux
    fits = []
    for d in args.dlux:
        r = json.load(open(os.path.join(d, "result.json")))
        fin = dict(onp.load(os.path.join(d, "final.npz")))
        tr = onp.load(os.path.join(d, "trace.npz"))
        r["loss"] = loss(fin)
        ep = tr["ckpt_epochs"]
        r["ckpt_epochs"] = ep.tolist()
        r["ckpt_loss"] = [loss({k: tr[f"ckpt_{k}"][i] for k in fin}) for i in range(len(ep))]
        r["ckpt_wall_s"] = [0.0 if e == 0 else float(tr["wall"][e - 1]) for e in ep]
        r["ckpt_cpu_s"] = [0.0 if e == 0 else float(tr["cpu"][e - 1]) for e in ep]
        # the tutorial's 200 epochs (the loss after 200 updates: the checkpoint at 200)
        if 200 in ep:
            i = int(onp.where(ep == 200)[0][0])
            r["tutorial_200"] = {"loss": r["ckpt_loss"][i], "wall_s": r["ckpt_wall_s"][i],
                                 "cpu_s": r["ckpt_cpu_s"][i]}
            r["tutorial_200"].update(metrics({k: tr[f"ckpt_{k}"][i] for k in fin}, truth, illum))
        elif r["epochs"] == 200:  # the run is the tutorial's: its final point
            r["tutorial_200"] = {"loss": r["loss"], "wall_s": r["fit_wall_s"],
                                 "cpu_s": r["fit_cpu_s"]}
            r["tutorial_200"].update(metrics(fin, truth, illum))
        r.update(metrics(fin, truth, illum))
        r["dir"] = d
        fits.append(r)
    res["dlux"] = fits

    # ------------------------------------------------------------------ convergence
    best_loss = min([airy["loss"]] + [f["loss"] for f in fits])
    res["best_loss"] = best_loss
    for f in fits:
        f["converged"] = None
        points = list(zip(f["ckpt_epochs"], f["ckpt_loss"], f["ckpt_wall_s"], f["ckpt_cpu_s"]))
        points.append((f["epochs"], f["loss"], f["fit_wall_s"], f["fit_cpu_s"]))  # the final one
        for e, L, w, c in points:
            if L <= best_loss + args.within:
                f["converged"] = {"epoch": e, "wall_s": w, "cpu_s": c}
                break
        f["best_ckpt_gap_nats"] = float(min(f["ckpt_loss"] + [f["loss"]]) - best_loss)
    airy["converged_to_best"] = airy["loss"] <= best_loss + args.within

    with open(os.path.join(out, "results.json"), "w") as fh:
        json.dump(res, fh, indent=1)
    print(f"evaluate: wrote {os.path.join(out, 'results.json')}: airy loss {airy['loss']:.10g} "
          f"(airy's own objective {-airy['objective']:.10g}, rel diff "
          f"{airy['loss_identity_rel']:.1e}); dLux " +
          ", ".join(f"{f['precision']} {f['loss']:.10g}" for f in fits))


if __name__ == "__main__":
    main()
