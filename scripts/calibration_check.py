#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Scores an `airy optimize` of the examples/calibration.toml simulation (docs/calibration.md):
the fraction of true flat-field values inside the 68% / 95% Laplace intervals, the mean
|flat-field error|, the Zernike RMS error and the position errors in sds.

    python3 scripts/calibration_check.py examples/calibration_flat.fits \
        calibration-sim/truth.toml calibration-map/optimize.csv
"""
import csv
import math
import struct
import sys


def read_fits(path):
    raw = open(path, "rb").read()
    cards, i = {}, 0
    while True:
        card = raw[i:i + 80].decode()
        i += 80
        if card.startswith("END"):
            break
        if "=" in card[:10]:
            cards[card[:8].strip()] = card[10:].split("/")[0].strip()
    i += -i % 2880
    n = int(cards["NAXIS1"]) * int(cards["NAXIS2"])
    assert cards["BITPIX"] == "-64", "float64 only"
    return struct.unpack(f">{n}d", raw[i:i + 8 * n])


def main():
    flat = read_fits(sys.argv[1])
    truth = {}
    for line in open(sys.argv[2]):
        if "=" in line and not line.startswith("["):
            k, v = line.split("=", 1)
            try:
                truth[k.strip().strip('"')] = float(v)
            except ValueError:
                pass
    rows = list(csv.DictReader(open(sys.argv[3])))
    fmap = [r for r in rows if r["parameter"].startswith("map[")]
    z = [abs(float(r["value"]) - flat[i]) / float(r["laplace_sd"]) for i, r in enumerate(fmap)]
    n = len(z)
    err = sum(abs(float(r["value"]) - flat[i]) for i, r in enumerate(fmap)) / n
    print(f"flat field: {n} pixels, inside 68%: {sum(x < 0.9945 for x in z) / n:.4f} "
          f"(binomial sd {math.sqrt(0.6827 * 0.3173 / n):.4f}), inside 95%: "
          f"{sum(x < 1.96 for x in z) / n:.4f} (sd {math.sqrt(0.9545 * 0.0455 / n):.4f}), "
          f"mean |error| {err:.4g}")
    for r in rows:
        name = r["parameter"]
        if name.startswith("map[") or name not in truth:
            continue
        t, v, sd = truth[name], float(r["value"]), float(r["laplace_sd"])
        print(f"{name:>18} truth {t:12.6g} MAP {v:12.6g} sd {sd:10.4g} error/sd {(v - t) / sd:7.2f}")


if __name__ == "__main__":
    main()
