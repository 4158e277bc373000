// SPDX-License-Identifier: BSD-3-Clause
#include "tempering_exchange.hpp"

#include <algorithm>

#include "airy/infer/replica_comm.hpp"

namespace airy::infer {

void LocalReplicaComm::all_gather(std::span<const double> mine, std::span<const int>,
                                  std::span<double> all) {
  std::copy(mine.begin(), mine.end(), all.begin());
}

}  // namespace airy::infer

namespace airy::infer::detail {

std::vector<std::pair<int, int>> replica_blocks(int num_replicas, int processes) {
  std::vector<std::pair<int, int>> blocks;
  const int base = num_replicas / processes;
  const int extra = num_replicas % processes;
  int first = 0;
  for (int p = 0; p < processes; ++p) {
    const int size = base + (p < extra ? 1 : 0);
    blocks.emplace_back(first, first + size);
    first += size;
  }
  return blocks;
}

void pack(const ScanRecord& r, std::vector<double>& out) {
  out.insert(out.end(),
             {r.ell, r.log_target, r.info.accept_stat, static_cast<double>(r.info.treedepth),
              static_cast<double>(r.info.n_leapfrog), r.info.divergent ? 1.0 : 0.0, r.info.energy,
              r.info.stepsize, r.swap_uniform});
}

ScanRecord unpack_scan_record(std::span<const double> in) {
  ScanRecord r;
  r.ell = in[0];
  r.log_target = in[1];
  r.info.accept_stat = in[2];
  r.info.treedepth = static_cast<int>(in[3]);
  r.info.n_leapfrog = static_cast<int>(in[4]);
  r.info.divergent = in[5] != 0.0;
  r.info.energy = in[6];
  r.info.stepsize = in[7];
  r.swap_uniform = in[8];
  return r;
}

int moments_size(int num_chains, int dim) { return num_chains * (1 + 2 * dim); }

void pack(const std::vector<Moments>& m, std::vector<double>& out) {
  for (const Moments& x : m) {
    out.push_back(static_cast<double>(x.n));
    out.insert(out.end(), x.mean.data(), x.mean.data() + x.mean.size());
    out.insert(out.end(), x.m2.data(), x.m2.data() + x.m2.size());
  }
}

std::vector<Moments> unpack_moments(std::span<const double> in, int num_chains, int dim) {
  std::vector<Moments> m(static_cast<std::size_t>(num_chains));
  std::size_t at = 0;
  for (Moments& x : m) {
    x.reset(dim);
    x.n = static_cast<std::int64_t>(in[at++]);
    for (int i = 0; i < dim; ++i) x.mean[i] = in[at++];
    for (int i = 0; i < dim; ++i) x.m2[i] = in[at++];
  }
  return m;
}

}  // namespace airy::infer::detail
