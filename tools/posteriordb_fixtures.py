#!/usr/bin/env python3
"""Write tests/fixtures/posteriordb/<name>.toml from the posteriordb reference files.

Stdlib only (zipfile, json, math). Reads ../shared/reference/posteriordb/<name>.data.json.zip
and <name>.draws.json.zip (relative to the repository root) and writes, per posterior, the data
and per-parameter reference statistics of the reference draws (constrained scale).

MCSEs use the ESS formulas of R `posterior` (Vehtari et al. 2021), not the iid shortcut:
  ess_mean  = ESS(split(x))                       (Geyer initial positive + monotone sequence,
                                                   biased autocovariance, tau >= 1/log10(S))
  mcse_mean = sd(x) / sqrt(ess_mean)              (sd with ddof 1 over all pooled draws)
  mcse_sd   = sqrt((m4 - m2^2) / ess_mean(c^2) / m2 / 4),  c = x - mean(x), m_k = mean(c^k)
Usage (from the repository root):  python3 tools/posteriordb_fixtures.py [--src DIR] [--out DIR]
"""
import argparse
import json
import math
import os
import zipfile

NAMES = [
    "eight_schools-eight_schools_noncentered",
    "kidiq-kidscore_momiq",
    "kidiq-kidscore_interaction",
    "sblrc-blr",
    "arK-arK",
    "gp_pois_regr-gp_regr",
]
# Same data and same reference draws as the non-centred one (posteriordb's
# eight_schools_centered points at the non-centred reference posterior).
ALIASES = {"eight_schools-eight_schools_centered": "eight_schools-eight_schools_noncentered"}


def load_zip_json(path):
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if not n.endswith("/")]
        return json.loads(z.read(names[0]))


# ---------------------------------------------------------------- diagnostics (posterior's)
def split_chains(chains):
    out = []
    for c in chains:
        n = len(c)
        h = n // 2
        out.append(c[:h])
        out.append(c[n - h:])
    return out


def ess(chains):
    """posterior::.ess on a list of equal-length chains (already split)."""
    m = len(chains)
    n = len(chains[0])
    means = [sum(c) / n for c in chains]
    cen = [[v - mu for v in c] for c, mu in zip(chains, means)]
    cache = {}

    def acov(t):  # mean over chains of the biased autocovariance at lag t
        if t not in cache:
            s = 0.0
            for c in cen:
                s += sum(c[i] * c[i + t] for i in range(n - t)) / n
            cache[t] = s / m
        return cache[t]

    mean_var = acov(0) * n / (n - 1)
    var_plus = mean_var * (n - 1) / n
    if m > 1:
        gm = sum(means) / m
        var_plus += sum((x - gm) ** 2 for x in means) / (m - 1)
    rho = [0.0] * n
    t = 0
    rho_even = 1.0
    rho[0] = rho_even
    rho_odd = 1.0 - (mean_var - acov(1)) / var_plus
    rho[1] = rho_odd
    while t < n - 5 and not math.isnan(rho_even + rho_odd) and rho_even + rho_odd > 0:
        t += 2
        rho_even = 1.0 - (mean_var - acov(t)) / var_plus
        rho_odd = 1.0 - (mean_var - acov(t + 1)) / var_plus
        if rho_even + rho_odd >= 0:
            rho[t] = rho_even
            rho[t + 1] = rho_odd
    max_t = t
    if rho_even > 0:
        rho[max_t] = rho_even
    t = 0
    while t <= max_t - 4:
        t += 2
        if rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]:
            rho[t] = (rho[t - 2] + rho[t - 1]) / 2
            rho[t + 1] = rho[t]
    s = m * n
    tau = -1.0 + 2.0 * sum(rho[:max_t]) + rho[max_t]
    tau = max(tau, 1.0 / math.log10(s))
    return s / tau


