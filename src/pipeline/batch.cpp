// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy batch`: the manifest's fits on a pool of threads, resumable, one table.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <mutex>
#include <thread>

#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"
#include "airy/pipeline/batch.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The diagnostics and quantiles of a summary into a row.
void fill_from_summary(const infer::Summary& s, BatchRow& row) {
  if (s.rows.empty()) return;
  row.max_rhat = -std::numeric_limits<double>::infinity();
  for (const auto& r : s.rows) {
    row.max_rhat = std::max(row.max_rhat, r.rhat);
    row.quantiles[r.name] = {r.q5, r.median, r.q95};
  }
  row.min_ess_bulk = s.min_ess_bulk;
}

/// log_evidence and log_evidence_se of a run_info.toml (parallel tempering only).
void fill_evidence(const std::string& run_dir, BatchRow& row) {
  try {
    const toml::table t = toml::parse_file(path_in(run_dir, "run_info.toml"));
    if (auto z = t["log_evidence"].value<double>()) row.log_evidence = *z;
    if (auto se = t["log_evidence_se"].value<double>()) row.log_evidence_se = *se;
  } catch (const toml::parse_error&) {
    // The row keeps no evidence; the status already says what happened.
  }
}

std::string number(double v, int precision = 4) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.{}g}", v, precision);
}

/// The quantile columns: the manifest's, else every parameter of any row, in order of
/// first appearance (manifest order, then each run's parameter order).
std::vector<std::string> columns(const Manifest& m, const std::vector<BatchRow>& rows,
                                 const std::vector<std::vector<std::string>>& order) {
  if (!m.parameters.empty()) return m.parameters;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (const auto& n : order[i]) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  return names;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void write_tables(const Manifest& m, BatchResult& r,
                  const std::vector<std::vector<std::string>>& order) {
  const std::vector<std::string> params = columns(m, r.rows, order);
  std::size_t wt = 6;
  for (const auto& row : r.rows) wt = std::max(wt, row.target.size());
  r.text = fmt::format("airy batch {}: {} fits, run directories in {}\n", m.path, r.rows.size(),
                       m.out_dir);
  r.text += fmt::format("{:<{}}  {:<11} {:>7} {:>9} {:>18}", "target", wt, "status", "R-hat",
                        "ESS bulk", "log Z");
  for (const auto& p : params) r.text += fmt::format("  {:>30}", p + " 50% [5%, 95%]");
  r.text += "\n";
  r.csv = "target,status,max_rhat,min_ess_bulk,log_evidence,log_evidence_se,seconds,run_dir,error";
  for (const auto& p : params) {
    r.csv += fmt::format(",{0}_q5,{0}_q50,{0}_q95", csv_field(p));
  }
  r.csv += "\n";
  for (const auto& row : r.rows) {
    const std::string z = row.log_evidence ? fmt::format("{:.6g} +- {:.2g}", *row.log_evidence,
                                                         row.log_evidence_se.value_or(kNaN))
                                           : "-";
    r.text += fmt::format("{:<{}}  {:<11} {:>7} {:>9} {:>18}", row.target, wt, row.status,
                          number(row.max_rhat, 4), number(row.min_ess_bulk, 4), z);
    r.csv +=
        fmt::format("{},{},{},{},{},{},{:.3f},{},{}", csv_field(row.target), row.status,
                    std::isnan(row.max_rhat) ? "" : fmt::format("{:.6g}", row.max_rhat),
                    std::isnan(row.min_ess_bulk) ? "" : fmt::format("{:.6g}", row.min_ess_bulk),
                    row.log_evidence ? fmt::format("{:.10g}", *row.log_evidence) : "",
                    row.log_evidence_se ? fmt::format("{:.6g}", *row.log_evidence_se) : "",
                    row.seconds, csv_field(row.run_dir), csv_field(row.error));
    for (const auto& p : params) {
      const auto it = row.quantiles.find(p);
      if (it == row.quantiles.end()) {
        r.text += fmt::format("  {:>30}", "-");
        r.csv += ",,,";
        continue;
      }
      const auto& q = it->second;
      r.text += fmt::format("  {:>30}", fmt::format("{:.5g} [{:.5g}, {:.5g}]", q[1], q[0], q[2]));
      r.csv += fmt::format(",{:.10g},{:.10g},{:.10g}", q[0], q[1], q[2]);
    }
    r.text += "\n";
    r.csv += "\n";
  }
  for (const auto& row : r.rows) {
    if (!row.error.empty()) r.text += fmt::format("{}: {}\n", row.target, row.error);
  }
  fs::create_directories(m.out_dir);
  write_text(path_in(m.out_dir, "batch_summary.txt"), r.text);
  write_text(path_in(m.out_dir, "batch_summary.csv"), r.csv);
}

}  // namespace

bool batch_fit_finished(const BatchFit& f) {
  const std::string info_path = path_in(f.run_dir, "run_info.toml");
  const std::string config_path = path_in(f.run_dir, "config.toml");
  std::error_code ec;
  if (!fs::is_regular_file(info_path, ec) || !fs::is_regular_file(config_path, ec)) return false;
  try {
    const toml::table t = toml::parse_file(info_path);
    if (t["status"].value_or(std::string()) != "complete") return false;
    // The data file a single-image fit read (run_info's `data`); with [[exposures]] the
    // config names the files itself.
    if (f.config.exposures.empty() && t["data"].value_or(std::string()) != f.data_path) {
      return false;
    }
  } catch (const toml::parse_error&) {
    return false;
  }
  return text_checksum(read_text(config_path)) == text_checksum(config::to_toml(f.config));
}

