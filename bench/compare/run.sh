#!/usr/bin/env bash
# airy vs dLux + NumPyro on the same data, priors and likelihood (issue #6 item 1).
# See bench/compare/README.md. Outputs go to bench/compare/out/ (git-ignored); the table is
# printed and written to bench/compare/out/table.md.
#
# Usage: bench/compare/run.sh [--quick] [--skip-airy-build] [--no-airy] [--vectorized]
#          [--chains N] [--warmup N] [--samples N] [--threads N] [--seed N]
#          [--models "tutorial6 flagship"] [--precisions "f32 f64"] [--numpyro-init random|map]
#   --quick            200 warmup + 200 draws per chain (smoke test)
#   --skip-airy-build  never build airy; fail if build/apps/airy/airy is missing
#   --no-airy          NumPyro side only, on a data set simulated with dLux (simulate_dlux.py)
#   --vectorized       also run NumPyro with chain_method="vectorized"
#   AIRY=PATH          use this airy binary instead of build/apps/airy/airy
#   --numpyro-init map NumPyro's chains start at airy's MAP (`airy optimize`, not timed on the
#                      NumPyro side) instead of the tutorial's uniform(-2, 2) inits
#   --threads N        cores for both sides (default min(chains, cores)); both sides are pinned
#                      to the same N cores with taskset when N < cores
#   --python           instead: the Python package's comparisons (issue #12 §5), in the venv
#                      .venv-python (requirements-python.txt + the airy package built from this
#                      tree): python_numpyro.py (NumPyro + airy.jax vs NumPyro + dLux in one
#                      process; --chains/--warmup/--samples/--seed, default 2 x (500 + 500))
#                      and python_vs_cli.py (airy.sample vs `airy fit`, default 4 x (1000 + 1000))
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-compare"
out="$here/out"
airy="${AIRY:-$root/build/apps/airy/airy}"   # AIRY=/path/to/airy overrides

quick=0; skip_build=0; no_airy=0; vectorized=0; python_mode=0; chains_given=""
chains=4; warmup=""; samples=""; threads=""; seed=1
models="tutorial6 flagship"; precisions="f32 f64"; numpyro_init=random
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --skip-airy-build) skip_build=1 ;;
    --no-airy) no_airy=1 ;;
    --vectorized) vectorized=1 ;;
    --chains) chains="$2"; chains_given="$2"; shift ;;
    --warmup) warmup="$2"; shift ;;
    --samples) samples="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    --models) models="$2"; shift ;;
    --precisions) precisions="$2"; shift ;;
    --numpyro-init) numpyro_init="$2"; shift ;;
    --python) python_mode=1 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case "$numpyro_init" in
  random) ;;
  map) [ "$no_airy" = 1 ] && { echo "run.sh: --numpyro-init map needs airy (not --no-airy)" >&2; exit 2; } ;;
  *) echo "run.sh: --numpyro-init must be random or map" >&2; exit 2 ;;
esac
if [ "$quick" = 1 ]; then warmup="${warmup:-200}"; samples="${samples:-200}"; fi
warmup_given="$warmup"; samples_given="$samples"  # --python has its own defaults
warmup="${warmup:-2000}"; samples="${samples:-2000}"
ncores="$(nproc)"
threads="${threads:-$(( chains < ncores ? chains : ncores ))}"
pin=()
if [ "$threads" -lt "$ncores" ] && command -v taskset >/dev/null; then
  pin=(taskset -c "0-$((threads - 1))")
fi

# ---------------------------------------------------------------- the Python package (--python)
if [ "$python_mode" = 1 ]; then
  source "$root/bench/pinned_venv.sh"
  pvenv="$here/.venv-python"
  pinned_venv "$pvenv" "$here/requirements-python.txt"
  cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:FILEPATH=//p' "$root/build/CMakeCache.txt" 2>/dev/null || true)"
  echo "== installing the airy package from $root into $pvenv"
  (cd "$root" && CCACHE_BASEDIR="$root" CMAKE_BUILD_PARALLEL_LEVEL="$ncores" "$pvenv/bin/pip" install -q \
     --no-build-isolation --no-deps ${cxx:+"-Ccmake.define.CMAKE_CXX_COMPILER=$cxx"} \
     $(command -v ccache >/dev/null && echo -Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache) .)
  [ -x "$airy" ] || { echo "run.sh --python: $airy is missing (cmake --build build --target airy_cli)" >&2; exit 1; }
  mkdir -p "$out/python"
  "$airy" simulate "$here/tutorial6.toml" --out "$out/python/data" --overwrite >/dev/null
  echo "== NumPyro + airy.jax vs NumPyro + dLux (one process), load: $(uptime)"
  JAX_PLATFORMS=cpu "$pvenv/bin/python" "$here/python_numpyro.py" "$here/tutorial6.toml" "$out/python/numpyro" \
    --data "$out/python/data/data.fits" --chains "${chains_given:-2}" --warmup "${warmup_given:-500}" \
    --samples "${samples_given:-500}" --seed "$seed"
  echo "== airy.sample vs airy fit, load: $(uptime)"
  "$pvenv/bin/python" "$here/python_vs_cli.py" "$here/tutorial6.toml" "$out/python/data/data.fits" \
    "$out/python/overhead" --airy "$airy" --chains "$chains" --warmup "${warmup_given:-1000}" \
    --samples "${samples_given:-1000}" --seed "$seed" --threads "$threads"
  exit 0
