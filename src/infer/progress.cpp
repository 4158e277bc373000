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
/// The last line of the terminal display: all chains' iterations and the overall ETA.
std::string format_overall_line(const std::vector<ChainProgress>& chains, bool final,
                                std::chrono::steady_clock::time_point now) {
  int done_it = 0, per_chain = 0, waiting = 0;
  for (const auto& c : chains) {
    done_it += c.iteration;
    per_chain = std::max(per_chain, c.total);
    if (!c.started) ++waiting;
  }
  const int total = per_chain * static_cast<int>(chains.size());
  std::string s = fmt::format("all chains {}/{}", done_it, total);
  if (waiting > 0) s += fmt::format(", {} waiting for a core", waiting);
  if (final) return s + ", finished";
  return s + ", ETA " + format_duration(overall_eta_seconds(chains, now));
}

}  // namespace

std::string format_progress_line(int chain_id, const ChainProgress& p,
                                 std::chrono::steady_clock::time_point now) {
  if (!p.started) return fmt::format("chain {} waiting for a core", chain_id);
  const auto until = p.done ? p.end : now;
  const double elapsed = std::chrono::duration<double>(until - p.start).count();
  const double rate = elapsed > 0 ? p.iteration / elapsed : 0.0;
  const double eta = rate > 0 ? (p.total - p.iteration) / rate : NAN;
  constexpr int kWidth = 20;
  const int filled = p.total > 0 ? kWidth * p.iteration / p.total : kWidth;
  std::string bar(static_cast<std::size_t>(filled), '=');
  bar.resize(kWidth, ' ');
  const char* phase = p.done ? "done    " : (p.warmup ? "warmup  " : "sampling");
  const std::string div =
      p.warmup_divergences > 0 && !p.warmup
          ? fmt::format("div {} (+{} in warmup)", p.divergences, p.warmup_divergences)
          : fmt::format("div {}", p.warmup ? p.warmup_divergences : p.divergences);
  return fmt::format(
      "chain {} {} {:>{}}/{} [{}] eps {:.3g} acc {:.2f} depth {:.1f} leapfrog {:.1f} {} {:.0f} "
      "it/s {} {}",
      chain_id, phase, p.iteration, fmt::formatted_size("{}", p.total), p.total, bar, p.stepsize,
      p.accept, p.treedepth, p.leapfrogs, div, rate, p.done ? "elapsed" : "ETA",
      format_duration(p.done ? elapsed : eta));
}

double overall_eta_seconds(const std::vector<ChainProgress>& chains,
                           std::chrono::steady_clock::time_point now) {
  int per_chain = 0;
  for (const auto& c : chains) per_chain = std::max(per_chain, c.total);
  if (per_chain == 0) return NAN;  // no chain has started: nothing to extrapolate
  double remaining = 0.0, rate = 0.0;
  for (const auto& c : chains) {
    remaining += per_chain - (c.started ? c.iteration : 0);
    if (!c.started || c.done) continue;
    const double elapsed = std::chrono::duration<double>(now - c.start).count();
    if (elapsed > 0 && c.iteration > 0) rate += c.iteration / elapsed;
  }
  if (remaining <= 0) return 0.0;
  return rate > 0 ? remaining / rate : NAN;
}

std::string format_plain_status(const std::vector<ChainProgress>& chains, bool final,
                                std::chrono::steady_clock::time_point now) {
  int done_it = 0, per_chain = 0, div = 0;
  for (const auto& c : chains) {
    done_it += c.iteration;
    per_chain = std::max(per_chain, c.total);
    div += c.divergences;  // post-warmup only: warmup's would be dropped when sampling starts
  }
  const int total = per_chain * static_cast<int>(chains.size());
  if (total == 0) return "";
  std::string s = fmt::format("sampling: {}/{} iterations ({:.0f}%), {} divergences", done_it,
                              total, 100.0 * done_it / total, div);
  s += final ? ", finished" : ", ETA " + format_duration(overall_eta_seconds(chains, now));
  for (std::size_t i = 0; i < chains.size(); ++i) {
    const auto& c = chains[i];
    if (!c.started || c.total == 0) {
      s += fmt::format(" | chain {} waiting", i + 1);
      continue;
    }
    s += fmt::format(" | chain {} {} {}/{} eps {:.3g} acc {:.2f}", i + 1,
                     c.done ? "done" : (c.warmup ? "warmup" : "sampling"), c.iteration, c.total,
                     c.stepsize, c.accept);
  }
  return s;
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
    if (drawn_) s += fmt::format("\x1b[{}A", chains_.size() + 1);
    for (std::size_t i = 0; i < chains_.size(); ++i) {
      s += "\r\x1b[2K" + format_progress_line(static_cast<int>(i) + 1, chains_[i], now) + "\n";
    }
    // One more line: every chain's iterations and the overall ETA, which counts the chains
    // still waiting for a core.
    s += "\r\x1b[2K" + format_overall_line(chains_, final, now) + "\n";
    std::fputs(s.c_str(), out_);
    std::fflush(out_);
    drawn_ = true;
    return;
  }
  // Plain status: one line for all chains.
  const std::string s = format_plain_status(chains_, final, now);
  if (s.empty()) return;
  std::fputs((s + "\n").c_str(), out_);
  std::fflush(out_);
}

}  // namespace airy::infer::detail
