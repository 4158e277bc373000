#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The comparison table (Markdown) from evaluate.py's OUT/results.json; prints it and writes
OUT/table.md.

    table.py OUT [note ...]
"""
import json
import os
import sys


def fmt_s(x):
    return "—" if x is None else (f"{x:.2f} s" if x < 10 else f"{x:.1f} s")


def main():
    out = sys.argv[1]
    notes = sys.argv[2:]
    r = json.load(open(os.path.join(out, "results.json")))
    a, fits = r["airy"], r["dlux"]
    best = r["best_loss"]
    cols = ["airy (L-BFGS, float64)"] + [
        f"dLux + optax Adam, {f['precision'].replace('f', 'float')}"
        + ("" if f["lr_scale"] == 1 else f", learning rates × {f['lr_scale']:g}") for f in fits]
    rows = []

    def row(name, airy_cell, fn):
        rows.append([name, airy_cell] + [fn(f) for f in fits])

    cmd = a.get("command", {})

    def conv(f, key):
        c = f["converged"]
        return "not reached" if c is None else fmt_s(c[key])

    row(f"time to convergence, wall (CPU) — loss within {r['within_nats']:g} nat of the best",
        f"{fmt_s(a['map_wall_s'])} MAP (L-BFGS stop: max scaled gradient "
        f"{a['scaled_gradient_max']:.1e}); whole `airy optimize` {fmt_s(cmd.get('wall_s'))} wall, "
        f"{fmt_s(cmd.get('cpu_s'))} CPU",
        lambda f: f"{conv(f, 'wall_s')} wall ({conv(f, 'cpu_s')} CPU)")
    row("iterations / epochs to convergence",
        f"{a['iterations']} iterations ({a['evaluations']} value+gradient)",
        lambda f: "—" if f["converged"] is None else f"≤ {f['converged']['epoch']} epochs "
        f"(checkpoints every {f['ckpt_epochs'][1] - f['ckpt_epochs'][0]})")
    row("run: epochs, wall (CPU), + JAX compile", "—",
        lambda f: f"{f['epochs']} epochs, {fmt_s(f['fit_wall_s'])} ({fmt_s(f['fit_cpu_s'])}), "
        f"+ {fmt_s(f['compile_wall_s'])}")
    row("final loss −log p (float64), Δ to the best", f"{a['loss']:.3f} ({a['loss'] - best:+.3f})",
        lambda f: f"{f['loss']:.3f} ({f['loss'] - best:+.3f})")
    row("loss after the tutorial's 200 epochs, Δ; wall", "—",
        lambda f: "—" if "tutorial_200" not in f else
        f"{f['tutorial_200']['loss'] - best:+.1f} nat; {fmt_s(f['tutorial_200']['wall_s'])}")
    row(f"mean abs flat-field error, {r['n_illuminated']} illuminated pixels (all {r['n_pixels']})",
        f"{a['flat_mean_abs_error_illuminated']:.4f} ({a['flat_mean_abs_error_all']:.4f})",
        lambda f: f"{f['flat_mean_abs_error_illuminated']:.4f} ({f['flat_mean_abs_error_all']:.4f})")
    row("Zernike RMS error (7 coefficients)", f"{a['zernike_rms_error_nm']:.4f} nm",
        lambda f: f"{f['zernike_rms_error_nm']:.4f} nm")
    row("position error, RMS / max over 8 stars",
        f"{a['position_rms_error_mas']:.3f} / {a['position_max_error_mas']:.3f} mas",
        lambda f: f"{f['position_rms_error_mas']:.3f} / {f['position_max_error_mas']:.3f} mas")
    row("flux error, max abs(F/F_true − 1)", f"{100 * a['flux_max_rel_error']:.3f} %",
        lambda f: f"{100 * f['flux_max_rel_error']:.3f} %")
    row("true flat field inside the 68 % / 95 % intervals, all pixels",
        f"{100 * a['coverage68_all']:.1f} % / {100 * a['coverage95_all']:.1f} %",
        lambda f: "— (no uncertainties)")
    row("... illuminated pixels",
        f"{100 * a['coverage68_illuminated']:.1f} % / {100 * a['coverage95_illuminated']:.1f} %",
        lambda f: "—")
    lines = ["| | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(x) + " |" for x in rows]
    lines.append("")
    lines.append(f"{r['n_parameters']} parameters. Loss at the truth {r['loss_truth'] - best:+.1f} "
                 f"nat, at the guess {r['loss_guess'] - best:+.1f} nat from the best "
                 f"({best:.3f}). airy's own objective at its MAP equals this loss to "
                 f"{a['loss_identity_rel']:.1e} (relative).")
    if "forward_check" in r:
        lines.append(r["forward_check"].replace("forward model: ", "Forward model check: ") + ".")
    lines += notes
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(out, "table.md"), "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
