#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `mpirun -np K airy fit CONFIG --pt` (docs/inference.md §6.6): the PT replicas spread over K
# ranks give bit-identical output for K = 1, 2, 4 (the beta = 1 chain CSVs, the swap
# statistics, barrier, round trips and evidence in run_info.toml), rank 0 alone prints and
# writes, an error on one rank ends every rank with its message, and a SIGTERM to mpirun
# leaves an interrupted run written by rank 0. With a second binary (a
# build without MPI) the single-process `airy fit --pt` must give the same draws too.
# Usage: scripts/mpi_pt_check.sh AIRY_WITH_MPI [AIRY_WITHOUT_MPI]; run by mpi_batch_check.sh,
# which builds the first. Needs mpirun (OpenMPI).
set -euo pipefail
cd "$(dirname "$0")/.."
AIRY=$(realpath "$1")
PLAIN=${2:+$(realpath "$2")}
source scripts/mpi_common.sh mpi_pt_check

# The flagship on a 32 px pupil; PT with 2 runs of 5 chains and 4 rounds (16 draws per run).
sed -e 's/^npix = 128 .*/npix = 32/' examples/binary_star.toml >"$tmp/sim.toml"
awk '/^\[sampler\]/ { skip = 1; print "[sampler]\nmethod = \"pt\"\nnum_chains = 2\nseed = 5\npt_chains = 5\npt_rounds = 4\nmax_depth = 6\n"; next }
     /^\[/ { skip = 0 } !skip' "$tmp/sim.toml" >"$tmp/pt.toml"
"$AIRY" simulate "$tmp/sim.toml" --out "$tmp/sim" >/dev/null
data="$tmp/sim/data.fits"

# What must not depend on K: the draws (CSV rows; the comment lines hold timings) and every
# PT figure of run_info.toml but the times.
fingerprint() {
  local dir=$1
  for f in "$dir"/chain_1.csv "$dir"/chain_2.csv; do grep -v '^#' "$f"; done
  grep -E '^(log_evidence|pt\.|num_chains|gradient_evaluations)' "$dir/run_info.toml" | grep -v seconds
}
for np in 1 2 4; do
  mkdir "$tmp/ranks$np"  # each rank's working directory: rank 0 writes only into --out
  (cd "$tmp/ranks$np" && "${mpi[@]}" -np "$np" "$AIRY" fit "$tmp/pt.toml" --pt --data "$data" \
      --out "$tmp/np$np" --no-plots --quiet >"$tmp/np$np.txt" 2>"$tmp/np$np.err") ||
    { cat "$tmp/np$np.err"; fail "mpirun -np $np exited $?"; }
  [[ $(grep -c '^Parallel tempering' "$tmp/np$np.txt") == 1 ]] ||
    { cat "$tmp/np$np.txt"; fail "np $np: the PT report is not printed exactly once"; }
  [[ -z $(ls -A "$tmp/ranks$np") ]] || fail "np $np: a rank wrote into its working directory"
  grep -q '^status = "complete"' "$tmp/np$np/run_info.toml" || fail "np $np: run not complete"
  fingerprint "$tmp/np$np" >"$tmp/np$np.fp"
done
[[ $(grep -c '^pt\.run_' "$tmp/np1.fp") -ge 10 ]] || fail "run_info.toml lacks the pt.run_* keys"
for np in 2 4; do
  diff -q "$tmp/np1.fp" "$tmp/np$np.fp" >/dev/null || { diff "$tmp/np1.fp" "$tmp/np$np.fp" | head;
    fail "np 1 and np $np differ"; }
done
if [[ -n "$PLAIN" ]]; then
  "$PLAIN" fit "$tmp/pt.toml" --pt --data "$data" --out "$tmp/plain" --no-plots --quiet >/dev/null
  fingerprint "$tmp/plain" >"$tmp/plain.fp"
  diff -q "$tmp/np1.fp" "$tmp/plain.fp" >/dev/null || fail "the build without MPI differs from np 1"
fi

# An error on rank 0 only (its output folder is not empty; the other ranks are waiting in the
# first exchange) ends all ranks, names the cause, exits non-zero.
set +e
timeout 120 "${mpi[@]}" -np 2 "$AIRY" fit "$tmp/pt.toml" --pt --data "$data" --out "$tmp/np2" \
  --no-plots --quiet >"$tmp/err.txt" 2>&1
code=$?
set -e
[[ $code != 0 && $code != 124 ]] || { cat "$tmp/err.txt"; fail "an error on rank 0: exit $code"; }
grep -q 'airy: error (rank 0 of 2):.*already holds' "$tmp/err.txt" ||
  { cat "$tmp/err.txt"; fail "the error message of rank 0"; }
# A NUTS fit cannot spread over ranks: a usage error, not two fits into one folder.
set +e
timeout 120 "${mpi[@]}" -np 2 "$AIRY" fit "$tmp/sim.toml" --data "$data" --out "$tmp/nuts" \
  --quiet >"$tmp/nuts.txt" 2>&1
code=$?
set -e
[[ $code != 0 && $code != 124 ]] || { cat "$tmp/nuts.txt"; fail "NUTS over 2 ranks: exit $code"; }
grep -q 'needs parallel tempering' "$tmp/nuts.txt" || { cat "$tmp/nuts.txt"; fail "NUTS message"; }
# SIGTERM to mpirun reaches every rank: they stop after the same scan, rank 0 writes an
# interrupted run (pt_rounds = 9, stopped 3 s into sampling) and the job exits non-zero.
sed 's/^pt_rounds = 4/pt_rounds = 9/' "$tmp/pt.toml" >"$tmp/pt9.toml"
"${mpi[@]}" -np 2 "$AIRY" fit "$tmp/pt9.toml" --pt --data "$data" --out "$tmp/term" --no-plots \
  --quiet >"$tmp/term.txt" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -q '^phase = "sampling"' "$tmp/term/run_info.toml" 2>/dev/null && break
  sleep 0.5
done
sleep 3
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
pid=
[[ $code != 0 ]] || fail "SIGTERM: mpirun exited 0"
grep -q '^status = "interrupted"' "$tmp/term/run_info.toml" ||
  { cat "$tmp/term.txt"; fail "SIGTERM: run_info.toml does not say interrupted"; }
grep -q 'INCOMPLETE RUN (interrupted: SIGTERM' "$tmp/term/summary.txt" || fail "SIGTERM: summary"
echo "mpi_pt_check: OK (np 1, 2, 4 bit-identical${PLAIN:+ and equal to the build without MPI}; errors end all ranks; SIGTERM stops all)"
