#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Fisher-preconditioned NUTS vs the standard warmup, through the CLI (docs/fisher.md):
#   1. airy simulate CONFIG                       -> data.fits, truth.toml
#   2. airy fisher CONFIG                         -> Cramér-Rao bounds, Laplace sd
#   3. airy fit (standard: sampler.num_warmup, windowed diag_e adaptation, random inits)
#   4. airy fit --init map --metric fisher --warmup W_FISHER (step size adapts only)
#   5. airy fit --init map --metric dense_e --warmup W_FISHER with metric_init = "laplace":
#      Stan's windowed adaptation (75/25/50 at 200) started from the same Laplace metric
#   6. compares each short run's summary.csv with the standard one: every mean and sd with
#      z = diff / hypot(MCSE_a, MCSE_b), |z| < 4, and R-hat < 1.01 in both; prints wall time,
#      gradient evaluations, min bulk-ESS and ESS/s of each run (run_info.toml), MAP cost
#      included, and one verdict per short run.
# Usage: tools/fisher_check.sh [CONFIG] [OUT_DIR]
#   env: AIRY (binary, default build/apps/airy/airy), W_FISHER (200), CHAINS, SAMPLES,
#        WARMUP (standard run's warmup, default the config's), THREADS,
#        STD_INIT (the standard run's --init: random or map; default the config's sampler.init;
#        map isolates the effect of the metric and warmup from that of the inits on a
#        multimodal posterior).
# Exit status 0 when both short runs pass, 1 otherwise (the verdict lines say which failed).
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${1:-examples/binary_star.toml}
OUT=${2:-/tmp/airy-fisher-check}
AIRY=${AIRY:-build/apps/airy/airy}
W_FISHER=${W_FISHER:-200}
common=(--quiet)
[[ -n "${CHAINS:-}" ]] && common+=(--chains "$CHAINS")
[[ -n "${SAMPLES:-}" ]] && common+=(--samples "$SAMPLES")
[[ -n "${THREADS:-}" ]] && common+=(--threads "$THREADS")
std_extra=()
[[ -n "${STD_INIT:-}" ]] && std_extra+=(--init "$STD_INIT")
[[ -n "${WARMUP:-}" ]] && std_extra+=(--warmup "$WARMUP")
mkdir -p "$OUT"

"$AIRY" simulate "$CONFIG" --out "$OUT/sim" --overwrite >/dev/null
"$AIRY" fisher "$CONFIG" --out "$OUT/fisher_info" --no-plots --overwrite
t0=$(date +%s.%N)
"$AIRY" fit "$CONFIG" --data "$OUT/sim/data.fits" --out "$OUT/standard" --no-plots --overwrite \
  "${common[@]}" "${std_extra[@]}" >/dev/null
t1=$(date +%s.%N)
"$AIRY" fit "$CONFIG" --data "$OUT/sim/data.fits" --out "$OUT/fisher" --no-plots --overwrite \
  --init map --metric fisher --warmup "$W_FISHER" "${common[@]}" >/dev/null
t2=$(date +%s.%N)
sed -e '/^metric_init *=/d' -e 's/^\[sampler\]/[sampler]\nmetric_init = "laplace"/' "$CONFIG" \
  > "$OUT/laplace_start.toml"
grep -q '^metric_init = "laplace"' "$OUT/laplace_start.toml" ||
  { echo "fisher_check: $CONFIG has no [sampler] table to set metric_init in" >&2; exit 1; }
"$AIRY" fit "$OUT/laplace_start.toml" --data "$OUT/sim/data.fits" --out "$OUT/laplace" --overwrite \
  --no-plots --init map --metric dense_e --warmup "$W_FISHER" "${common[@]}" >/dev/null
t3=$(date +%s.%N)

python3 - "$OUT" "$t0" "$t1" "$t2" "$t3" <<'PY'
import csv, math, sys, tomllib
out, t0, t1, t2, t3 = sys.argv[1], *map(float, sys.argv[2:])
def summary(run):
    with open(f"{out}/{run}/summary.csv") as f:
        return {r["name"]: r for r in csv.DictReader(f)}
def info(run):
    with open(f"{out}/{run}/run_info.toml", "rb") as f:
        return tomllib.load(f)
a = summary("standard")
crb = {}
with open(f"{out}/fisher_info/crb.csv") as f:
    for r in csv.DictReader(f):
        crb[r["parameter"]] = r
g = lambda r, k: float(r[k])
verdicts = {}
for short in ("fisher", "laplace"):
    b = summary(short)
    ok = True
    print(f"\nstandard vs {short}")
    print(f"{'parameter':>18} {'mean std':>12} {'mean ' + short:>12} {'z':>6} {'sd std':>10} "
          f"{'sd ' + short:>10} {'z':>6} {'rhat':>6} {'rhat':>6} {'CRB':>10} {'Laplace':>10}")
    for name in a:
        x, y = a[name], b[name]
        zm = (g(x, "mean") - g(y, "mean")) / math.hypot(g(x, "mcse_mean"), g(y, "mcse_mean"))
        zs = (g(x, "sd") - g(y, "sd")) / math.hypot(g(x, "mcse_sd"), g(y, "mcse_sd"))
        ra, rb = g(x, "r_hat"), g(y, "r_hat")
        bad = abs(zm) >= 4 or abs(zs) >= 4 or ra >= 1.01 or rb >= 1.01
        ok &= not bad
        c = crb.get(name, {})
        print(f"{name:>18} {g(x,'mean'):12.6g} {g(y,'mean'):12.6g} {zm:6.2f} {g(x,'sd'):10.4g} "
              f"{g(y,'sd'):10.4g} {zs:6.2f} {ra:6.3f} {rb:6.3f} "
              f"{float(c.get('crb','nan')):10.4g} "
              f"{float(c.get('laplace_sd','nan')):10.4g}{'  FAIL' if bad else ''}")
    verdicts[short] = ok
print()
for run, wall in (("standard", t1 - t0), ("fisher", t2 - t1), ("laplace", t3 - t2)):
    n = info(run).get("numbers", info(run))
    grads = n.get("gradient_evaluations", float("nan")) + n.get("map_gradient_evaluations", 0)
    ess = n.get("min_ess_bulk", float("nan"))
    print(f"{run:>9}: CLI wall {wall:7.1f} s (sampler {n.get('wall_seconds', float('nan')):.1f} s, "
          f"MAP {n.get('map_seconds', 0):.1f} s), gradient evaluations {grads:.0f} "
          f"(MAP {n.get('map_gradient_evaluations', 0):.0f}), min bulk-ESS {ess:.0f}, "
          f"min ESS/s (CLI wall) {ess / wall:.2f}, divergences {n.get('divergences', 0):.0f}")
for short, ok in verdicts.items():
    print(f"fisher_check: standard vs {short}:", "PASS" if ok else "FAIL")
ok = all(verdicts.values())
print("fisher_check:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
