# SPDX-License-Identifier: BSD-3-Clause
"""Plots and tabulates the BM_Cal* benchmarks (bench/scaling/run.sh --calibration).

Reads Google Benchmark JSON (median aggregates) of src/posterior/scaling_bench.cpp, prints one
Markdown table per axis (ms per gradient, parameters, executed MFT GFLOP/s and its fraction of
the peak given as the third argument; a fourth argument "cpu" reads the benchmark thread's CPU
time instead of the wall time, for a loaded machine) and draws a 2x2 PNG: time per gradient
of the N-exposure calibration posterior against exposures (shared PSF and separate renders),
stars, detector size and parameter count, log-log with the fitted power-law slope."""
import json
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
AXES = [
    (("BM_CalExposures", "BM_CalExposuresSeparate"), "exposures E (integer dithers)", "E"),
    (("BM_CalStars",), "stars S", "S"),
    (("BM_CalDetector",), "detector size M (px per side; M^2 flat-field parameters)", "M"),
    (("BM_CalParameters",), "parameters (K Zernikes + 3S + M^2; 0 = flat field fixed)", "P"),
]
LABELS = {"BM_CalExposures": "shared PSF", "BM_CalExposuresSeparate": "one PSF per exposure"}


def load(path, column="real_time"):
    with open(path) as f:
        doc = json.load(f)
    rows = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        base, _, arg = b["run_name"].partition("/")
        ms = b[column] * TO_MS[b["time_unit"]]
        gf = b.get("GFLOP/s", float("nan"))
        gf = gf / 1e9 if gf > 1e6 else gf
        rows.setdefault(base, []).append((int(arg.split("/")[0]), ms, gf, b.get("parameters", 0)))
    return doc["context"], rows


def slope(xs, ys):
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main(json_path, png_path, peak="58.3", clock="real"):
    # clock = "cpu": the benchmark thread's CPU time (on a loaded machine the wall time is
    # not the cost; the GFLOP/s column is then rescaled to CPU time too).
    peak = float(peak)
    column = "cpu_time" if clock == "cpu" else "real_time"
    context, rows = load(json_path, column)
    if clock == "cpu":
        real = load(json_path, "real_time")[1]
        for name, pts in rows.items():
            rows[name] = [(x, ms, gf * r[1] / ms, n) for (x, ms, gf, n), r in zip(pts, real[name])]
    fig, axs = plt.subplots(2, 2, figsize=(9, 7), constrained_layout=True)
    for ax, (names, label, sym) in zip(axs.flat, AXES):
        for i, name in enumerate(names):
            pts = sorted(rows.get(name, []), key=lambda p: p[3] if sym == "P" else p[0])
            if not pts:
                continue
            xs = [p[3] if sym == "P" else p[0] for p in pts]
            ys = [p[1] for p in pts]
            k = slope(xs, ys) if len(set(xs)) > 1 else float("nan")
            print(f"\n{name}: {label} (fitted cost ~ {sym}^{k:.2f})\n")
            print(f"| {sym} | parameters | ms per gradient | MFT GFLOP/s | of {peak:g} GFLOP/s peak |")
            print("|---:|---:|---:|---:|---:|")
            for x, ms, gf, npar in pts:
                print(f"| {x} | {npar:.0f} | {ms:.2f} | {gf:.1f} | {100 * gf / peak:.0f}% |")
            ax.loglog(xs, ys, "o-", color=f"C{i}",
                      label=f"{LABELS.get(name, name)} (slope {k:.2f})")
        ax.set_xlabel(label, fontsize=8)
        ax.set_ylabel(f"ms per gradient ({clock} time)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(
        "airy: one gradient of the E-exposure calibration posterior "
        "(others at E=5, S=4, L=3, N=64, M=64, K=7, flat field sampled)\n"
        f"{context.get('num_cpus', '?')} CPUs @ {context.get('mhz_per_cpu', '?')} MHz, "
        f"{context.get('date', '')[:10]}, one thread, load {context.get('load_avg', ['?'])[0]}",
        fontsize=9,
    )
    fig.savefig(png_path, dpi=110)
    print(f"\nwrote {png_path}")
    for name in ("BM_CalThreads",):
        pts = sorted(rows.get(name, []))
        if pts:
            print(f"\n{name}: E = 5 exposures, M = 128, one PSF per exposure\n")
            print("| threads | ms per gradient | speedup |")
            print("|---:|---:|---:|")
            for x, ms, _, _ in pts:
                print(f"| {x} | {ms:.2f} | {pts[0][1] / ms:.2f} |")


if __name__ == "__main__":
    main(*sys.argv[1:5])
