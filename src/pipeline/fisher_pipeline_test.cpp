// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `fisher`, `optimize` and `fit --init map --metric fisher` through the pipeline on
/// the small-pupil flagship: files written, values sane, the Fisher metric used unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;

/// The short flagship with 40 + 30 iterations and 2 MAP starts.
config::Config small_flagship(const std::string& out) {
  return testing::short_flagship(out, {.num_warmup = 40, .num_samples = 30, .map_starts = 2});
}

std::string fresh_dir(const std::string& name) { return testing::fresh_dir("airy_fisher_", name); }

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FisherPipeline, WritesBoundsCorrelationsAndPlot) {
  const std::string out = fresh_dir("fisher");
  const auto r = fisher_run(small_flagship(out), out, true);
  ASSERT_EQ(r.fisher.names.size(), 13u);
  EXPECT_EQ(r.fisher.units[2], "arcsec");  // from the path when the prior names no unit
  EXPECT_EQ(r.fisher.units[6], "nm");
  for (double crb : r.fisher.crb) EXPECT_GT(crb, 0.0);
  EXPECT_NE(r.table.find("separation"), std::string::npos);
  for (const char* f : {"crb.csv", "fisher.csv", "correlation.csv", "laplace_unconstrained.csv",
                        "correlation.png", "correlation.pdf"}) {
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  }
  const std::string crb = slurp(out + "/crb.csv");
  EXPECT_EQ(crb.rfind("parameter,unit,truth,crb,laplace_sd\nx_position,", 0), 0u) << crb;
  fs::remove_all(out);
}

TEST(FisherPipeline, OptimizeThenFitWithTheFisherMetric) {
  const std::string out = fresh_dir("fit");
  config::Config c = small_flagship(out + "/sim");
  const auto sim = simulate(c, c.output_dir);

  c.output_dir = out + "/opt";
  OptimizeRunOptions oo;
  oo.data_path = sim.data_path;
  oo.num_starts = 6;
  const auto opt = optimize_run(c, oo);
  EXPECT_EQ(opt.result.starts.size(), 6u);
  EXPECT_TRUE(std::isfinite(opt.result.best_start().objective));
  for (const char* f : {"optimize.csv", "optimize_starts.csv", "optimize.txt", "best_fit.fits",
                        "best_fit_residual.fits", "config.toml"}) {
    EXPECT_TRUE(fs::exists(fs::path(c.output_dir) / f)) << f;
  }
  // Every parameter within 6 Laplace standard deviations of its true value (noisy data),
  // read back from optimize.csv (parameter,unit,value,crb,laplace_sd).
  std::istringstream rows(slurp(c.output_dir + "/optimize.csv"));
  std::string line;
  std::getline(rows, line);
  int checked = 0;
  while (std::getline(rows, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 5u) << line;
    const double value = std::stod(cells[2]), sd = std::stod(cells[4]);
    EXPECT_LT(std::fabs(value - sim.truth.at(cells[0])), 6.0 * sd) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 13);
  oo.objective = "mode";
  EXPECT_THROW((void)optimize_run(c, oo), InvalidArgument);

  c.output_dir = out + "/fit";
  c.sampler.init = "map";
  c.sampler.metric = "fisher";
  FitOptions fo;
  fo.data_path = sim.data_path;
  fo.quiet = true;
  fo.plots = false;
  const FitResult fit_result = fit(c, fo);
  EXPECT_TRUE(fit_result.complete);
  EXPECT_NE(fit_result.summary_text.find("MAP: best of 2 L-BFGS starts"), std::string::npos);
  const std::string info = slurp(c.output_dir + "/run_info.toml");
  EXPECT_NE(info.find("map_gradient_evaluations"), std::string::npos);
  // The config written back keeps the keys; the CmdStan CSV says dense_e.
  const std::string toml = slurp(c.output_dir + "/config.toml");
  EXPECT_NE(toml.find("metric = \"fisher\""), std::string::npos);
  EXPECT_NE(toml.find("init = \"map\""), std::string::npos);
  const std::string csv = slurp(c.output_dir + "/chain_1.csv");
  EXPECT_NE(csv.find("dense_e"), std::string::npos);
  // The header says where the chains started and how the metric was set, not `init = 2`.
  EXPECT_NE(csv.find("\n# init = map\n"), std::string::npos);
  EXPECT_EQ(csv.find("# init = 2"), std::string::npos);
  EXPECT_NE(csv.find("# airy_init = map: every chain starts at the MAP (best of 2 L-BFGS"),
            std::string::npos);
  EXPECT_NE(csv.find("# airy_metric = fisher: dense (Fisher + negative prior Hessian)^-1"),
            std::string::npos);
  fs::remove_all(out);
}

TEST(FisherPipeline, ConfigKeysAreParsedAndValidated) {
  // Replace the flagship's own sampler keys (whatever their values) by the ones under test.
  std::string text(config::flagship_toml());
  for (const std::string key :
       {"\nmetric = ", "\ninit = ", "\nmap_starts = ", "\nmetric_init = "}) {
    const auto at = text.find(key);
    if (at != std::string::npos) text.erase(at, text.find('\n', at + 1) - at);
  }
  const auto at = text.find("\n[sampler]\n");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 11, "metric = \"fisher\"\ninit = \"map\"\nmap_starts = 3\n");
  const config::Config c = config::parse_config(text, "<t>");
  EXPECT_EQ(c.sampler.metric, "fisher");
  EXPECT_EQ(c.sampler.init, "map");
  EXPECT_EQ(c.sampler.map_starts, 3);
  const config::Config back = config::parse_config(config::to_toml(c), "<round trip>");
  EXPECT_EQ(back.sampler.init, "map");
  EXPECT_EQ(back.sampler.map_starts, 3);
  std::string bad = text;
  bad.replace(bad.find("init = \"map\""), 12, "init = \"mle\"");
  try {
    (void)config::parse_config(bad, "<t>");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("init"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace airy::pipeline
