#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# airy's parallel-tempering evidence against an independent sampler, dynesty (issue #13 §2):
# on the 6-parameter tutorial model (bench/compare/tutorial6.toml) and on a single point source
# with the same optics, each on data simulated from the binary and from the single star:
#   (a) `airy fit binary.toml --pt` on the binary's data: log Z +- se from run_info.toml;
#   (b) `airy compare binary.toml single.toml --data D` on both data sets: the log Bayes factor;
#   (c) dynesty (static nested sampling, dynesty_evidence.py) on the same four (model, data)
#       pairs, its likelihood evaluated by airy's C++ through the Python package;
#   (d) importance sampling from a Student-t proposal around dynesty's posterior
#       (importance_evidence.py), a third estimate where the posterior is unimodal;
# then the table out/table.md (table.py). Outputs go to bench/evidence/out/ (git-ignored).
#
# Usage: bench/evidence/run.sh [--npix 32] [--runs 4] [--pt-chains 10] [--pt-rounds 10]
#          [--max-depth 8] [--seed 1] [--threads 2] [--compare-runs 1] [--nlive 1000]
#          [--dynesty-seeds "1"] [--dynesty-jobs 1]
#          [--skip "fit compare dynesty"] [--skip-install]
#   --npix N          pupil samples (tutorial6.toml says 128; 32 keeps the runs short)
#   --runs R          independent PT runs of `airy fit --pt` (sampler.num_chains)
#   --compare-runs R  independent PT runs per model of `airy compare`
#   --pt-chains N, --pt-rounds N, --max-depth D: the PT ladder, rounds, NUTS tree depth cap
#   --nlive N         dynesty live points; --dynesty-seeds "1 2 3" runs dynesty once per seed;
#                     --dynesty-jobs J runs J of the (model, data, seed) runs at once
#   --skip PARTS      leave out some of fit, compare, dynesty (their old outputs are kept)
#   --skip-install    use the airy package already in the venv (no pip install of this tree)
#   AIRY=PATH         the airy binary (default build/apps/airy/airy, built when missing)
# Run it under `nice -n 10` on a shared machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
out="$here/out"
airy="${AIRY:-$root/build/apps/airy/airy}"

npix=32; runs=4; pt_chains=10; pt_rounds=10; max_depth=8; seed=1; threads=2
nlive=1000; dyn_seeds="1"; dyn_jobs=1; skip=""; skip_install=0; compare_runs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --npix) npix="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --compare-runs) compare_runs="$2"; shift ;;
    --pt-chains) pt_chains="$2"; shift ;;
    --pt-rounds) pt_rounds="$2"; shift ;;
    --max-depth) max_depth="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --nlive) nlive="$2"; shift ;;
    --dynesty-seeds) dyn_seeds="$2"; shift ;;
    --dynesty-jobs) dyn_jobs="$2"; shift ;;
    --skip) skip="$2"; shift ;;
    --skip-install) skip_install=1 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

skipped() { [[ " $skip " == *" $1 "* ]]; }

# ---------------------------------------------------------------- the airy CLI
if [ ! -x "$airy" ]; then
  echo "== building airy (Release, target airy_cli)"
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build" -j2 --target airy_cli
fi

# ---------------------------------------------------------------- Python: dynesty + airy
source "$root/bench/pinned_venv.sh"
pinned_venv "$venv" "$here/requirements.txt"
py="$venv/bin/python"
# (dynesty alone needs the package: `--skip dynesty` installs nothing)
if ! skipped dynesty && { [ "$skip_install" = 0 ] || ! "$py" -c "import airy" 2>/dev/null; }; then
  cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:FILEPATH=//p' "$root/build/CMakeCache.txt" 2>/dev/null || true)"
  echo "== installing the airy package from $root into $venv"
  (cd "$root" && CCACHE_BASEDIR="$root" CMAKE_BUILD_PARALLEL_LEVEL=2 "$venv/bin/pip" install -q \
     --no-build-isolation --no-deps ${cxx:+"-Ccmake.define.CMAKE_CXX_COMPILER=$cxx"} \
     $(command -v ccache >/dev/null && echo -Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache) \
     -Ccmake.define.AIRY_WARNINGS_AS_ERRORS=ON .)
fi

