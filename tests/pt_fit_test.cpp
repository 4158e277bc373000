// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fit` with sampler.method = "pt" (and `--pt`): the beta = 1 draws written like
/// NUTS chains (CSV, NetCDF, summary), the per-run PT report in summary.txt and run_info.toml,
/// the PT options' errors naming the sampler key, and switch_to_pt().
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/fit_pt.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The short flagship (npix 32) under PT: 2 runs of 5 chains, 5 rounds (32 draws per run).
config::Config short_pt_flagship(const std::string& out) {
  config::Config c = pipeline::testing::short_flagship(out);
  EXPECT_FALSE(pipeline::switch_to_pt(c).empty());  // dense_e, init = map, metric_init
  c.sampler.pt_chains = 5;
  c.sampler.pt_rounds = 5;
  c.sampler.max_depth = 4;
  return c;
}

TEST(PtFit, WritesDrawsLikeNutsAndReportsEveryRun) {
  const std::string out = pipeline::testing::fresh_dir("airy_pt_", "fit");
  const config::Config c = short_pt_flagship(out);
  const auto sim = pipeline::simulate(c, out);
  pipeline::FitOptions o;
  o.data_path = sim.data_path;
  o.quiet = true;
  const pipeline::FitResult r = pipeline::fit(c, o);
  ASSERT_TRUE(r.complete);
  ASSERT_EQ(r.summary.rows.size(), 13u);
  EXPECT_EQ(r.summary.num_chains, 2);
  // R-hat across the independent runs exists.
  for (const auto& row : r.summary.rows) EXPECT_TRUE(std::isfinite(row.rhat)) << row.name;

  // One CmdStan CSV per run with 2^pt_rounds draws, read back.
  for (int id : {1, 2}) {
    const io::CmdStanCsv csv =
        io::read_cmdstan_csv((fs::path(out) / fmt::format("chain_{}.csv", id)).string());
    EXPECT_EQ(csv.chain.num_draws(), 32) << id;
    EXPECT_TRUE(csv.chain.complete) << id;
    EXPECT_EQ(csv.config.at("airy_method"), "pt");
    EXPECT_EQ(csv.config.at("pt_chains"), "5");
  }
  for (const char* f : {"posterior.nc", "summary.txt", "summary.csv", "model.fits", "residual.fits",
                        "config.toml", "run_info.toml"}) {
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  }

  // The summary: the per-run table, the evidence, then the usual table; summary.txt adds
  // every run's per-round report.
  EXPECT_THAT(r.summary_text, HasSubstr("Parallel tempering"));
  EXPECT_THAT(r.summary_text, HasSubstr("swap acceptance of each pair"));
  EXPECT_THAT(r.summary_text, HasSubstr("the log marginal likelihood"));
  const std::string summary_file = slurp(fs::path(out) / "summary.txt");
  EXPECT_THAT(summary_file, HasSubstr("--- parallel tempering, run 2 ---"));
  EXPECT_THAT(summary_file, HasSubstr("log Z (thermodynamic integration)"));

  // run_info.toml: per run [pt.run_<k>], and log Z of all runs = the mean of the runs' (the
  // combination rule of combine_evidence: mean, se = sqrt(sum se_k^2) / K).
  const toml::table info = toml::parse_file((fs::path(out) / "run_info.toml").string());
  EXPECT_EQ(info["status"].value_or(std::string()), "complete");
  double mean_log_z = 0.0, se2 = 0.0;
  for (int k : {1, 2}) {
    const auto run = info["pt"][fmt::format("run_{}", k)];
    ASSERT_TRUE(run.is_table()) << k;
    EXPECT_EQ(run["rungs"].value_or(0.0), 5.0);
    EXPECT_GE(run["barrier"].value_or(-1.0), 0.0);
    EXPECT_GE(run["round_trips"].value_or(-1.0), 0.0);
    const double lo = run["min_swap_accept"].value_or(-1.0);
    const double mean = run["mean_swap_accept"].value_or(-1.0);
    EXPECT_GE(lo, 0.0);
    EXPECT_LE(lo, mean);
    EXPECT_LE(mean, 1.0);
    EXPECT_GT(run["gradient_evaluations"].value_or(0.0), 0.0);
    EXPECT_GT(run["seconds"].value_or(0.0), 0.0);
    const double lz = run["log_z"].value_or(std::nan(""));
    const double se = run["log_z_se"].value_or(std::nan(""));
    ASSERT_TRUE(std::isfinite(lz) && std::isfinite(se) && se > 0.0) << lz << " +- " << se;
    mean_log_z += lz / 2.0;
    se2 += se * se;
  }
  EXPECT_NEAR(info["log_evidence"].value_or(0.0), mean_log_z, 1e-6 * std::abs(mean_log_z));
  EXPECT_NEAR(info["log_evidence_se"].value_or(0.0), std::sqrt(se2) / 2.0, 1e-6);
  EXPECT_EQ(info["log_evidence_is_marginal_likelihood"].value_or(0.0), 1.0);
  // Gradients of the run = the sum of the runs' (every replica's).
  EXPECT_NEAR(info["gradient_evaluations"].value_or(0.0),
              info["pt"]["run_1"]["gradient_evaluations"].value_or(0.0) +
                  info["pt"]["run_2"]["gradient_evaluations"].value_or(0.0),
              0.5);

  // config.toml of the run is a PT config; `airy summary` reads the run back.
  const config::Config back = config::load_config((fs::path(out) / "config.toml").string());
  EXPECT_EQ(back.sampler.method, "pt");
  EXPECT_EQ(back.sampler.pt_chains, 5);
  const pipeline::FitResult again = pipeline::summarize_run(out);
  EXPECT_TRUE(again.complete);
  EXPECT_EQ(again.summary.rows.size(), 13u);
}