namespace {

BatchResult empty_result(const Manifest& m) {
  BatchResult result;
  result.rows.resize(m.fits.size());
  for (std::size_t i = 0; i < m.fits.size(); ++i) {
    result.rows[i].target = m.fits[i].target;
    result.rows[i].run_dir = m.fits[i].run_dir;
    result.rows[i].status = "not run";
    result.rows[i].max_rhat = kNaN;
    result.rows[i].min_ess_bulk = kNaN;
  }
  return result;
}

}  // namespace

BatchResult collect_batch(const Manifest& m) {
  BatchResult result = empty_result(m);
  std::vector<std::vector<std::string>> order(m.fits.size());
  for (std::size_t i = 0; i < m.fits.size(); ++i) {
    const BatchFit& f = m.fits[i];
    BatchRow& row = result.rows[i];
    try {
      if (batch_fit_finished(f)) {
        const FitResult r = summarize_run(f.run_dir);
        row.status = "complete";
        fill_from_summary(r.summary, row);
        for (const auto& s : r.summary.rows) order[i].push_back(s.name);
        fill_evidence(f.run_dir, row);
        continue;
      }
      const RunInfo info = read_run_info(path_in(f.run_dir, "run_info.toml"));
      if (info.status == "missing") continue;  // "not run"
      row.status = info.status == "running" ? "died" : info.status;
      row.error = info.status == "failed" ? info.error : info.stop;
      if (info.status == "complete") {
        row.status = "stale";
        row.error = "a complete run of other settings or data";
      }
    } catch (const std::exception& e) {
      row.status = "failed";
      row.error = e.what();
    }
  }
  result.complete = std::all_of(result.rows.begin(), result.rows.end(),
                                [](const BatchRow& r) { return r.status == "complete"; });
  write_tables(m, result, order);
  return result;
}

BatchResult run_batch(const Manifest& m, const BatchOptions& o) {
  const StopSignalScope signals(o.handle_signals);
  const int jobs = std::max(1, o.jobs.value_or(m.jobs));
  if (o.jobs && *o.jobs < 1) {
    throw InvalidArgument(fmt::format("batch: --jobs = {}: must be >= 1", *o.jobs));
  }
  if (o.num_shards < 1 || o.shard < 0 || o.shard >= o.num_shards) {
    throw InvalidArgument(
        fmt::format("batch: shard {} of {}: need 0 <= shard < shards", o.shard, o.num_shards));
  }
  const std::size_t n = m.fits.size();
  BatchResult result = empty_result(m);
  std::vector<std::vector<std::string>> order(n);  // each row's parameter names, in order
  // This shard's fits: index i with i mod num_shards == shard.
  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(o.shard); i < n;
       i += static_cast<std::size_t>(o.num_shards)) {
    mine.push_back(i);
  }
  fs::create_directories(m.out_dir);
  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0};
  std::mutex print;

  auto run_one = [&](std::size_t i) {
    const BatchFit& f = m.fits[i];
    BatchRow& row = result.rows[i];
    const auto t0 = std::chrono::steady_clock::now();
    try {
      if (batch_fit_finished(f)) {
        const FitResult r = summarize_run(f.run_dir);
        row.status = "resumed";
        fill_from_summary(r.summary, row);
        for (const auto& s : r.summary.rows) order[i].push_back(s.name);
      } else {
        FitOptions fo;
        fo.data_path = f.data_path;
        fo.truth_path = f.truth_path;
        fo.quiet = true;
        fo.plots = m.plots;
        fo.overwrite = true;        // a partial run of this target is redone from scratch
        fo.handle_signals = false;  // the batch's handlers cover every fit
        fo.command_line = fmt::format("airy batch {} (target {})", m.path, f.target);
        const FitResult r = fit(f.config, fo);
        row.status = r.complete ? "complete" : "interrupted";
        if (!r.complete) row.error = r.stopped_by;
        fill_from_summary(r.summary, row);
        for (const auto& s : r.summary.rows) order[i].push_back(s.name);
        row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      }
      fill_evidence(f.run_dir, row);
    } catch (const std::exception& e) {
      row.status = "failed";
      row.error = e.what();
      row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    const int k = ++done;
    if (!o.quiet) {
      const std::lock_guard<std::mutex> lock(print);
      std::cerr << fmt::format("airy batch: [{}/{}] {}: {}{} ({:.1f} s)\n", k, mine.size(),
                               f.target, row.status,
                               row.error.empty() ? "" : " (" + row.error + ")", row.seconds);
    }
  };
  auto worker = [&] {
    for (;;) {
      if (stop_requested()) return;  // a stopped batch starts no other fit
      const std::size_t k = next++;
      if (k >= mine.size()) return;
      run_one(mine[k]);
    }
  };
  const auto workers = static_cast<std::size_t>(std::min<std::size_t>(jobs, mine.size()));
  if (workers <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (std::size_t w = 0; w < workers; ++w) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }

  result.complete = std::all_of(mine.begin(), mine.end(), [&](std::size_t i) {
    return result.rows[i].status == "complete" || result.rows[i].status == "resumed";
  });
  if (stop_requested()) result.stop_signal = stop_signal();
  if (o.num_shards == 1) write_tables(m, result, order);
  return result;
}

}  // namespace airy::pipeline
