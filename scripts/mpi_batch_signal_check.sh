#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `airy batch` under mpirun when it is stopped (docs/cli.md, "airy batch"): 4 fits over 2 ranks
# (rank 0 runs targets a and c, rank 1 runs b and d, which are longer).
#  1. SIGTERM to mpirun once target a is complete: the batch exits non-zero, a stays complete,
#     and a rerun finishes the others without redoing a (b and d shortened for the rerun).
#  2. Rank 1 killed (SIGKILL) while it runs b: mpirun ends the job and names the rank, a's
#     results are kept, `airy batch --collect` reports b as "died", and a rerun finishes the
#     batch without redoing a.
# Usage: scripts/mpi_batch_signal_check.sh AIRY_WITH_MPI; run by mpi_batch_check.sh, which
# builds it. Needs mpirun (OpenMPI).
set -euo pipefail
cd "$(dirname "$0")/.."
AIRY=$(realpath "$1")
source scripts/mpi_common.sh mpi_batch_signal_check

sed -e 's/^npix = 128 .*/npix = 32/' -e 's/^num_warmup = .*/num_warmup = 40/' \
  -e 's/^num_samples = .*/num_samples = 30/' -e 's/^num_chains = .*/num_chains = 2/' \
  -e 's/^map_starts = .*/map_starts = 2/' examples/binary_star.toml >"$tmp/fit.toml"
"$AIRY" simulate "$tmp/fit.toml" --out "$tmp/sim" >/dev/null
# manifest OUT LONG: targets b and d draw LONG samples (long enough to be running when a is
# done); the reruns give them 30 (their entries changed, so they are redone either way, while
# a's entry, hence its config hash, stays the same and a must be kept).
manifest() {
  printf '[batch]\nout = "%s"\n' "$1"
  for t in a b c d; do
    samples=30
    [[ $t == b || $t == d ]] && samples=$2
    printf '[[fits]]\ntarget = "%s"\nconfig = "fit.toml"\ndata = "sim/data.fits"\n' "$t"
    printf 'overrides = {threads = 1, seed = 1, samples = %d}\n' "$samples"
  done
}
for out in term die; do manifest "$out" "${LONG_SAMPLES:-3000}" >"$tmp/$out.toml"; done

status() { sed -n 's/^status = "\(.*\)"/\1/p' "$1/run_info.toml" 2>/dev/null || true; }
# Waits (up to 300 s) until target a is complete and target b has started.
wait_a_done_b_running() {
  local dir=$1
  for _ in $(seq 600); do
    if [[ $(status "$dir/a") == complete && $(status "$dir/b") == running ]]; then return 0; fi
    kill -0 "$pid" 2>/dev/null || fail "the batch ended before the signal"
    sleep 0.5
  done
  fail "timed out waiting for a to finish while b runs"
}
mtimes() { stat -c %.9Y "$1"/a/run_info.toml "$1"/a/chain_1.csv "$1"/a/summary.txt; }
rerun_completes() {
  local manifest=$1 dir=$2 before=$3
  manifest "$(basename "$dir")" 30 >"$manifest"
  "${mpi[@]}" -np 2 "$AIRY" batch "$manifest" --quiet >"$tmp/rerun.txt" ||
    { cat "$tmp/rerun.txt"; fail "the rerun of $manifest failed"; }
  [[ $(grep -c "^[abcd]  *complete " "$tmp/rerun.txt") == 4 ]] ||
    { cat "$tmp/rerun.txt"; fail "$manifest: the rerun did not complete all 4 targets"; }
  [[ $(mtimes "$dir") == "$before" ]] || fail "$manifest: the rerun redid the finished target a"
}

# 1. SIGTERM to mpirun (it passes it on to every rank).
"${mpi[@]}" -np 2 "$AIRY" batch "$tmp/term.toml" --quiet >"$tmp/term.txt" 2>&1 &
pid=$!
wait_a_done_b_running "$tmp/term"
before=$(mtimes "$tmp/term")
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
pid=
[[ $code != 0 ]] || fail "SIGTERM: the batch exited 0"
[[ $(status "$tmp/term/a") == complete ]] || fail "SIGTERM: a is no longer complete"
[[ $(status "$tmp/term/b") != complete ]] || fail "SIGTERM: b completed, the signal came too late"
rerun_completes "$tmp/term.toml" "$tmp/term" "$before"

# 2. Rank 1 dies (SIGKILL) while it runs b.
"${mpi[@]}" -np 2 "$AIRY" batch "$tmp/die.toml" --quiet >"$tmp/die.txt" 2>&1 &
pid=$!
wait_a_done_b_running "$tmp/die"
rank1=
for child in $(pgrep -P "$pid"); do
  if tr '\0' '\n' <"/proc/$child/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
    rank1=$child
  fi
done
[[ -n $rank1 ]] || fail "rank 1's process was not found among mpirun's children"
before=$(mtimes "$tmp/die")
kill -KILL "$rank1"
set +e
timeout 120 tail --pid="$pid" -f /dev/null
wait "$pid"
code=$?
set -e
pid=
[[ $code != 0 ]] || fail "rank 1 killed: the batch exited 0"
grep -qi 'rank 1' "$tmp/die.txt" || { cat "$tmp/die.txt"; fail "mpirun did not name rank 1"; }
"$AIRY" batch "$tmp/die.toml" --collect >"$tmp/collect.txt" || true
grep -q '^a  *complete ' "$tmp/collect.txt" || { cat "$tmp/collect.txt"; fail "--collect: a"; }
grep -q '^b  *died ' "$tmp/collect.txt" || { cat "$tmp/collect.txt"; fail "--collect: b died"; }
rerun_completes "$tmp/die.toml" "$tmp/die" "$before"
echo "mpi_batch_signal_check: OK (SIGTERM and a killed rank: finished targets kept, reruns resume)"
