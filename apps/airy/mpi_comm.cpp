// SPDX-License-Identifier: BSD-3-Clause
#include "mpi_comm.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include "airy/core/error.hpp"
#include "commands.hpp"

namespace airy::cli {

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

MpiScope::MpiScope() {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw Error(fmt::format(
        "MPI: the library provides thread level {} < MPI_THREAD_SERIALIZED ({}), which parallel "
        "tempering's threads need",
        provided, static_cast<int>(MPI_THREAD_SERIALIZED)));
  }
}

MpiScope::~MpiScope() { MPI_Finalize(); }

int MpiReplicaComm::rank() const {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int MpiReplicaComm::size() const {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void MpiReplicaComm::all_gather(std::span<const double> mine, std::span<const int> counts,
                                std::span<double> all) {
  std::vector<int> displs(counts.size());
  int at = 0;
  for (std::size_t p = 0; p < counts.size(); ++p) {
    displs[p] = at;
    at += counts[p];
  }
  // MPI's default error handler (MPI_ERRORS_ARE_FATAL) ends the job on a transport failure;
  // a code is checked in case a handler that returns was installed.
  const int rc = MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(),
                                counts.data(), displs.data(), MPI_DOUBLE, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) throw Error(fmt::format("MPI_Allgatherv failed (code {})", rc));
}

void abort_all(const std::string& what, int code) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
  std::cerr << fmt::format("airy: error (rank {} of {}): {}\n", rank, size, what) << std::flush;
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return
}

int run_under_mpi(const std::function<int(infer::ReplicaComm&, int)>& body) {
  const MpiScope mpi;
  MpiReplicaComm comm;
  try {
    return body(comm, mpi.rank());
  } catch (const InvalidArgument& e) {
    if (mpi.size() > 1) abort_all(e.what(), kExitUsage);
    throw;
  } catch (const std::exception& e) {
    if (mpi.size() > 1) abort_all(e.what(), kExitFailure);
    throw;
  }
}

}  // namespace airy::cli
