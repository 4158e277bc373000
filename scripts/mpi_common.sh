# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the MPI checks (mpi_pt_check.sh, mpi_batch_signal_check.sh): a scratch folder
# $tmp removed on exit (with the background process $pid, if one is still running), fail()
# naming the check, and the mpirun command line on loopback only (`mpi` array).
# Usage: source scripts/mpi_common.sh <check name>
mpi_check_name=$1
tmp=$(mktemp -d "/tmp/airy-${mpi_check_name}.XXXXXX")
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "${mpi_check_name}: FAIL ($*)"; exit 1; }
mpi=(mpirun --oversubscribe --mca btl self,tcp --mca btl_tcp_if_include lo
     --mca oob_tcp_if_include lo)
[[ $(id -u) == 0 ]] && mpi+=(--allow-run-as-root)