# ---------------------------------------------------------------- models and data
mkdir -p "$out"
"$py" "$here/make_configs.py" "$root/bench/compare/tutorial6.toml" "$out" --npix "$npix" \
  --runs "$runs" --pt-chains "$pt_chains" --pt-rounds "$pt_rounds" --max-depth "$max_depth" \
  --seed "$seed"
for m in binary single; do
  "$airy" simulate "$out/$m.toml" --out "$out/data_$m" --overwrite >/dev/null
done
settings="npix $npix; PT: $pt_chains chains x $pt_rounds rounds, max_depth $max_depth, seed $seed, $threads threads, $runs run(s) for airy fit, $compare_runs per model for airy compare; dynesty: nlive $nlive, seeds $dyn_seeds"
echo "$settings" >"$out/settings.txt"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" >>"$out/settings.txt"
echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+dirty')" >>"$out/settings.txt"
now() { date +%s.%N; }
stamp() { echo "$1: $(awk "BEGIN{printf \"%.1f\", $3 - $2}") s wall; load before: $4" >>"$out/times.txt"; }

# ---------------------------------------------------------------- (a) airy fit --pt
if ! skipped fit; then
  echo "== airy fit --pt (binary model, binary data); load: $(uptime)"
  l="$(uptime | sed 's/.*load average: //')"; t0="$(now)"
  "$airy" fit "$out/binary.toml" --pt --data "$out/data_binary/data.fits" --out "$out/pt_binary" \
    --threads "$threads" --quiet --no-plots --overwrite >"$out/pt_binary.log" 2>&1 ||
    { cat "$out/pt_binary.log" >&2; exit 1; }
  stamp "airy fit --pt binary/binary" "$t0" "$(now)" "$l"
  grep -E "^log_evidence" "$out/pt_binary/run_info.toml" || true
fi

# ---------------------------------------------------------------- (b) airy compare
if ! skipped compare; then
  for d in binary single; do
    echo "== airy compare binary single on $d data; load: $(uptime)"
    l="$(uptime | sed 's/.*load average: //')"; t0="$(now)"
    "$airy" compare "$out/binary.toml" "$out/single.toml" --data "$out/data_$d/data.fits" \
      --chains "$compare_runs" --threads "$threads" --quiet >"$out/compare_$d.txt" 2>&1 ||
      { cat "$out/compare_$d.txt" >&2; exit 1; }
    stamp "airy compare on $d data" "$t0" "$(now)" "$l"
    cat "$out/compare_$d.txt"
  done
fi

# ---------------------------------------------------------------- (c) dynesty
if ! skipped dynesty; then
  pids=()
  for s in $dyn_seeds; do
    for d in binary single; do
      for m in binary single; do
        echo "== dynesty: $m model, $d data, seed $s; load: $(uptime)"
        sim=(); [ "$m" = "$d" ] && sim=(--simulated)
        log="$out/dynesty_${m}_on_${d}_seed$s.log"
        "$py" "$here/dynesty_evidence.py" "$out/$m.toml" "$out/data_$d/data.fits" \
          "$out/dynesty_${m}_on_${d}_seed$s.json" --nlive "$nlive" --seed "$s" "${sim[@]}" \
          >"$log" 2>&1 &
        pids+=($!)
        if [ "${#pids[@]}" -ge "$dyn_jobs" ]; then
          wait "${pids[0]}" || { echo "run.sh: dynesty failed (see $out/dynesty_*.log)" >&2; exit 1; }
          pids=("${pids[@]:1}")
        fi
      done
    done
  done
  for p in "${pids[@]}"; do
    wait "$p" || { echo "run.sh: dynesty failed (see $out/dynesty_*.log)" >&2; exit 1; }
  done
  cat "$out"/dynesty_*.log
  # (d) a third estimate where the posterior is unimodal: importance sampling from Student-t
  # proposals around dynesty's posterior (importance_evidence.py)
  s1="${dyn_seeds%% *}"
  for d in binary single; do
    for m in binary single; do
      "$py" "$here/importance_evidence.py" "$out/$m.toml" "$out/data_$d/data.fits" \
        "$out/dynesty_${m}_on_${d}_seed$s1.json" "$out/is_${m}_on_${d}.json"
    done
  done
fi

"$py" "$here/table.py" "$out"
