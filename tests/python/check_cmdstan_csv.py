#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks an airy CmdStan CSV the way cmdstanpy and ArviZ 0.x read it.

usage: check_cmdstan_csv.py FILE NUM_WARMUP NUM_SAMPLES
Exit status 0 when every check passes; prints the failing check otherwise.
"""
import re
import sys

import pandas as pd


def main(path, num_warmup, num_samples):
    config = {}
    header = None
    draw_lines = []
    adaptation = []
    timing = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                if header is None:
                    # cmdstanpy: strip "#", split on "=", exactly two parts.
                    body = line.lstrip("# ")
                    if "=" in body:
                        parts = body.split("=")
                        assert len(parts) == 2, f"config line has >1 '=': {line}"
                        key = parts[0].strip()
                        value = parts[1].strip().replace("(Default)", "").strip()
                        config[key] = value
                elif "Elapsed Time" in line or "seconds" in line:
                    timing.append(line)
                else:
                    adaptation.append(line)
            elif header is None:
                header = line.split(",")
            else:
                draw_lines.append(line)
    for key in ("model", "method", "num_samples", "num_warmup", "save_warmup", "thin",
                "max_depth", "metric", "stan_version_major", "stan_version_minor",
                "stan_version_patch"):
        assert key in config, f"missing config key {key}"
    assert config["method"] == "sample"
    int(config["num_samples"]), int(config["num_warmup"]), int(config["thin"])
    save_warmup = int(config["save_warmup"])  # ArviZ < PR 2354 needs a number
    assert adaptation[0] == "# Adaptation terminated", adaptation
    assert re.match(r"# Step size = [-+0-9.eE]+$", adaptation[1]), adaptation[1]
    assert adaptation[2] in ("# Diagonal elements of inverse mass matrix:",
                             "# Elements of inverse mass matrix:"), adaptation[2]
    assert any("Elapsed Time" in t for t in timing), timing
    assert header[:7] == ["lp__", "accept_stat__", "stepsize__", "treedepth__",
                          "n_leapfrog__", "divergent__", "energy__"], header
    for row in draw_lines:
        fields = row.split(",")
        assert len(fields) == len(header), f"row has {len(fields)} fields: {row}"
        int(fields[3]), int(fields[4]), int(fields[5])  # cmdstanpy: int(field)
    # ArviZ 0.x splits warm-up rows as save_warmup * num_warmup // thin.
    n_warm = save_warmup * int(config["num_warmup"]) // int(config["thin"])
    assert n_warm == num_warmup, (n_warm, num_warmup)
    df = pd.read_csv(path, comment="#")
    assert len(df) == num_warmup + num_samples, len(df)
    assert list(df.columns) == header
    assert df["divergent__"].dtype.kind == "i", df["divergent__"].dtype
    assert df["treedepth__"].dtype.kind == "i", df["treedepth__"].dtype
    assert all(not c.endswith("__") or c in header[:7] for c in df.columns)
    print(f"ok: {path}: {len(df)} rows, {len(header) - 7} parameters")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
