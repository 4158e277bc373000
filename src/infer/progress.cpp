// SPDX-License-Identifier: BSD-3-Clause
#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace airy::infer::detail {

namespace {
std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}
}  // namespace

std::string format_progress_line(int chain_id, const ChainProgress& p,
                                 std::chrono::steady_clock::time_point now) {
  if (!p.started) return fmt::format("chain {} waiting", chain_id);
  const double elapsed = std::chrono::duration<double>(now - p.start).count();
  const double rate = elapsed > 0 ? p.iteration / elapsed : 0.0;
  const double eta = rate > 0 ? (p.total - p.iteration) / rate : NAN;
  constexpr int kWidth = 20;
  const int filled = p.total > 0 ? kWidth * p.iteration / p.total : kWidth;
  std::string bar(static_cast<std::size_t>(filled), '=');
  bar.resize(kWidth, ' ');
  const char* phase = p.done ? "done    " : (p.warmup ? "warmup  " : "sampling");
  return fmt::format(
      "chain {} {} {:>{}}/{} [{}] eps {:.3g} leapfrog {:.1f} div {} {:.0f} it/s {} {}", chain_id,
      phase, p.iteration, fmt::formatted_size("{}", p.total), p.total, bar, p.stepsize, p.leapfrogs,
      p.divergences, rate, p.done ? "elapsed" : "ETA", format_duration(p.done ? elapsed : eta));
}

ProgressReporter::ProgressReporter(int num_chains, bool quiet, double refresh_seconds,
                                   double plain_refresh_seconds, std::FILE* out)
    : chains_(static_cast<std::size_t>(num_chains)),
      quiet_(quiet),
      tty_(isatty(fileno(out)) != 0),
      refresh_(refresh_seconds),
      plain_refresh_(plain_refresh_seconds),
      out_(out) {
  if (!quiet_) thread_ = std::thread([this] { loop(); });
}

ProgressReporter::~ProgressReporter() {
  if (quiet_) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ProgressReporter::update(int index, const ChainProgress& p) {
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  chains_[static_cast<std::size_t>(index)] = p;
}

void ProgressReporter::loop() {
  const double period = tty_ ? refresh_ : plain_refresh_;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (cv_.wait_for(lock, std::chrono::duration<double>(period), [this] { return stop_; })) {
      break;
    }
    draw(false);
  }
  draw(true);
}

void ProgressReporter::draw(bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    std::string s;
    if (drawn_) s += fmt::format("\x1b[{}A", chains_.size());
    for (std::size_t i = 0; i < chains_.size(); ++i) {
      s += "\r\x1b[2K" + format_progress_line(static_cast<int>(i) + 1, chains_[i], now) + "\n";
    }
    std::fputs(s.c_str(), out_);
    std::fflush(out_);
    drawn_ = true;
    return;
  }
  // Plain status: one line for all chains.
  // Chains waiting for a thread have not reported their length yet: every chain runs the
  // same number of iterations, so the longest reported one stands for all.
  int done_it = 0;
  int per_chain = 0;
  int div = 0;
  for (const auto& c : chains_) {
    done_it += c.iteration;
    per_chain = std::max(per_chain, c.total);
    div += c.divergences;
  }
  const int total = per_chain * static_cast<int>(chains_.size());
  if (total == 0) return;
  std::string s = fmt::format("sampling: {}/{} iterations ({:.0f}%), {} divergences{}", done_it,
                              total, 100.0 * done_it / total, div, final ? ", finished" : "");
  for (std::size_t i = 0; i < chains_.size(); ++i) {
    const auto& c = chains_[i];
    if (c.total == 0) {
      s += fmt::format(" | chain {} waiting", i + 1);
      continue;
    }
    s += fmt::format(" | chain {} {} {}/{} eps {:.3g}", i + 1, c.warmup ? "warmup" : "sampling",
                     c.iteration, c.total, c.stepsize);
  }
  std::fputs((s + "\n").c_str(), out_);
  std::fflush(out_);
}

}  // namespace airy::infer::detail
