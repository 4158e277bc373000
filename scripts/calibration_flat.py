#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the true flat field of examples/calibration.toml: Normal(1, 0.05) per pixel (the
prior the fit assumes), a 64 x 64 float64 FITS primary HDU, seeded. No astropy needed.

    python3 scripts/calibration_flat.py examples/calibration_flat.fits [size] [seed]
"""
import random
import struct
import sys


def card(key, value):
    return f"{key:<8}= {value:>20}".ljust(80).encode()


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    rng = random.Random(seed)
    header = b"".join([card("SIMPLE", "T"), card("BITPIX", "-64"), card("NAXIS", "2"),
                       card("NAXIS1", str(n)), card("NAXIS2", str(n)),
                       b"END".ljust(80)])
    header += b" " * (-len(header) % 2880)
    data = struct.pack(f">{n * n}d", *(rng.gauss(1.0, 0.05) for _ in range(n * n)))
    data += b"\0" * (-len(data) % 2880)
    with open(path, "wb") as f:
        f.write(header + data)


if __name__ == "__main__":
    main()