fi

# ---------------------------------------------------------------- (a) Python venv (PyPI only)
source "$root/bench/pinned_venv.sh"
pinned_venv "$venv" "$here/requirements.txt"
py="$venv/bin/python"
export JAX_PLATFORMS=cpu PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"

# ---------------------------------------------------------------- airy CLI
if [ "$no_airy" = 0 ] && [ ! -x "$airy" ]; then
  if [ "$skip_build" = 1 ]; then
    echo "run.sh: $airy is missing and --skip-airy-build was given" >&2; exit 1
  fi
  echo "== building airy (Release, target airy_cli)"
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build" -j"$ncores" --target airy_cli
fi
if [ "$no_airy" = 0 ]; then
  for sub in simulate fit; do
    if ! "$airy" --help 2>&1 | grep -q "$sub"; then
      echo "run.sh: '$airy --help' lists no '$sub' command (use --no-airy for the NumPyro side alone)" >&2
      exit 1
    fi
  done
fi
fit_extra=()
if [ "$no_airy" = 0 ] && "$airy" fit --help 2>&1 | grep -q -- "--no-plots"; then fit_extra=(--no-plots); fi

now() { date +%s.%N; }
# results of earlier invocations must not leak into this table
rm -rf "$out/tutorial6" "$out/flagship" "$out/table.md"
mkdir -p "$out"
echo "== $chains chains x ($warmup warmup + $samples draws), $threads thread(s) of $ncores cores${pin:+, pinned: ${pin[*]}}"
for model in $models; do
  case "$model" in
    tutorial6) cfg="$here/tutorial6.toml" ;;
    flagship) cfg="$root/examples/binary_star.toml" ;;
    *) echo "run.sh: unknown model $model" >&2; exit 2 ;;
  esac
  mdir="$out/$model"
  rm -rf "$mdir"; mkdir -p "$mdir"
  # ------------------------------------------------------------ (b) one data set for both sides
  if [ "$no_airy" = 0 ]; then
    "$airy" simulate "$cfg" --out "$mdir/data" >"$mdir/simulate.log" 2>&1 ||
      { cat "$mdir/simulate.log" >&2; exit 1; }
    "$py" "$here/check_forward.py" "$cfg" "$mdir/data"
  else
    "$py" "$here/simulate_dlux.py" "$cfg" "$mdir/data"
  fi
  # ------------------------------------------------------------ (c) airy
  if [ "$no_airy" = 0 ]; then
    echo "== $model: airy fit"
    t0="$(now)"
    "${pin[@]}" "$airy" fit "$cfg" --data "$mdir/data/data.fits" --out "$mdir/airy" \
      --chains "$chains" --warmup "$warmup" --samples "$samples" --seed "$seed" \
      --threads "$threads" --quiet "${fit_extra[@]}" >"$mdir/airy.log" 2>&1 || { cat "$mdir/airy.log" >&2; exit 1; }
    t1="$(now)"
    "$py" "$here/airy_side.py" "$mdir/airy" "$(awk "BEGIN{print $t1 - $t0}")" "$warmup"
  fi
  # ------------------------------------------------------------ (c) NumPyro, f32 and f64
  np_init=()
  if [ "$numpyro_init" = map ]; then
    "$airy" optimize "$cfg" --data "$mdir/data/data.fits" --out "$mdir/map" --seed "$seed" \
      >"$mdir/map.log" 2>&1 || { cat "$mdir/map.log" >&2; exit 1; }
    np_init=(--init-values "$mdir/map/optimize.csv")
  fi
  tag=""; [ "$numpyro_init" = map ] && tag="_mapinit"
  methods="parallel"; [ "$vectorized" = 1 ] && methods="parallel vectorized"
  for prec in $precisions; do
    for method in $methods; do
      echo "== $model: NumPyro $prec $method"
      "${pin[@]}" "$py" "$here/numpyro_side.py" "$cfg" "$mdir/data/data.fits" \
        "$mdir/numpyro_${prec}_${method}${tag}" --precision "$prec" --chain-method "$method" \
        --chains "$chains" --warmup "$warmup" --samples "$samples" --seed "$seed" \
        --devices "$(( chains > threads ? chains : threads ))" "${np_init[@]}" \
        2>"$mdir/numpyro_${prec}_${method}${tag}.log" ||
        { cat "$mdir/numpyro_${prec}_${method}${tag}.log" >&2; exit 1; }
    done
  done
done

# ---------------------------------------------------------------- (d) the table
data_note="Data: simulated by \`airy simulate\` (the same FITS pixels go to both sides)."
[ "$no_airy" = 1 ] && data_note="Data: simulated with dLux (bench/compare/simulate_dlux.py); airy not run."
"$py" "$here/table.py" "$out" "" \
  "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')); $chains chains x ($warmup warmup + $samples draws); $threads thread(s)${pin:+ (both sides pinned with ${pin[*]})}; NumPyro inits: $numpyro_init; $(date -u +%Y-%m-%d)." \
  "$data_note"
