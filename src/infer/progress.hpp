// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Per-chain progress display (private): one line per chain redrawn in place on a TTY,
/// a plain status line every few seconds otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace airy::infer::detail {

/// What a chain reports after each iteration.
struct ChainProgress {
  bool started = false;
  bool warmup = true;
  bool done = false;
  int iteration = 0;  ///< iterations finished (warmup + sampling)
  int total = 0;      ///< warmup + sampling iterations
  double stepsize = 0.0;
  /// Running means over about the last 10 iterations (exponential weight 0.1): leapfrogs per
  /// iteration, acceptance statistic, tree depth.
  double leapfrogs = 0.0;
  double accept = 0.0;
  double treedepth = 0.0;
  int divergences = 0;         ///< post-warmup divergences so far
  int warmup_divergences = 0;  ///< divergences during warmup (adaptation explores)
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point end;  ///< when done: elapsed time and rate stop here
};

/// Formats one chain's line, e.g.
/// "chain 1 sampling  1200/2000 [====>    ] eps 0.61 acc 0.83 depth 3.0 leapfrog 7.0 div 0
///  1534 it/s ETA 0:01". A finished chain keeps its final elapsed time and rate.
std::string format_progress_line(int chain_id, const ChainProgress& p,
                                 std::chrono::steady_clock::time_point now);

/// The overall ETA of every chain's remaining iterations, chains waiting for a core included:
/// remaining iterations / the summed rate of the running chains (each chain's iterations /
/// its elapsed time). NaN before any chain has a rate. Every chain runs the same number of
/// iterations, so the longest reported total stands for chains that have not started.
double overall_eta_seconds(const std::vector<ChainProgress>& chains,
                           std::chrono::steady_clock::time_point now);

/// The plain (non-terminal) status line of all chains: iterations, percentage, post-warmup
/// divergences (never warmup ones, so the total only grows), overall ETA, per chain phase.
/// Empty before any chain reported its length.
std::string format_plain_status(const std::vector<ChainProgress>& chains, bool final,
                                std::chrono::steady_clock::time_point now);

class ProgressReporter {
 public:
  /// Starts the display thread unless quiet. `out` defaults to stderr.
  ProgressReporter(int num_chains, bool quiet, double refresh_seconds, double plain_refresh_seconds,
                   std::FILE* out = stderr);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// Records chain `index` (0-based)'s state; cheap, thread-safe.
  void update(int index, const ChainProgress& p);

 private:
  void loop();
  void draw(bool final);

  std::vector<ChainProgress> chains_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool quiet_;
  bool tty_;
  bool drawn_ = false;
  double refresh_;
  double plain_refresh_;
  std::FILE* out_;
  std::thread thread_;
};

}  // namespace airy::infer::detail
