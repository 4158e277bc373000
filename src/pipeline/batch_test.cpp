// SPDX-License-Identifier: BSD-3-Clause
// `airy batch`: the manifest is checked in full before anything runs (missing files,
// duplicate targets, bad overrides, named); a SIGTERM stops the batch cleanly and a rerun
// resumes without redoing finished targets, but redoes one whose settings changed; a fit that
// fails is a row of the table while the others' results are kept; PT rows carry log Z.
#include "airy/pipeline/batch.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "airy/core/stop.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/run_files.hpp"
#include "pipeline/short_flagship_test_util.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::short_flagship;

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

/// A folder with data.fits (the short flagship simulated) and fit.toml (its config with
/// very short chains: a fit takes about a second).
class Batch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fresh_dir("airy_batch_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    config::Config c =
        short_flagship((fs::path(dir_) / "sim").string(), testing::ShortRun{40, 30, 2});
    c.sampler.num_threads = 1;
    data_ = simulate(c, c.output_dir).data_path;
    write_file(fs::path(dir_) / "fit.toml", config::to_toml(c));
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string manifest(const std::string& text, const std::string& name = "m.toml") const {
    const fs::path p = fs::path(dir_) / name;
    write_file(p, "[batch]\nout = \"runs\"\n" + text);
    return p.string();
  }
  std::string fit_entry(const std::string& target, const std::string& extra = "") const {
    return "[[fits]]\ntarget = \"" + target + "\"\nconfig = \"fit.toml\"\ndata = \"" + data_ +
           "\"\n" + extra + "\n";
  }
  std::string run_dir(const std::string& target) const {
    return (fs::path(dir_) / "runs" / target).string();
  }

  std::string dir_, data_;
};

TEST_F(Batch, ManifestErrorsAreNamedBeforeAnythingRuns) {
  airy::testing::expect_invalid(
      [&] {
        (void)load_manifest(manifest(fit_entry("a") + "[[fits]]\ntarget = \"b\"\nconfig = "
                                                      "\"nope.toml\"\ndata = \"x.fits\"\n"));
      },
      {"m.toml", "fits[1] (target 'b')", "config = 'nope.toml'", "no such file"});
  airy::testing::expect_invalid(
      [&] {
        (void)load_manifest(
            manifest("[[fits]]\ntarget = \"a\"\nconfig = \"fit.toml\"\ndata = "
                     "\"missing.fits\"\n"));
      },
      {"fits[0] (target 'a')", "data = 'missing.fits'", "no such file"});
  airy::testing::expect_invalid(
      [&] { (void)load_manifest(manifest(fit_entry("a") + fit_entry("b") + fit_entry("a"))); },
      {"fits[2] (target 'a')", "appears twice"});
  airy::testing::expect_invalid([&] { (void)load_manifest(manifest(fit_entry("a/b"))); },
                                {"target = 'a/b'", "letters, digits"});
  airy::testing::expect_invalid(
      [&] { (void)load_manifest(manifest(fit_entry("a", "overrides = {chains = 0}"))); },
      {"fits[0] (target 'a')", "overrides.chains = 0", ">= 1"});
  airy::testing::expect_invalid(
      [&] { (void)load_manifest(manifest(fit_entry("a", "overrides = {pt = true, warmup = 5}"))); },
      {"overrides.warmup", "parallel tempering"});
  airy::testing::expect_invalid(
      [&] { (void)load_manifest(manifest(fit_entry("a", "overrides = {grid = \"nope\"}"))); },
      {"fits[0] (target 'a')", "--grid", "NAME=POINTS"});
  airy::testing::expect_invalid([&] { (void)load_manifest(manifest(fit_entry("a", "color = 3"))); },
                                {"fits[0] (target 'a')", "unknown key 'color'"});
  airy::testing::expect_invalid([&] { (void)load_manifest(manifest("")); }, {"no fits"});
  airy::testing::expect_invalid(
      [&] { (void)load_manifest((fs::path(dir_) / "absent.toml").string()); },
      {"absent.toml", "no such manifest"});
  airy::testing::expect_invalid(
      [&] { (void)load_manifest(manifest("jobs = 0\n" + fit_entry("a"))); },
      {"[batch]", "jobs = 0"});
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "runs"));  // nothing ran, nothing was created
}

