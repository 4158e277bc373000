#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The two models of bench/evidence, written from bench/compare/tutorial6.toml (the dLux HMC
tutorial's 6-parameter binary, aberrations fixed):

  binary.toml  the tutorial's binary (x, y, separation, position angle, log flux, contrast)
  single.toml  a single point source with the same optics, detector, noise and likelihood:
               the binary's [source] table becomes type = "point" (x, y, log flux, same band)
               and the separation, position angle and contrast priors are removed

Both get optics.npix = NPIX and a parallel-tempering [sampler] table (method = "pt",
num_chains independent runs of pt_chains chains and pt_rounds rounds); everything else is the
tutorial file's, so `airy fit --pt`, `airy compare` and dynesty (dynesty_evidence.py reads the
same files through airy.load_config) see one posterior.

Usage: make_configs.py TUTORIAL6_TOML OUT_DIR --npix N --runs R --pt-chains N --pt-rounds N
                       --max-depth D --seed S
Standard library only.
"""
import argparse
import os
import re

HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def blocks(text):
    """[(table name or '' for the preamble, [lines])] in file order."""
    out = [("", [])]
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            out.append((m.group(1), [line]))
        else:
            out[-1][1].append(line)
    return out


def set_key(lines, key, value):
    pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
    hits = [i for i, l in enumerate(lines) if pat.match(l)]
    if len(hits) != 1:
        raise SystemExit(f"make_configs.py: expected one '{key} =' line, found {len(hits)}")
    lines[hits[0]] = f"{key} = {value}  # bench/evidence"


def sampler_table(a):
    return ["[sampler]",
            "# bench/evidence/make_configs.py: parallel tempering (docs/inference.md section 6)",
            'method = "pt"',
            f"num_chains = {a.runs}          # independent PT runs (R-hat across runs; log Z = their mean)",
            f"pt_chains = {a.pt_chains}",
            f"pt_rounds = {a.pt_rounds}",
            f"max_depth = {a.max_depth}",
            f"seed = {a.seed}",
            ""]


def write(path, bl):
    with open(path, "w") as f:
        for _, lines in bl:
            f.write("\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tutorial6")
    p.add_argument("out")
    p.add_argument("--npix", type=int, default=128)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--pt-chains", type=int, default=10)
    p.add_argument("--pt-rounds", type=int, default=10)
    p.add_argument("--max-depth", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    with open(a.tutorial6) as f:
        base = blocks(f.read())
    os.makedirs(a.out, exist_ok=True)

    def common():
        bl = [(name, list(lines)) for name, lines in base]
        for name, lines in bl:
            if name == "optics":
                set_key(lines, "npix", a.npix)
        return [(n, sampler_table(a) if n == "sampler" else l) for n, l in bl]

    binary = common()
    write(os.path.join(a.out, "binary.toml"), binary)

    single = []
    dropped = {'priors."source.separation"', 'priors."source.position_angle"',
               'priors."source.contrast"'}
    for name, lines in common():
        if name in dropped:
            continue
        if name == "source":
            keep = ("x_position", "y_position", "log_flux", "band_nm", "n_wavelengths")
            body = [l for l in lines[1:]
                    if re.match(rf"^\s*({'|'.join(keep)})\s*=", l)]
            lines = ["[source]", '# bench/evidence: a single star with the binary\'s optics and band',
                     'type = "point"'] + body + [""]
        single.append((name, lines))
    write(os.path.join(a.out, "single.toml"), single)


if __name__ == "__main__":
    main()