TEST(PtFit, SameSeedSameDraws) {
  std::vector<std::string> csvs;
  for (const char* name : {"seed_a", "seed_b"}) {
    const std::string out = pipeline::testing::fresh_dir("airy_pt_", name);
    config::Config c = short_pt_flagship(out);
    c.sampler.num_chains = 1;
    c.sampler.pt_rounds = 3;
    c.sampler.num_threads = name[5] == 'a' ? 1 : 3;  // thread count must not matter
    const auto sim = pipeline::simulate(c, out);
    pipeline::FitOptions o;
    o.data_path = sim.data_path;
    o.quiet = true;
    o.plots = false;
    (void)pipeline::fit(c, o);
    const io::CmdStanCsv csv = io::read_cmdstan_csv((fs::path(out) / "chain_1.csv").string());
    csvs.push_back(fmt::format("{}", fmt::join(csv.chain.draws.reshaped(), ",")));
  }
  EXPECT_EQ(csvs[0], csvs[1]);
}

TEST(PtOptions, FromSamplerConfig) {
  config::SamplerConfig s;
  s.method = "pt";
  s.num_chains = 3;
  s.pt_chains = 7;
  s.pt_rounds = 6;
  s.pt_reference = "gaussian";
  s.pt_gaussian_sd = 0.5;
  s.pt_gaussian_refit_round = 2;
  s.pt_explorer_steps = 2;
  s.max_depth = 5;
  s.delta = 0.9;
  s.seed = 77;
  s.num_threads = 2;
  s.metric = "unit_e";
  const infer::PtOptions o = pipeline::pt_options(s);
  EXPECT_EQ(o.num_runs, 3);
  EXPECT_EQ(o.num_chains, 7);
  EXPECT_EQ(o.num_rounds, 6);
  EXPECT_EQ(o.reference, infer::PtReference::gaussian);
  EXPECT_DOUBLE_EQ(o.gaussian_sd, 0.5);
  EXPECT_EQ(o.gaussian_refit_round, 2);
  EXPECT_EQ(o.explorer_steps, 2);
  EXPECT_EQ(o.max_depth, 5);
  EXPECT_DOUBLE_EQ(o.delta, 0.9);
  EXPECT_EQ(o.seed, 77u);
  EXPECT_EQ(o.num_threads, 2);
  EXPECT_EQ(o.metric, infer::Metric::unit_e);
}

TEST(PtOptions, BadValuesNameTheSamplerKey) {
  const auto expect_named = [](const std::function<void(config::SamplerConfig&)>& set,
                               const std::string& fragment) {
    config::SamplerConfig s;
    s.method = "pt";
    set(s);
    EXPECT_THAT([&] { (void)pipeline::pt_options(s); },
                ::testing::ThrowsMessage<InvalidArgument>(HasSubstr(fragment)))
        << fragment;
  };
  expect_named([](auto& s) { s.method = "nuts"; }, "sampler.method = \"nuts\"");
  expect_named([](auto& s) { s.pt_chains = 1; }, "sampler.pt_chains = 1: must be in [2, 4096]");
  expect_named([](auto& s) { s.pt_rounds = 30; }, "sampler.pt_rounds = 30");
  expect_named([](auto& s) { s.num_chains = 0; }, "sampler.num_chains = 0");
  expect_named([](auto& s) { s.pt_explorer_steps = 0; }, "sampler.pt_explorer_steps = 0");
  expect_named([](auto& s) { s.max_depth = 0; }, "sampler.max_depth = 0");
  expect_named([](auto& s) { s.delta = 1.5; }, "sampler.delta = 1.5");
  expect_named([](auto& s) { s.pt_gaussian_sd = -1.0; }, "sampler.pt_gaussian_sd = -1");
  expect_named([](auto& s) { s.pt_reference = "flat"; }, "sampler.pt_reference = \"flat\"");
  expect_named([](auto& s) { s.metric = "dense_e"; }, "sampler.metric = \"dense_e\"");
}

TEST(SwitchToPt, NamesTheNutsSettingsItSetsAside) {
  config::Config c = config::parse_config(config::flagship_toml(), "<embedded>");
  const std::vector<std::string> notes = pipeline::switch_to_pt(c);
  const std::string all = fmt::format("{}", fmt::join(notes, "; "));
  EXPECT_THAT(all, HasSubstr("init = \"map\""));
  EXPECT_THAT(all, HasSubstr("metric_init = \"laplace\""));
  EXPECT_THAT(all, HasSubstr("map_starts = 16"));
  EXPECT_THAT(all, HasSubstr("metric = \"dense_e\""));
  EXPECT_EQ(c.sampler.method, "pt");
  EXPECT_EQ(c.sampler.metric, "diag_e");
  // The result is a valid PT config: it parses back with no NUTS key left.
  const config::Config back = config::parse_config(config::to_toml(c), "to_toml");
  EXPECT_EQ(back.sampler.method, "pt");
  EXPECT_NO_THROW((void)pipeline::pt_options(back.sampler));
  // Already PT: nothing to say, nothing changed.
  EXPECT_TRUE(pipeline::switch_to_pt(c).empty());
}

}  // namespace
}  // namespace airy