TEST_F(Batch, SigtermStopsCleanlyAndARerunResumesWithoutRedoingFinishedTargets) {
  const std::string m = manifest(fit_entry("a") + fit_entry("b") + fit_entry("c"));
  const Manifest man = load_manifest(m);
  ASSERT_EQ(man.fits.size(), 3u);

  // A SIGTERM as soon as target b has started (jobs = 1: a is complete by then): b is
  // stopped mid-run, c never starts.
  std::atomic<bool> finished{false};
  std::thread killer([&] {
    const std::string info = path_in(run_dir("b"), "run_info.toml");
    while (!finished) {
      if (read_run_info(info).status == "running") {
        std::raise(SIGTERM);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  BatchOptions quiet;
  quiet.quiet = true;
  const BatchResult first = run_batch(man, quiet);
  finished = true;
  killer.join();
  EXPECT_FALSE(first.complete);
  EXPECT_EQ(first.stop_signal, SIGTERM);
  ASSERT_EQ(first.rows.size(), 3u);
  EXPECT_EQ(first.rows[0].status, "complete");
  EXPECT_EQ(first.rows[1].status, "interrupted");
  EXPECT_EQ(first.rows[2].status, "not run");
  EXPECT_EQ(read_run_info(path_in(run_dir("b"), "run_info.toml")).status, "interrupted");
  EXPECT_FALSE(fs::exists(run_dir("c")));
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "runs" / "batch_summary.csv"));
  const auto a_info = fs::last_write_time(path_in(run_dir("a"), "run_info.toml"));
  const auto a_chain = fs::last_write_time(path_in(run_dir("a"), "chain_1.csv"));

  clear_stop();
  const BatchResult second = run_batch(man, quiet);
  EXPECT_TRUE(second.complete);
  EXPECT_EQ(second.rows[0].status, "resumed");
  EXPECT_EQ(second.rows[1].status, "complete");
  EXPECT_EQ(second.rows[2].status, "complete");
  EXPECT_EQ(fs::last_write_time(path_in(run_dir("a"), "run_info.toml")), a_info);
  EXPECT_EQ(fs::last_write_time(path_in(run_dir("a"), "chain_1.csv")), a_chain);
  // The resumed row is read back from a's files: the same numbers as when it ran.
  EXPECT_DOUBLE_EQ(second.rows[0].max_rhat, first.rows[0].max_rhat);
  EXPECT_DOUBLE_EQ(second.rows[0].quantiles.at("separation")[1],
                   first.rows[0].quantiles.at("separation")[1]);
  for (const auto& row : second.rows) {
    EXPECT_TRUE(std::isfinite(row.max_rhat)) << row.target;
    EXPECT_GT(row.min_ess_bulk, 0.0) << row.target;
    EXPECT_FALSE(row.log_evidence) << row.target;  // NUTS: no evidence
  }
  const std::string csv = read_text((fs::path(dir_) / "runs" / "batch_summary.csv").string());
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_NE(csv.find("separation_q50"), std::string::npos);
  EXPECT_NE(second.text.find("resumed"), std::string::npos);

  // Another seed for a: its finished run no longer matches, so it is redone.
  const Manifest reseeded = load_manifest(manifest(
      fit_entry("a", "overrides = {seed = 7}") + fit_entry("b") + fit_entry("c"), "m2.toml"));
  EXPECT_FALSE(batch_fit_finished(reseeded.fits[0]));
  EXPECT_TRUE(batch_fit_finished(reseeded.fits[1]));
}

TEST_F(Batch, ShardsSplitTheManifestAndCollectReadsTheRunDirectories) {
  const Manifest man = load_manifest(manifest(fit_entry("a") + fit_entry("b") + fit_entry("c")));
  BatchOptions o;
  o.quiet = true;
  o.num_shards = 2;
  o.shard = 0;  // a and c
  const BatchResult r0 = run_batch(man, o);
  EXPECT_TRUE(r0.complete);
  EXPECT_EQ(r0.rows[0].status, "complete");
  EXPECT_EQ(r0.rows[1].status, "not run");
  EXPECT_EQ(r0.rows[2].status, "complete");
  EXPECT_FALSE(fs::exists(run_dir("b")));
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "runs" / "batch_summary.txt"));  // shards write none

  // Before shard 1 has run: b is "not run" in the collected table.
  EXPECT_EQ(collect_batch(man).rows[1].status, "not run");
  o.shard = 1;  // b
  const BatchResult r1 = run_batch(man, o);
  EXPECT_EQ(r1.rows[1].status, "complete");
  const BatchResult all = collect_batch(man);
  EXPECT_TRUE(all.complete);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(all.rows[i].status, "complete") << i;
    EXPECT_TRUE(std::isfinite(all.rows[i].max_rhat)) << i;
  }
  EXPECT_DOUBLE_EQ(all.rows[1].quantiles.at("separation")[1],
                   r1.rows[1].quantiles.at("separation")[1]);
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "runs" / "batch_summary.csv"));

  // A rank killed mid-fit leaves run_info.toml saying "running": reported as "died", the
  // others' results kept.
  const std::string info = path_in(run_dir("b"), "run_info.toml");
  std::string text = read_text(info);
  text.replace(text.find("status = \"complete\""), 19, "status = \"running\"");
  write_file(info, text);
  const BatchResult died = collect_batch(man);
  EXPECT_FALSE(died.complete);
  EXPECT_EQ(died.rows[0].status, "complete");
  EXPECT_EQ(died.rows[1].status, "died");
  EXPECT_EQ(died.rows[2].status, "complete");

  o.shard = 2;
  airy::testing::expect_invalid([&] { (void)run_batch(man, o); }, {"shard 2 of 2"});
}

