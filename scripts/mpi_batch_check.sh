#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `airy batch` over MPI ranks (optional OpenMPI build, -DAIRY_WITH_MPI=ON; docs/cli.md): builds
# the CLI with MPI into BUILD (default build-mpi), simulates one data set, runs a manifest of 3
# short fits with `mpirun --oversubscribe -np 2` on localhost (loopback only), and checks that
# every target is complete with one table written by rank 0, that a rerun resumes all three,
# and that the same manifest gives the same table with -np 1 on a fresh output folder (the
# draws of a target depend on its config and seed only, not on the rank that ran it).
# Then its siblings with the same binary: scripts/mpi_pt_check.sh (`mpirun -np 1/2/4 airy fit
# --pt` bit-identical, and equal to build/'s binary without MPI when there is one) and
# scripts/mpi_batch_signal_check.sh (a batch stopped by SIGTERM or by a killed rank resumes).
# Skips (exit 0) when mpicxx/mpirun are not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-mpi}
if ! command -v mpicxx >/dev/null || ! command -v mpirun >/dev/null; then
  echo "mpi_batch_check: no OpenMPI (apt-get install libopenmpi-dev openmpi-bin): skipped"
  exit 0
fi
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
# The Release build's flags (-Werror included) and, through ccache, its objects: only the CLI's
# MPI translation units compile anew (the libraries do not depend on MPI).
mpi_args=(-DCMAKE_BUILD_TYPE=Release -DAIRY_WARNINGS_AS_ERRORS=ON -DAIRY_WITH_MPI=ON
          -DAIRY_BUILD_TESTS=OFF -DAIRY_BUILD_BENCHMARKS=OFF -DAIRY_BUILD_EXAMPLES=OFF)
if [[ -f build/CMakeCache.txt ]]; then
  mpi_args+=("-DCMAKE_CXX_COMPILER=$(sed -n 's/^CMAKE_CXX_COMPILER:FILEPATH=//p' build/CMakeCache.txt)")
fi
if command -v ccache >/dev/null; then mpi_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$BUILD" "${mpi_args[@]}" >/dev/null
cmake --build "$BUILD" -j2 --target airy_cli >/dev/null
AIRY="$BUILD/apps/airy/airy"
tmp=$(mktemp -d /tmp/airy-mpi-batch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The flagship on a 32 px pupil with very short chains (seconds per fit).
sed -e 's/^npix = 128 .*/npix = 32/' -e 's/^num_warmup = .*/num_warmup = 40/' \
  -e 's/^num_samples = .*/num_samples = 30/' -e 's/^num_chains = .*/num_chains = 2/' \
  -e 's/^map_starts = .*/map_starts = 2/' examples/binary_star.toml >"$tmp/fit.toml"
printf '\n' >>"$tmp/fit.toml"
"$AIRY" simulate "$tmp/fit.toml" --out "$tmp/sim" >/dev/null
for out in mpi2 mpi1; do
  {
    printf '[batch]\nout = "%s"\n' "$out"
    seed=1
    for t in a b c; do
      printf '[[fits]]\ntarget = "%s"\nconfig = "fit.toml"\ndata = "sim/data.fits"\n' "$t"
      printf 'overrides = {threads = 1, seed = %d}\n' "$seed"
      seed=$((seed + 1))
    done
  } >"$tmp/$out.toml"
done
mpi=(mpirun --oversubscribe --mca btl self,tcp --mca btl_tcp_if_include lo
     --mca oob_tcp_if_include lo)
[[ $(id -u) == 0 ]] && mpi+=(--allow-run-as-root)

"${mpi[@]}" -np 2 "$AIRY" batch "$tmp/mpi2.toml" --quiet >"$tmp/np2.txt"
[[ $(grep -c "^[abc]  *complete " "$tmp/np2.txt") == 3 ]] ||
  { cat "$tmp/np2.txt"; echo "mpi_batch_check: FAIL (np 2: 3 complete)"; exit 1; }
before=$(stat -c %.9Y "$tmp"/mpi2/{a,b,c}/run_info.toml "$tmp"/mpi2/{a,b,c}/chain_1.csv)
"${mpi[@]}" -np 2 "$AIRY" batch "$tmp/mpi2.toml" --quiet >"$tmp/rerun.txt"
[[ $(stat -c %.9Y "$tmp"/mpi2/{a,b,c}/run_info.toml "$tmp"/mpi2/{a,b,c}/chain_1.csv) == "$before" ]] ||
  { echo "mpi_batch_check: FAIL (the rerun redid a finished target)"; exit 1; }
[[ $(grep -c "^[abc]  *complete " "$tmp/rerun.txt") == 3 ]] ||
  { cat "$tmp/rerun.txt"; echo "mpi_batch_check: FAIL (rerun)"; exit 1; }
"${mpi[@]}" -np 1 "$AIRY" batch "$tmp/mpi1.toml" --quiet >/dev/null
# Same rows (seconds and run_dir columns aside) with 1 and 2 ranks.
cut -d, -f1-6,9- "$tmp/mpi2/batch_summary.csv" >"$tmp/np2.csv"
cut -d, -f1-6,9- "$tmp/mpi1/batch_summary.csv" >"$tmp/np1.csv"
diff "$tmp/np1.csv" "$tmp/np2.csv" || { echo "mpi_batch_check: FAIL (np 1 vs 2 differ)"; exit 1; }
echo "mpi_batch_check: OK (3 fits over 2 ranks complete, resumed, identical to 1 rank)"
plain=()
[[ -x build/apps/airy/airy ]] && plain=(build/apps/airy/airy)
bash scripts/mpi_pt_check.sh "$AIRY" "${plain[@]}"
bash scripts/mpi_batch_signal_check.sh "$AIRY"
