#!/usr/bin/env python3
"""Print the comparison table from OUT/<model>/*/result.json and write OUT/table.md.
Usage: table.py OUT [note ...]
"""
import glob
import json
import os
import statistics
import sys
import tomllib

MODELS = {"tutorial6": "6 (tutorial)", "flagship": "13 (flagship)"}


def load_truth(model_dir):
    p = os.path.join(model_dir, "data", "truth.toml")
    if not os.path.exists(p):
        return {}
    with open(p, "rb") as fh:
        t = tomllib.load(fh)
    out = {}
    for k, v in t.items():
        if isinstance(v, list):
            for i, x in enumerate(v):
                out[f"{k}[{i + 1}]"] = float(x)
        elif isinstance(v, (int, float)):
            out[k] = float(v)
    return out


def main():
    out = sys.argv[1]
    notes = sys.argv[2:]
    rows = []
    for model in MODELS:
        mdir = os.path.join(out, model)
        truth = load_truth(mdir)
        res = []
        for f in sorted(glob.glob(os.path.join(mdir, "*", "result.json"))):
            with open(f) as fh:
                res.append(json.load(fh))
        airy = [r for r in res if r["side"] == "airy"]
        for r in res:
            ps = r["params"]
            ess = [v["ess_bulk"] for v in ps.values()]
            sampling = max(r["wall_s"] - r.get("compile_s", 0.0), 1e-9)
            r["_model"] = model
            r["_sampling_s"] = sampling
            r["_min_ess"] = min(ess)
            r["_med_ess"] = statistics.median(ess)
            r["_min_tail"] = min(v["ess_tail"] for v in ps.values())
            r["_max_rhat"] = max(v["r_hat"] for v in ps.values())
            r["_ess_s"] = min(ess) / sampling
            r["_ess_s_total"] = min(ess) / max(r["wall_s"], 1e-9)
            z = [abs(v["mean"] - truth[k]) / v["sd"] for k, v in ps.items()
                 if k in truth and v["sd"] > 0]
            r["_truth_z"] = max(z) if z else float("nan")
            if airy and r["side"] != "airy":
                a = airy[0]["params"]
                d = [abs(v["mean"] - a[k]["mean"]) / a[k]["sd"] for k, v in ps.items()
                     if k in a and a[k]["sd"] > 0]
                r["_vs_airy"] = max(d) if d else float("nan")
            else:
                r["_vs_airy"] = float("nan")
        for r in res:
            if airy and r["side"] != "airy":
                r["_ratio"] = airy[0]["_ess_s"] / r["_ess_s"]
            else:
                r["_ratio"] = float("nan")
        res.sort(key=lambda r: (r["side"] != "airy", r["precision"], r.get("chain_method", "")))
        rows += res

    head = ["model (params)", "side", "precision", "chains", "warmup+draws", "wall s",
            "compile s", "grad evals", "min bulk-ESS", "median bulk-ESS", "min tail-ESS",
            "max R-hat", "div", "min ESS/s", "min ESS/s incl. compile",
            "airy/NumPyro (min ESS/s)", "max abs(mean - truth)/sd", "max abs(mean - airy mean)/sd"]

    def fmt(x, nd=1):
        if isinstance(x, float):
            if x != x:
                return "-"
            return f"{x:.{nd}f}"
        return str(x)

    lines = []
    for r in rows:
        side = "airy" if r["side"] == "airy" else f"NumPyro ({r['chain_method']})"
        if r["side"] != "airy" and r.get("init", "").startswith("values"):
            side = f"NumPyro ({r['chain_method']}, MAP init)"
        ratio = fmt(r["_ratio"], 2)
        if r["side"] != "airy" and r["_ratio"] == r["_ratio"] and (
                r["_max_rhat"] >= 1.01 or max(a["_max_rhat"] for a in rows
                                              if a["_model"] == r["_model"]
                                              and a["side"] == "airy") >= 1.01):
            ratio += " (invalid: R-hat >= 1.01)"
        wd = f"{r.get('warmup', '?')}+{r['samples']}"
        lines.append([MODELS[r["_model"]], side, r["precision"], str(r["chains"]), wd,
                      fmt(r["wall_s"]),
                      "-" if r["side"] == "airy" else fmt(r.get("compile_s", 0.0)),
                      str(r["gradient_evaluations"]), fmt(r["_min_ess"], 0),
                      fmt(r["_med_ess"], 0), fmt(r["_min_tail"], 0), fmt(r["_max_rhat"], 3),
                      str(r["divergences"]), fmt(r["_ess_s"], 2), fmt(r["_ess_s_total"], 2),
                      ratio, fmt(r["_truth_z"], 2), fmt(r["_vs_airy"], 2)])
    widths = [max(len(h), *(len(L[i]) for L in lines)) if lines else len(h)
              for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for L in lines:
        print("  ".join(c.ljust(w) for c, w in zip(L, widths)))
    md = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    md += ["| " + " | ".join(L) + " |" for L in lines]
    md.append("")
    md.append("wall s: warmup + sampling (airy: plus the multi-start MAP fit when the config "
              "sets `init = \"map\"`, whose gradient evaluations are counted too; "
              "NumPyro: `mcmc.warmup` + `mcmc.run`, including JAX "
              "tracing and XLA compilation; compile s: the part of it spent in JAX tracing, "
              "lowering and XLA compilation, from `jax.monitoring`). min ESS/s = min bulk-ESS / "
              "(wall - compile). ESS and R-hat: ArviZ (rank-normalised split R-hat, bulk/tail "
              "ESS) on both sides. grad evals: leapfrog steps of warmup + sampling, all chains. "
              "The last two columns are in posterior standard deviations. airy/NumPyro: airy's "
              "min ESS/s over this row's (> 1: airy is faster); a ratio is only a comparison when both "
              "sides converged (max R-hat < 1.01), otherwise it is marked invalid.")
    for model in MODELS:
        f = os.path.join(out, model, "data", "forward_check.txt")
        if os.path.exists(f):
            with open(f) as fh:
                md.append(f"{MODELS[model]}: " + fh.read().strip())
    md += notes
    with open(os.path.join(out, "table.md"), "w") as fh:
        fh.write("\n".join(md) + "\n")
    print(f"\nwritten: {os.path.join(out, 'table.md')}")


if __name__ == "__main__":
    main()