TEST_F(Batch, AFailedFitIsARowAndTheOthersAreKept) {
  write_file(fs::path(dir_) / "broken.fits", "not a FITS file\n");
  const std::string m =
      manifest("jobs = 2\nparameters = [\"separation\", \"contrast\"]\n" +
               fit_entry("pt", "overrides = {pt = true, chains = 2}") +
               "[[fits]]\ntarget = \"broken\"\nconfig = \"fit.toml\"\ndata = \"broken.fits\"\n");
  Manifest man = load_manifest(m);
  // A very short tempering run: 3 rungs, 2^4 scans in the last round.
  man.fits[0].config.sampler.pt_chains = 3;
  man.fits[0].config.sampler.pt_rounds = 4;
  BatchOptions quiet;
  quiet.quiet = true;
  const BatchResult r = run_batch(man, quiet);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.stop_signal, 0);
  EXPECT_EQ(r.rows[0].status, "complete");
  ASSERT_TRUE(r.rows[0].log_evidence.has_value());
  EXPECT_TRUE(std::isfinite(*r.rows[0].log_evidence));
  EXPECT_EQ(r.rows[1].status, "failed");
  EXPECT_NE(r.rows[1].error.find("broken.fits"), std::string::npos) << r.rows[1].error;
  EXPECT_EQ(read_run_info(path_in(run_dir("pt"), "run_info.toml")).status, "complete");
  EXPECT_NE(r.text.find("broken: "), std::string::npos);
  const std::string csv = read_text((fs::path(dir_) / "runs" / "batch_summary.csv").string());
  EXPECT_NE(csv.find("separation_q5,separation_q50,separation_q95,contrast_q5"), std::string::npos);
  EXPECT_NE(csv.find("\nbroken,failed,"), std::string::npos);
}

}  // namespace
}  // namespace airy::pipeline
