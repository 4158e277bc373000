# SPDX-License-Identifier: BSD-3-Clause
"""Plots and tabulates the BM_Scale* benchmarks (bench/scaling/run.sh).

Reads Google Benchmark JSON (median aggregates), prints one Markdown table per axis with
ms per gradient, evaluations/s and GFLOP/s of the executed MFT products, and draws a 2x2 PNG:
time per gradient against pupil size, PSF size, wavelengths and Zernike modes on log-log axes
(a linear y axis where the cost barely changes),
each with the slope of a power law fitted through the points (cost ~ size^slope)."""
import json
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

AXES = [
    ("BM_ScalePupil", "pupil size N (px)", "N"),
    ("BM_ScalePsf", "PSF size M (px)", "M"),
    ("BM_ScaleWavelengths", "wavelengths L", "L"),
    ("BM_ScaleZernikes", "Zernike modes K (parameters = 6 + K)", "K"),
]
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def load(path):
    with open(path) as f:
        doc = json.load(f)
    rows = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        base, _, arg = b["run_name"].partition("/")
        ms = b["real_time"] * TO_MS[b["time_unit"]]
        rows.setdefault(base, []).append((int(arg), ms, b.get("GFLOP/s", float("nan"))))
    return doc["context"], rows


def slope(points):
    xs = [math.log(p[0]) for p in points]
    ys = [math.log(p[1]) for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(json_path, png_path):
    context, rows = load(json_path)
    fig, axs = plt.subplots(2, 2, figsize=(8, 6.5), constrained_layout=True)
    for ax, (name, label, sym) in zip(axs.flat, AXES):
        pts = sorted(rows.get(name, []))
        if not pts:
            continue
        k = slope(pts)
        print(f"\n{label} (fitted cost ~ {sym}^{k:.2f})\n")
        print(f"| {sym} | ms per gradient | gradients/s | MFT GFLOP/s |")
        print("|---:|---:|---:|---:|")
        for x, ms, gf in pts:
            print(f"| {x} | {ms:.3f} | {1e3 / ms:.0f} | {gf / 1e9 if gf > 1e6 else gf:.1f} |")
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        ax.loglog(xs, ys, "o-", color="C0")
        ax.set_xticks(xs)
        ax.set_xticklabels([str(x) for x in xs])
        if max(ys) / min(ys) < 3:
            # nearly flat: a linear axis from zero shows that honestly
            ax.set_yscale("linear")
            ax.set_ylim(0, 1.15 * max(ys))
        else:
            # a decade or two per panel: label round values, not just the powers of ten
            lo, hi = min(ys) / 1.3, max(ys) * 1.3
            ticks = [t * 10.0**e for e in range(-3, 4) for t in (1, 2, 5)
                     if lo <= t * 10.0**e <= hi]
            ax.set_yticks(ticks)
            ax.set_yticklabels([f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel(label)
        ax.set_ylabel("ms per gradient (render + pullback)")
        ax.set_title(f"fitted slope {k:.2f}", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(
        "airy: cost of one flagship gradient (others fixed at N=128, M=16, L=5, K=7)\n"
        f"{context.get('num_cpus', '?')} CPUs @ {context.get('mhz_per_cpu', '?')} MHz, "
        f"{context.get('date', '')[:10]}, one thread",
        fontsize=9,
    )
    fig.savefig(png_path, dpi=110)
    print(f"\nwrote {png_path}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
