// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/diagnostics.hpp"

#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <cmath>
#include <filesystem>
#include <string>

#include "airy/core/rng.hpp"

namespace airy::infer {
namespace {

const std::filesystem::path kFixtures =
    std::filesystem::path(AIRY_SOURCE_DIR) / "tests" / "fixtures" / "diagnostics";

ChainDraws read_draws(const toml::table& t) {
  const auto* arr = t["draws"].as_array();
  const auto chains = static_cast<Eigen::Index>(arr->size());
  const auto draws = static_cast<Eigen::Index>(arr->at(0).as_array()->size());
  ChainDraws x(draws, chains);
  for (Eigen::Index c = 0; c < chains; ++c) {
    const auto* ch = arr->at(static_cast<std::size_t>(c)).as_array();
    for (Eigen::Index d = 0; d < draws; ++d) {
      x(d, c) = ch->at(static_cast<std::size_t>(d)).value<double>().value();
    }
  }
  return x;
}

void expect_same(double ours, double arviz, const std::string& what) {
  if (std::isnan(arviz)) {
    EXPECT_TRUE(std::isnan(ours)) << what << ": ours " << ours << ", ArviZ NaN";
    return;
  }
  EXPECT_NEAR(ours, arviz, 1e-6 * std::max(1.0, std::fabs(arviz))) << what;
}

TEST(Diagnostics, MatchArviZOnFixtures) {
  if (!std::filesystem::exists(kFixtures)) GTEST_SKIP() << "no fixtures at " << kFixtures;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    SCOPED_TRACE(entry.path().filename().string());
    const toml::table t = toml::parse_file(entry.path().string());
    const ChainDraws x = read_draws(t);
    const auto& a = *t["arviz"].as_table();
    auto ref = [&](const char* key) { return a[key].value<double>().value(); };
    expect_same(rhat(x), ref("rhat_rank"), "rhat_rank");
    expect_same(rhat_split(x), ref("rhat_split"), "rhat_split");
    expect_same(rhat_bulk(x), ref("rhat_z_scale"), "rhat_z_scale");
    expect_same(rhat_tail(x), ref("rhat_folded"), "rhat_folded");
    expect_same(rhat_basic(x), ref("rhat_identity"), "rhat_identity");
    expect_same(ess_bulk(x), ref("ess_bulk"), "ess_bulk");
    expect_same(ess_tail(x), ref("ess_tail"), "ess_tail");
    expect_same(ess_mean(x), ref("ess_mean"), "ess_mean");
    expect_same(ess_sd(x), ref("ess_sd"), "ess_sd");
    expect_same(ess_basic(x), ref("ess_identity"), "ess_identity");
    expect_same(ess_quantile(x, 0.05), ref("ess_q05"), "ess_q05");
    expect_same(ess_quantile(x, 0.5), ref("ess_q50"), "ess_q50");
    expect_same(ess_quantile(x, 0.95), ref("ess_q95"), "ess_q95");
    expect_same(mcse_mean(x), ref("mcse_mean"), "mcse_mean");
    expect_same(mcse_sd(x), ref("mcse_sd"), "mcse_sd");
    expect_same(mcse_quantile(x, 0.05), ref("mcse_q05"), "mcse_q05");
    expect_same(mcse_quantile(x, 0.5), ref("mcse_q50"), "mcse_q50");
    expect_same(mcse_quantile(x, 0.95), ref("mcse_q95"), "mcse_q95");
    const auto& np = *t["numpy"].as_table();
    expect_same(quantile(x, 0.05), np["q05"].value<double>().value(), "q05");
    expect_same(quantile(x, 0.95), np["q95"].value<double>().value(), "q95");
  }
  EXPECT_GT(files, 0);
}

TEST(Diagnostics, AutocovarianceMatchesDirectSum) {
  Rng rng(5, 0);
  Eigen::VectorXd x(37);
  for (auto& v : x) v = rng.normal();
  const Eigen::VectorXd acov = autocovariance(x);
  const double m = x.mean();
  for (Eigen::Index t = 0; t < x.size(); ++t) {
    double s = 0;
    for (Eigen::Index i = 0; i + t < x.size(); ++i) s += (x[i] - m) * (x[i + t] - m);
    EXPECT_NEAR(acov[t], s / static_cast<double>(x.size()), 1e-12);
  }
}

TEST(Diagnostics, IidDrawsHaveEssNearSAndRhatNearOne) {
  Rng rng(7, 0);
  ChainDraws x(1000, 4);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.normal();
  EXPECT_LT(rhat(x), 1.01);
  EXPECT_GT(ess_bulk(x), 3000);
  EXPECT_LT(ess_bulk(x), 5000);
  ChainDraws shifted = x;
  shifted.col(3).array() += 1.0;
  EXPECT_GT(rhat(shifted), 1.1);
}

TEST(Diagnostics, EbfmiOfIidAndRandomWalk) {
  Rng rng(8, 0);
  std::vector<double> iid(4000);
  std::vector<double> walk(4000);
  double w = 0;
  for (std::size_t i = 0; i < iid.size(); ++i) {
    iid[i] = rng.normal();
    w += 0.05 * rng.normal();
    walk[i] = w;
  }
  EXPECT_NEAR(ebfmi(iid), 2.0, 0.15);
  EXPECT_LT(ebfmi(walk), 0.3);
}

}  // namespace
}  // namespace airy::infer

