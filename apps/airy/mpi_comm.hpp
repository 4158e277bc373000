// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief OpenMPI for the CLI (built with -DAIRY_WITH_MPI=ON only): the process's MPI
/// lifetime, parallel tempering's replica communicator over MPI_COMM_WORLD, and ending every
/// rank when one fails. The library never sees MPI (infer/replica_comm.hpp).
#pragma once

#include <functional>
#include <span>
#include <string>

#include "airy/infer/replica_comm.hpp"

namespace airy::cli {

/// True when this process was started by an MPI launcher (mpirun/mpiexec or srun set
/// OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE): `airy fit` then joins MPI_COMM_WORLD; run
/// alone it does not touch MPI at all.
[[nodiscard]] bool launched_by_mpi();

/// MPI_Init_thread for the scope's lifetime, MPI_Finalize at its end. Asks for
/// MPI_THREAD_SERIALIZED: PT's exchanges run on whichever of the process's threads finishes
/// a scan last, one at a time. @throws airy::Error when the library offers less.
class MpiScope {
 public:
  MpiScope();
  ~MpiScope();
  MpiScope(const MpiScope&) = delete;
  MpiScope& operator=(const MpiScope&) = delete;
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }

 private:
  int rank_ = 0;
  int size_ = 1;
};

/// infer::ReplicaComm over MPI_COMM_WORLD: all_gather is MPI_Allgatherv of MPI_DOUBLE
/// (the bits are copied, never converted).
class MpiReplicaComm final : public infer::ReplicaComm {
 public:
  [[nodiscard]] int rank() const override;
  [[nodiscard]] int size() const override;
  void all_gather(std::span<const double> mine, std::span<const int> counts,
                  std::span<double> all) override;
};

/// Prints "airy: error (rank R of K): <what>" on stderr and ends every rank of the job
/// (MPI_Abort with `code`, which mpirun returns). A rank other than 0 waits 2 s first: when
/// every rank fails alike (a bad config), rank 0's message is then the one printed.
[[noreturn]] void abort_all(const std::string& what, int code);

/// Runs body(comm, rank) inside an MpiScope. With more than one rank an exception from body
/// goes to abort_all (exit code kExitUsage for airy::InvalidArgument, else kExitFailure);
/// with one rank it is rethrown after MPI_Finalize, as without MPI.
int run_under_mpi(const std::function<int(infer::ReplicaComm& comm, int rank)>& body);

}  // namespace airy::cli
