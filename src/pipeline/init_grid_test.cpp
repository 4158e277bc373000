// SPDX-License-Identifier: BSD-3-Clause
// Grid initialisation of the MAP: on a binary whose position angle may lie anywhere in
// [0, 360) deg, single random L-BFGS starts end in secondary modes (the 180 deg flip and
// others) while the grid's best points reach the main mode; the distinct modes are told
// apart by the barrier between them; bad grid specifications are named.
#include "pipeline/init_grid.hpp"

#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <unistd.h>

#include <cmath>
#include <iostream>

#include "airy/config/config.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/short_flagship_test_util.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::pipeline {
namespace {

using testing::fresh_dir;
using testing::short_flagship;

/// The short flagship with position_angle ~ uniform(0, 360) deg, so that the flipped pair
/// (position angle + 180 deg, the brighter star on the other side) is a secondary mode, and
/// a 16 x 16 px image of it (true separation 0.1", position angle 90 deg).
class GridInit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // CTest runs each test as its own process, in parallel: one folder per process.
    config::Config c = short_flagship(fresh_dir("airy_grid_", std::to_string(::getpid())));
    for (auto& p : c.priors) {
      if (p.path == "source.position_angle") p.params = {{"low", 0.0}, {"high", 360.0}};
    }
    const SimulateResult sim = simulate(c, c.output_dir);
    config_ = new config::Config(c);
    data_ = new RunData(load_run_data(c, sim.data_path));
  }
  static void TearDownTestSuite() {
    delete data_;
    delete config_;
  }
  static const posterior::ImagePosterior& post() { return data_->posterior; }

  /// The main mode: L-BFGS from the true values.
  static posterior::OptimizeStart from_truth() {
    posterior::OptimizeOptions o;
    o.num_starts = 0;
    o.starts = {post().current_values()};
    o.handle_signals = false;
    return posterior::optimize(post(), o).best_start();
  }

  static config::Config* config_;
  static RunData* data_;
};
config::Config* GridInit::config_ = nullptr;
RunData* GridInit::data_ = nullptr;

int index_of(const posterior::OptimizeResult& r, const std::string& name) {
  for (std::size_t j = 0; j < r.names.size(); ++j) {
    if (r.names[j] == name) return static_cast<int>(j);
  }
  return -1;
}

TEST_F(GridInit, GridReachesTheMainModeWhereSingleRandomStartsDoNot) {
  const posterior::OptimizeStart main = from_truth();
  // Single random starts (seeds 1..6): at least one ends in a secondary mode, or the grid
  // would have nothing to show here.
  int missed = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    posterior::OptimizeOptions o;
    o.num_starts = 1;
    o.seed = seed;
    o.handle_signals = false;
    const double lp = posterior::optimize(post(), o).best_start().objective;
    EXPECT_LE(lp, main.objective + 1e-3) << "seed " << seed << " beat the truth's mode";
    if (lp < main.objective - 0.5) ++missed;
    std::cout << "single random start, seed " << seed << ": log density " << lp << " (main mode "
              << main.objective << ")\n";
  }
  EXPECT_GE(missed, 2) << "single random starts found the main mode too often";

  // The grid alone (no random starts): its 2 best points reach the main mode.
  GridSpec spec = parse_grid_flag("separation=8,position_angle=12");
  spec.starts = 2;
  posterior::OptimizeOptions o;
  o.num_starts = 0;
  o.handle_signals = false;
  const GridMap gm = grid_map(post(), spec, o);
  ASSERT_EQ(gm.grid.points.size(), 96u);
  EXPECT_EQ(gm.grid_starts, 2);
  const posterior::OptimizeStart& best = gm.map.best_start();
  EXPECT_NEAR(best.objective, main.objective, 1e-3);
  const int pa = index_of(gm.map, "position_angle");
  ASSERT_GE(pa, 0);
  EXPECT_NEAR(best.values[static_cast<std::size_t>(pa)], main.values[static_cast<std::size_t>(pa)],
              0.5);
  // The grid's axes: midpoints of 8 (12) equal cells of the uniform priors.
  EXPECT_DOUBLE_EQ(gm.grid.axis_values[0][0], 0.01 + 0.5 * (0.5 - 0.01) / 8);
  EXPECT_DOUBLE_EQ(gm.grid.axis_values[1][11], 345.0);
  ASSERT_FALSE(gm.modes.empty());
  EXPECT_NEAR(gm.modes[0].log_density, main.objective, 1e-3);
  const std::string text = grid_text(gm.grid, 2) + modes_text(gm.map, gm.modes, gm.grid_starts);
  EXPECT_NE(text.find("mode 1: log density"), std::string::npos);
  std::cout << text;
}

