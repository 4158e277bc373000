// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fit` stopped by SIGINT and SIGTERM during the MAP and during sampling, and by
/// a second signal while it draws its plots: each leaves readable chains and posterior.nc
/// (and a summary once there are draws), run_info.toml says why it stopped, and the exit
/// code is 128 + the signal.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "airy/config/config.hpp"
#include "airy/core/stop.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"

#ifdef AIRY_CLI_PATH
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;
using testing::AiryProcess;
using testing::run_info_says;
using testing::wait_until;

class Signals : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = pipeline::testing::fresh_dir(
        "airy_signal_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    config::Config c = pipeline::testing::short_flagship((dir_ / "sim").string());
    data_ = pipeline::simulate(c, c.output_dir).data_path;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  /// Writes the short flagship config with `map_starts` MAP starts; returns its path.
  std::string config(int map_starts) const {
    config::Config c = pipeline::testing::short_flagship((dir_ / "run").string());
    c.sampler.map_starts = map_starts;
    const std::string path = (dir_ / "run.toml").string();
    std::ofstream(path) << config::to_toml(c);
    return path;
  }

  /// `airy fit` into dir_/run with these extra options.
  std::unique_ptr<AiryProcess> start_fit(int map_starts, std::vector<std::string> extra) const {
    std::vector<std::string> args = {"fit", config(map_starts), "--data", data_, "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<AiryProcess>(args, (dir_ / "output.txt").string());
  }

  fs::path run() const { return dir_ / "run"; }

  /// Waits until every chain has written `n` post-warmup draws.
  bool wait_for_draws(int n) const {
    return wait_until(
        [&] {
          return testing::csv_draw_lines(run() / "chain_1.csv") >= n &&
                 testing::csv_draw_lines(run() / "chain_2.csv") >= n;
        },
        120.0);
  }

  fs::path dir_;
  std::string data_;
};

/// A signal during the MAP: the MAP stops, the chains never start (CSV headers and the
/// "interrupted" footer), posterior.nc holds the observed data, the summary the MAP so far.
void signal_during_map(int signo, AiryProcess& fit, const fs::path& run) {
  ASSERT_TRUE(wait_until([&] { return run_info_says(run, "phase", "map"); }, 60.0)) << fit.output();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a few L-BFGS starts in
  fit.signal(signo);
  EXPECT_EQ(fit.wait(60.0), 128 + signo) << fit.output();
  testing::expect_only_whole_files(run);
  EXPECT_TRUE(run_info_says(run, "status", "interrupted"));
  EXPECT_TRUE(run_info_says(run, "stopped_by", signal_name(signo) + " during the MAP"))
      << testing::slurp(run / "run_info.toml");
  EXPECT_NE(testing::slurp(run / "run_info.toml").find("map_log_density = "), std::string::npos);
  for (const char* chain : {"chain_1.csv", "chain_2.csv"}) {
    const io::CmdStanCsv csv = io::read_cmdstan_csv((run / chain).string());
    EXPECT_EQ(csv.chain.num_draws(), 0);
    EXPECT_FALSE(csv.chain.complete);
  }
  const auto groups = testing::netcdf_groups((run / "posterior.nc").string());
  EXPECT_NE(std::find(groups.begin(), groups.end(), "observed_data"), groups.end());
  EXPECT_EQ(std::find(groups.begin(), groups.end(), "posterior"), groups.end());
  const std::string summary = testing::slurp(run / "summary.txt");
  EXPECT_NE(summary.find("MAP: INTERRUPTED"), std::string::npos) << summary;
  EXPECT_NE(summary.find("best log density so far"), std::string::npos) << summary;
  // `summary` and `plot` of such a run say what happened.
  const testing::CliResult again = testing::run_airy("summary " + run.string());
  EXPECT_EQ(again.code, 130);
  EXPECT_NE(again.output.find("status: interrupted by " + signal_name(signo) + " during the MAP"),
            std::string::npos)
      << again.output;
  const testing::CliResult plot = testing::run_airy("plot " + run.string());
  EXPECT_EQ(plot.code, 2);
  EXPECT_NE(plot.output.find("0 post-warmup draws, too few to plot"), std::string::npos)
      << plot.output;
}

TEST_F(Signals, SigintDuringTheMap) {
  auto fit = start_fit(400, {"--no-plots"});
  signal_during_map(SIGINT, *fit, run());
}

TEST_F(Signals, SigtermDuringTheMap) {
  auto fit = start_fit(400, {"--no-plots"});
  signal_during_map(SIGTERM, *fit, run());
}

/// A signal after 10 post-warmup draws per chain: chains stop, every output of a fit is
/// written from the draws so far with an INCOMPLETE banner.
void signal_during_sampling(int signo, AiryProcess& fit, const fs::path& run,
                            const std::function<bool(int)>& wait_for_draws) {
  ASSERT_TRUE(wait_for_draws(10)) << fit.output();
  fit.signal(signo);
  EXPECT_EQ(fit.wait(60.0), 128 + signo) << fit.output();
  testing::expect_only_whole_files(run);
  EXPECT_TRUE(run_info_says(run, "status", "interrupted"));
  EXPECT_TRUE(run_info_says(run, "stopped_by", signal_name(signo) + " during sampling"));
  for (const char* chain : {"chain_1.csv", "chain_2.csv"}) {
    const io::CmdStanCsv csv = io::read_cmdstan_csv((run / chain).string());
    EXPECT_GE(csv.chain.num_draws(), 10);
    EXPECT_FALSE(csv.chain.complete);
  }
  const auto groups = testing::netcdf_groups((run / "posterior.nc").string());
  EXPECT_NE(std::find(groups.begin(), groups.end(), "posterior"), groups.end());
  const std::string summary = testing::slurp(run / "summary.txt");
  EXPECT_NE(summary.find(fmt::format("INCOMPLETE RUN (interrupted: {} during sampling)",
                                     signal_name(signo))),
            std::string::npos)
      << summary;
  EXPECT_TRUE(fs::exists(run / "summary.csv"));
  EXPECT_TRUE(fs::exists(run / "model.fits"));
}

TEST_F(Signals, SigintDuringSampling) {
  auto fit = start_fit(2, {"--no-plots", "--warmup", "30", "--samples", "100000"});
  signal_during_sampling(SIGINT, *fit, run(), [this](int n) { return wait_for_draws(n); });
}

TEST_F(Signals, SigtermDuringSampling) {
  auto fit = start_fit(2, {"--no-plots", "--warmup", "30", "--samples", "100000"});
  signal_during_sampling(SIGTERM, *fit, run(), [this](int n) { return wait_for_draws(n); });
}

// SIGINT during sampling, then SIGTERM once the plots are being drawn: the process exits at
// once with 143 (a run that finished its plots would exit 130), and every file there is whole.
TEST_F(Signals, ASecondSignalDuringPlottingExitsAtOnce) {
  auto fit = start_fit(2, {"--warmup", "30", "--samples", "100000"});
  ASSERT_TRUE(wait_for_draws(10)) << fit->output();
  fit->signal(SIGINT);
  ASSERT_TRUE(wait_until([&] { return run_info_says(run(), "phase", "plots"); }, 60.0))
      << fit->output();
  fit->signal(SIGTERM);
  EXPECT_EQ(fit->wait(60.0), 128 + SIGTERM) << fit->output();
  EXPECT_NE(fit->output().find("SIGTERM again: exiting now"), std::string::npos) << fit->output();
  testing::expect_only_whole_files(run());
  EXPECT_TRUE(run_info_says(run(), "status", "interrupted"));
  EXPECT_TRUE(run_info_says(run(), "stopped_by",
                            "SIGINT during sampling, then a second signal during plots "
                            "(exited at once)"))
      << testing::slurp(run() / "run_info.toml");
  EXPECT_TRUE(fs::exists(run() / "summary.txt"));
  const auto groups = testing::netcdf_groups((run() / "posterior.nc").string());
  EXPECT_NE(std::find(groups.begin(), groups.end(), "posterior"), groups.end());
}

}  // namespace
}  // namespace airy
#endif