#include "airy/infer/summary.hpp"

namespace airy::infer {
namespace {

infer::Run fixture_run(const std::string& file) {
  const toml::table t = toml::parse_file((kFixtures / file).string());
  const ChainDraws x = read_draws(t);
  infer::Run run;
  run.wall_seconds = 2.0;
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    Chain ch;
    ch.id = static_cast<int>(c) + 1;
    ch.names = {"x"};
    ch.draws = x.col(c);
    ch.stats.resize(static_cast<std::size_t>(x.rows()));
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      ch.stats[static_cast<std::size_t>(i)].energy = x(i, c);
    }
    ch.stats[0].divergent = true;
    ch.gradient_evaluations = 100;
    run.chains.push_back(ch);
  }
  return run;
}

TEST(Summary, MatchesArviZSummaryAndFlags) {
  if (!std::filesystem::exists(kFixtures)) GTEST_SKIP();
  for (const char* file : {"iid_normal.toml", "chain_offset.toml", "ar1_rho09.toml"}) {
    SCOPED_TRACE(file);
    const toml::table t = toml::parse_file((kFixtures / file).string());
    const auto& a = *t["summary"].as_table();
    const Summary s = summarize(fixture_run(file));
    ASSERT_EQ(s.rows.size(), 1u);
    const auto& r = s.rows[0];
    expect_same(r.mean, a["mean"].value<double>().value(), "mean");
    expect_same(r.sd, a["sd"].value<double>().value(), "sd");
    expect_same(r.mcse_mean, a["mcse_mean"].value<double>().value(), "mcse_mean");
    expect_same(r.mcse_sd, a["mcse_sd"].value<double>().value(), "mcse_sd");
    expect_same(r.ess_bulk, a["ess_bulk"].value<double>().value(), "ess_bulk");
    expect_same(r.ess_tail, a["ess_tail"].value<double>().value(), "ess_tail");
    expect_same(r.rhat, a["r_hat"].value<double>().value(), "r_hat");
    EXPECT_EQ(s.num_divergent, 4);
    EXPECT_EQ(s.gradient_evaluations, 400);
    EXPECT_EQ(s.draws_per_chain, 200);
    const std::string text = format_summary(s);
    EXPECT_NE(text.find("Number of divergences: 4"), std::string::npos);
    EXPECT_NE(text.find("n_eff"), std::string::npos);
    EXPECT_NE(summary_csv(s).find("name,mean,sd"), std::string::npos);
    if (std::string(file) == "chain_offset.toml") {
      EXPECT_TRUE(r.flag_rhat);
      EXPECT_NE(text.find("WARNING (R)"), std::string::npos);
    }
    if (std::string(file) == "ar1_rho09.toml") {
      EXPECT_TRUE(r.flag_ess);  // ess_bulk ~19
    }
    if (std::string(file) == "iid_normal.toml") {
      EXPECT_FALSE(r.flag_ess);
      EXPECT_FALSE(r.flag_rhat);
    }
  }
}

}  // namespace
}  // namespace airy::infer