TEST_F(GridInit, FlippedPairIsADistinctModeAndNearbyEndsAreOne) {
  std::vector<double> truth = post().current_values();
  truth.resize(static_cast<std::size_t>(post().log_density().site_dim()));
  posterior::OptimizeOptions o;
  o.num_starts = 0;
  o.handle_signals = false;
  o.starts = {truth, truth};
  std::vector<double> flipped = truth, nudged = truth;
  posterior::OptimizeResult probe = posterior::optimize(post(), o);
  const auto pa = static_cast<std::size_t>(index_of(probe, "position_angle"));
  const auto sep = static_cast<std::size_t>(index_of(probe, "separation"));
  flipped[pa] = truth[pa] + 180.0;
  nudged[sep] = truth[sep] * 1.05;
  o.starts = {truth, flipped, nudged};
  const posterior::OptimizeResult r = posterior::optimize(post(), o);
  ASSERT_EQ(r.starts.size(), 3u);
  // The flip's end lies near position angle 270 deg, below the main mode.
  EXPECT_NEAR(r.starts[1].values[pa], 270.0, 10.0);
  EXPECT_LT(r.starts[1].objective, r.starts[0].objective - 1.0);
  const std::vector<Mode> modes = distinct_modes(post(), r);
  ASSERT_EQ(modes.size(), 2u);
  EXPECT_EQ(modes[0].members.size(), 2u);  // the truth's and the nudged start's ends
  EXPECT_EQ(modes[1].members, std::vector<int>{1});
  EXPECT_GT(modes[0].log_density, modes[1].log_density);
  // run_info.toml's [[map_modes]] parse back with the modes' numbers.
  const toml::table t = toml::parse(modes_toml(r, modes, 0));
  const toml::array* a = t["map_modes"].as_array();
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->size(), 2u);
  const toml::table& second = *a->get(1)->as_table();
  EXPECT_NEAR(second["log_density"].value_or(0.0), modes[1].log_density, 1e-8);
  EXPECT_EQ(second["starts"].value_or(0), 1);
  EXPECT_NEAR(second["values"]["position_angle"].value_or(0.0), r.starts[1].values[pa], 1e-9);
  std::cout << modes_text(r, modes, 0);
}

TEST_F(GridInit, BadGridsAreNamed) {
  GridSpec spec = parse_grid_flag("no_such=4");
  airy::testing::expect_invalid([&] { (void)grid_search(post(), spec, 1); },
                                {"--grid", "no_such", "not a sampled parameter", "separation"});
  airy::testing::expect_invalid([&] { check_grid(post(), spec); },
                                {"--grid", "no_such", "not a sampled parameter"});
  check_grid(post(), parse_grid_flag("separation=4,source.position_angle=3"));  // fine
  spec = parse_grid_flag("coefficients=4");
  airy::testing::expect_invalid([&] { (void)grid_search(post(), spec, 1); },
                                {"coefficients", "vector", "coefficients[1]"});
  spec = parse_grid_flag("separation=4,source.separation=3");
  airy::testing::expect_invalid([&] { (void)grid_search(post(), spec, 1); },
                                {"source.separation", "already a grid axis"});
  spec = parse_grid_flag("separation=4");
  spec.starts = 0;
  airy::testing::expect_invalid([&] { (void)grid_search(post(), spec, 1); },
                                {"--grid", "0", ">= 1"});
  airy::testing::expect_invalid([] { (void)parse_grid_flag("separation=0"); },
                                {"--grid", "separation", "'0'", "[2, 10000]"});
  airy::testing::expect_invalid([] { (void)parse_grid_flag("separation=x"); }, {"--grid", "'x'"});
  airy::testing::expect_invalid([] { (void)parse_grid_flag("separation"); },
                                {"--grid", "NAME=POINTS"});
  airy::testing::expect_invalid([] { (void)parse_grid_flag("a=2,,b=3"); },
                                {"--grid", "NAME=POINTS"});
}

TEST(GridConfig, MapGridParsesWritesBackAndRejectsBadValues) {
  const std::string head = "[sampler]\ninit = \"map\"\n";
  const config::Config c = config::parse_config(
      head + "map_grid = {separation = 8, \"source.position_angle\" = 12}\nmap_grid_starts = 3\n",
      "t.toml");
  ASSERT_EQ(c.sampler.map_grid.size(), 2u);
  EXPECT_EQ(c.sampler.map_grid[0], (std::pair<std::string, int>{"separation", 8}));
  EXPECT_EQ(c.sampler.map_grid[1], (std::pair<std::string, int>{"source.position_angle", 12}));
  EXPECT_EQ(c.sampler.map_grid_starts, 3);
  const config::Config back = config::parse_config(config::to_toml(c), "back.toml");
  EXPECT_EQ(back.sampler.map_grid, c.sampler.map_grid);
  EXPECT_EQ(back.sampler.map_grid_starts, 3);
  // A dotted key is a nested table in TOML: the same axis.
  const config::Config dotted =
      config::parse_config(head + "map_grid = {source.separation = 8}\n", "t.toml");
  EXPECT_EQ(dotted.sampler.map_grid.at(0).first, "source.separation");

  airy::testing::expect_invalid(
      [&] { (void)config::parse_config(head + "map_grid = {separation = 0}\n", "t.toml"); },
      {"sampler.map_grid", "separation = 0", "[2, 10000]"});
  airy::testing::expect_invalid(
      [&] { (void)config::parse_config(head + "map_grid = {separation = 2.5}\n", "t.toml"); },
      {"sampler.map_grid", "separation", "integer"});
  airy::testing::expect_invalid(
      [&] { (void)config::parse_config(head + "map_grid = 8\n", "t.toml"); },
      {"sampler.map_grid", "table"});
  airy::testing::expect_invalid(
      [&] {
        (void)config::parse_config(head + "map_grid = {separation = 4}\nmap_grid_starts = 0\n",
                                   "t.toml");
      },
      {"sampler.map_grid_starts", "0"});
  airy::testing::expect_invalid(
      [] { (void)config::parse_config("[sampler]\nmap_grid = {separation = 4}\n", "t.toml"); },
      {"sampler.map_grid", "not used"});
}

}  // namespace
}  // namespace airy::pipeline