def quantile7(sorted_x, p):
    n = len(sorted_x)
    h = (n - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_x[lo] + (h - lo) * (sorted_x[hi] - sorted_x[lo])


def stats(chains):
    pooled = [v for c in chains for v in c]
    s = len(pooled)
    mean = sum(pooled) / s
    c = [v - mean for v in pooled]
    m2 = sum(v * v for v in c) / s
    m4 = sum(v ** 4 for v in c) / s
    sd = math.sqrt(sum(v * v for v in c) / (s - 1))
    ess_mean = ess(split_chains(chains))
    sq = [[(v - mean) ** 2 for v in ch] for ch in chains]
    ess_sq = ess(split_chains(sq))
    mcse_mean = sd / math.sqrt(ess_mean)
    mcse_sd = math.sqrt((m4 - m2 * m2) / ess_sq / m2 / 4.0)
    xs = sorted(pooled)
    return {
        "mean": mean, "sd": sd, "mcse_mean": mcse_mean, "mcse_sd": mcse_sd,
        "ess_mean": ess_mean, "ess_sd": ess_sq,
        "mcse_mean_iid": sd / math.sqrt(s), "mcse_sd_iid": sd / math.sqrt(2.0 * (s - 1)),
        "q05": quantile7(xs, 0.05), "q50": quantile7(xs, 0.5), "q95": quantile7(xs, 0.95),
        "n": s,
    }


# ---------------------------------------------------------------- TOML writing
def toml_key(k):
    ok = all(ch.isalnum() or ch in "_-" for ch in k)
    return k if ok and k else json.dumps(k)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        if v and isinstance(v[0], list):
            return "[\n" + ",\n".join("  " + toml_value(r) for r in v) + ",\n]"
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def write_fixture(out_path, name, src_name, data, chains_by_param, param_names, nchains, ndraws):
    lines = [
        "# posteriordb reference fixture, generated by tools/posteriordb_fixtures.py -- do not edit.",
        "# Source: posteriordb (BSD licence), ../shared/reference/posteriordb/%s.{data,draws}.json.zip" % src_name,
        "# Schema: tests/fixtures/posteriordb/README.md",
        "name = %s" % json.dumps(name),
        "reference_posterior = %s" % json.dumps(src_name),
        "num_chains = %d" % nchains,
        "draws_per_chain = %d" % ndraws,
        'mcse_method = "ess"  # posterior (R) ESS formulas: mcse_mean = sd/sqrt(ess_mean), mcse_sd Kenney-Keeping with ess_mean((x-mean)^2)',
        "",
        "[data]",
    ]
    for k, v in data.items():
        lines.append("%s = %s" % (toml_key(k), toml_value(v)))
    for p in param_names:
        st = stats(chains_by_param[p])
        lines.append("")
        lines.append("[[parameters]]")
        lines.append("name = %s" % json.dumps(p))
        for k in ["mean", "sd", "mcse_mean", "mcse_sd", "ess_mean", "ess_sd",
                  "mcse_mean_iid", "mcse_sd_iid", "q05", "q50", "q95", "n"]:
            lines.append("%s = %s" % (k, toml_value(st[k])))
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.path.join(root, "..", "shared", "reference", "posteriordb"))
    ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "posteriordb"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    todo = [(n, n) for n in NAMES] + list(ALIASES.items())
    for name, src_name in todo:
        dpath = os.path.join(a.src, src_name + ".data.json.zip")
        rpath = os.path.join(a.src, src_name + ".draws.json.zip")
        if not (os.path.exists(dpath) and os.path.exists(rpath)):
            print("skip", name, "(missing files)")
            continue
        data = load_zip_json(dpath)
        draws = load_zip_json(rpath)
        param_names = list(draws[0].keys())
        chains_by_param = {p: [[float(v) for v in ch[p]] for ch in draws] for p in param_names}
        ndraws = len(draws[0][param_names[0]])
        out_path = os.path.join(a.out, name + ".toml")
        write_fixture(out_path, name, src_name, data, chains_by_param, param_names, len(draws), ndraws)
        print("wrote", os.path.relpath(out_path, root))


if __name__ == "__main__":
    main()
