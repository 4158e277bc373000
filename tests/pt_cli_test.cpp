// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The airy binary with parallel tempering: `fit --pt` (the NUTS settings it sets
/// aside are named, NUTS-only options are usage errors) and `compare` (exit codes, output).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "airy/config/config.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Cli {
  int code = -1;
  std::string output;
};

/// `airy <args>` with stdout and stderr together.
Cli run_airy(const std::string& args) {
  Cli r;
  FILE* pipe = popen((std::string(AIRY_CLI_PATH) + " " + args + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) r.output += buffer;
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

/// A 3-parameter single star (optics fixed) on a 32 px pupil, as a NUTS config file.
config::Config tiny_single_star(const std::string& out) {
  config::Config c = pipeline::testing::short_flagship(out);
  c.source.type = "point";
  std::erase_if(c.priors, [](const config::PriorConfig& p) {
    return p.path != "source.x_position" && p.path != "source.y_position" &&
           p.path != "source.log_flux";
  });
  return c;
}

TEST(PtCli, FitPtNamesTheNutsSettingsAndRuns) {
  const fs::path dir = pipeline::testing::fresh_dir("airy_ptcli_", "fit");
  config::Config c = tiny_single_star((dir / "run").string());
  const auto sim = pipeline::simulate(c, (dir / "sim").string());
  write_file(dir / "nuts.toml", config::to_toml(c));  // init = map, metric_init = laplace

  // NUTS-only options are usage errors with --pt.
  Cli bad = run_airy(fmt::format("fit {} --data {} --pt --warmup 10", (dir / "nuts.toml").string(),
                                 sim.data_path));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("--warmup = 10: not used by parallel tempering"));

  // A PT config with a NUTS key: the key is named.
  config::Config pt = c;
  (void)pipeline::switch_to_pt(pt);
  pt.sampler.pt_chains = 4;
  pt.sampler.pt_rounds = 4;
  std::string text = config::to_toml(pt);
  text.insert(text.find("[sampler]\n") + 10, "num_samples = 100\n");
  write_file(dir / "pt_bad.toml", text);
  bad = run_airy(fmt::format("fit {} --data {}", (dir / "pt_bad.toml").string(), sim.data_path));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("sampler.num_samples = 100: not used with method = \"pt\""));

  // --pt on the NUTS file: a note names what is set aside, then the PT report and summary.
  const Cli ok =
      run_airy(fmt::format("fit {} --data {} --pt --chains 2 --no-plots --out {}",
                           (dir / "nuts.toml").string(), sim.data_path, (dir / "run").string()));
  ASSERT_EQ(ok.code, 0) << ok.output;
  EXPECT_THAT(ok.output, HasSubstr("--pt: the config's NUTS settings do not apply"));
  EXPECT_THAT(ok.output, HasSubstr("init = \"map\""));
  EXPECT_THAT(ok.output,
              HasSubstr("Parallel tempering (non-reversible, NUTS explorers): 2 run(s)"));
  EXPECT_THAT(ok.output, HasSubstr("Per-chain means"));
  const config::Config back = config::load_config((dir / "run" / "config.toml").string());
  EXPECT_EQ(back.sampler.method, "pt");

  // `airy summary` prints the PT table again, from run_info.toml, as `fit` printed it: the
  // block from the table's title to the log Z of all runs.
  const Cli again = run_airy(fmt::format("summary {}", (dir / "run").string()));
  ASSERT_EQ(again.code, 0) << again.output;
  const auto pt_block = [](const std::string& text) {
    const auto first = text.find("Parallel tempering (non-reversible");
    const auto z = text.find("log Z = ", first);
    if (first == std::string::npos || z == std::string::npos) return std::string();
    return text.substr(first, text.find('\n', z) - first);
  };
  EXPECT_THAT(pt_block(ok.output), HasSubstr("swap acceptance of each pair"));
  EXPECT_EQ(pt_block(again.output), pt_block(ok.output)) << again.output;
}

TEST(PtCli, ComparePrintsTheBayesFactor) {
  const fs::path dir = pipeline::testing::fresh_dir("airy_ptcli_", "compare");
  config::Config c = tiny_single_star((dir / "out").string());
  (void)pipeline::switch_to_pt(c);
  c.sampler.pt_chains = 4;
  c.sampler.pt_rounds = 4;
  const auto sim = pipeline::simulate(c, (dir / "sim").string());
  write_file(dir / "a.toml", config::to_toml(c));
  c.sampler.seed += 1;
  write_file(dir / "b.toml", config::to_toml(c));
  const Cli r =
      run_airy(fmt::format("compare {} {} --data {} --quiet --chains 1", (dir / "a.toml").string(),
                           (dir / "b.toml").string(), sim.data_path));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("log Z_A = "));
  EXPECT_THAT(r.output, HasSubstr("log Bayes factor A vs B = log Z_A - log Z_B = "));
  // A missing data file: exit 2 naming it.
  const Cli bad = run_airy(fmt::format("compare {} {} --data {} --quiet", (dir / "a.toml").string(),
                                       (dir / "b.toml").string(), (dir / "nope.fits").string()));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("nope.fits"));
}

}  // namespace
}  // namespace airy
