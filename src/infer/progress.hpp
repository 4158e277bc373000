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
  double leapfrogs = 0.0;  ///< mean leapfrogs per iteration over the last few iterations
  int divergences = 0;     ///< post-warmup divergences so far (warmup ones in warmup)
  std::chrono::steady_clock::time_point start;
};

/// Formats one chain's line, e.g.
/// "chain 1 sampling  1200/2000 [====>    ] eps 0.61 leapfrog 7.0 div 0  1534 it/s ETA 0:01".
std::string format_progress_line(int chain_id, const ChainProgress& p,
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
