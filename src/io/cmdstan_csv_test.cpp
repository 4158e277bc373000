// SPDX-License-Identifier: BSD-3-Clause
#include "airy/io/cmdstan_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "airy/core/error.hpp"
#include "io/scratch_dir_test_util.hpp"

namespace airy::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string temp_dir() { return testing::scratch_dir("csv"); }

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool is_identifier(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_integer(const std::string& s) {
  const std::size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
  return s.size() > start && std::all_of(s.begin() + static_cast<std::ptrdiff_t>(start), s.end(),
                                         [](char c) { return c >= '0' && c <= '9'; });
}

const std::vector<std::string> kNames = {"source.separation", "optics.aperture.coefficients[1]",
                                         "optics.aperture.coefficients[2]", "flux"};

/// Streams `warmup` + `samples` draws through a sink, like the sampler does.
infer::Chain sample_through_sink(CmdStanCsvSink& sink, int warmup, int samples, bool complete,
                                 bool save_warmup) {
  infer::Chain c;
  c.id = 3;
  c.names = kNames;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n01;
  sink.begin(c.id, c.names);
  const int rows = (save_warmup ? warmup : 0) + samples;
  c.draws.resize(rows, 4);
  int r = 0;
  for (int i = 0; i < warmup + samples; ++i) {
    const bool w = i < warmup;
    if (i == warmup) {
      c.stepsize = 0.8123456789012345;
      c.inv_metric = RealMatrix::Constant(4, 1, 0.1);
      c.inv_metric(2, 0) = 1.0 / 3.0;
      sink.adaptation(c.stepsize, c.inv_metric);
    }
    std::vector<double> v = {0.25 + 1e-3 * n01(rng), 1e-8 * n01(rng), -3e-9 * n01(rng),
                             1e6 * (1 + n01(rng))};
    infer::SampleStats s{-10.0 * n01(rng), 0.9, c.stepsize > 0 ? c.stepsize : 0.5, 3, 7, i % 5 == 0,
                         12.5 + n01(rng)};
    if (w && !save_warmup) {
      sink.draw(w, v, s);  // the sink must drop it: the header says save_warmup = 0
      continue;
    }
    for (int j = 0; j < 4; ++j) c.draws(r, j) = v[j];
    c.stats.push_back(s);
    sink.draw(w, v, s);
    ++r;
  }
  c.num_warmup_saved = save_warmup ? warmup : 0;
  c.complete = complete;
  c.warmup_seconds = 1.25;
  c.sampling_seconds = 2.5;
  c.gradient_evaluations = 1234;
  sink.end(c);
  return c;
}

TEST(CmdStanCsv, NameMappingIsReversible) {
  EXPECT_EQ(to_cmdstan_name("optics.aperture.coefficients[3]"), "optics__aperture__coefficients.3");
  EXPECT_EQ(to_cmdstan_name("theta[1,2]"), "theta.1.2");
  EXPECT_EQ(to_cmdstan_name("sigma"), "sigma");
  EXPECT_EQ(from_cmdstan_name("theta.1.2"), "theta[1,2]");
  EXPECT_EQ(from_cmdstan_name("lp__"), "lp__");
  for (const std::string& n : kNames) EXPECT_EQ(from_cmdstan_name(to_cmdstan_name(n)), n);
  EXPECT_EQ(csv_chain_path("out/fit.csv", 2), "out/fit_2.csv");
  EXPECT_EQ(csv_chain_path("fit-{id}.csv", 4), "fit-4.csv");
}

TEST(CmdStanCsv, WritesTheCmdStanLayoutThatCmdstanpyParses) {
  CsvSinkOptions opt;
  opt.path_pattern = temp_dir() + "/fit_{id}.csv";
  opt.settings.num_warmup = 5;
  opt.settings.num_samples = 10;
  opt.settings.seed = 42;
  opt.settings.extra = {{"zernike_noll", "4,5"}};
  CmdStanCsvSink sink(opt);
  sample_through_sink(sink, 5, 10, true, false);
  EXPECT_EQ(sink.path(), temp_dir() + "/fit_3.csv");
  const auto lines = read_lines(sink.path());

  // What cmdstanpy's parser requires, checked the way it checks them.
  std::map<std::string, std::string> config;
  std::size_t header = 0;
  for (; header < lines.size() && lines[header].starts_with("#"); ++header) {
    const std::string body = lines[header].substr(1);
    const auto parts = std::count(body.begin(), body.end(), '=');
    ASSERT_LE(parts, 1) << lines[header];  // cmdstanpy splits on '=' into exactly two parts
    if (parts == 1) {
      const auto eq = body.find(" = ");
      ASSERT_NE(eq, std::string::npos) << body;
      const std::string key =
          body.substr(body.find_first_not_of(' '), eq - body.find_first_not_of(' '));
      ASSERT_TRUE(is_identifier(key)) << body;
      std::string value = body.substr(eq + 3);
      if (value.ends_with(" (Default)")) value.resize(value.size() - 10);
      config[key] = value;
    }
  }
  for (const char* key : {"model", "method", "num_samples", "num_warmup", "save_warmup", "thin",
                          "max_depth", "metric", "stan_version_major", "stan_version_minor",
                          "stan_version_patch", "id", "seed", "airy_version", "zernike_noll"}) {
    EXPECT_TRUE(config.count(key)) << key;
  }
  EXPECT_EQ(config["method"], "sample");
  EXPECT_EQ(config["engine"], "nuts");
  EXPECT_EQ(config["algorithm"], "hmc");
  EXPECT_EQ(config["id"], "3");
  EXPECT_EQ(config["seed"], "42");
  EXPECT_EQ(config["save_warmup"], "0");
  ASSERT_LT(header, lines.size());
  EXPECT_EQ(lines[header],
            "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,"
            "source__separation,optics__aperture__coefficients.1,"
            "optics__aperture__coefficients.2,flux");
  EXPECT_EQ(lines[header + 1], "# Adaptation terminated");
  EXPECT_EQ(lines[header + 2], "# Step size = 0.8123456789012345");
  EXPECT_EQ(lines[header + 3], "# Diagonal elements of inverse mass matrix:");
  EXPECT_EQ(lines[header + 4], "# 0.1, 0.1, 0.3333333333333333, 0.1");
  int draws = 0;
  for (std::size_t i = header + 5; i < lines.size() && !lines[i].starts_with("#"); ++i) {
    std::vector<std::string> f;
    std::stringstream ss(lines[i]);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 11u);
    for (int j : {3, 4, 5}) {  // cmdstanpy calls int() on these
      EXPECT_TRUE(is_integer(f[j])) << f[j];
    }
    ++draws;
  }
  EXPECT_EQ(draws, 10);
  EXPECT_THAT(lines, ::testing::Contains("#  Elapsed Time: 1.250 seconds (Warm-up)"));
  EXPECT_THAT(lines, ::testing::Contains("#                3.750 seconds (Total)"));
}

TEST(CmdStanCsv, RoundTripsExactlyWithWarmup) {
  CsvSinkOptions opt;
  opt.path_pattern = temp_dir() + "/warm.csv";
  opt.settings.save_warmup = true;
  opt.flush_every = 3;
  CmdStanCsvSink sink(opt);
  const infer::Chain c = sample_through_sink(sink, 4, 6, true, true);
  const CmdStanCsv r = read_cmdstan_csv(temp_dir() + "/warm_3.csv");
  EXPECT_EQ(r.chain.names, kNames);
  EXPECT_EQ(r.chain.id, 3);
  EXPECT_TRUE(r.chain.complete);
  EXPECT_EQ(r.chain.num_warmup_saved, 4);
  EXPECT_EQ(r.chain.num_draws(), 6);
  ASSERT_EQ(r.chain.draws.rows(), 10);
  EXPECT_EQ((r.chain.draws - c.draws).cwiseAbs().maxCoeff(), 0.0);  // shortest round trip
  ASSERT_EQ(r.chain.stats.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r.chain.stats[i].lp, c.stats[i].lp);
    EXPECT_EQ(r.chain.stats[i].energy, c.stats[i].energy);
    EXPECT_EQ(r.chain.stats[i].divergent, c.stats[i].divergent);
    EXPECT_EQ(r.chain.stats[i].n_leapfrog, 7);
  }
  EXPECT_EQ(r.chain.stepsize, c.stepsize);
  EXPECT_EQ(r.chain.inv_metric, c.inv_metric);
  EXPECT_DOUBLE_EQ(r.chain.warmup_seconds, 1.25);
  EXPECT_DOUBLE_EQ(r.chain.sampling_seconds, 2.5);
  EXPECT_EQ(r.chain.gradient_evaluations, 1234);
  EXPECT_EQ(r.dropped_partial_lines, 0);
}

// column_names: the header shows the caller's names (matrix names `p[s,a]` for a sampler's
// flat `p[k]`), a matrix column-major as CmdStan writes it (first index fastest, what
// stanio's reshape assumes), each value under its own name on reading; a wrong count is named.
TEST(CmdStanCsv, ColumnNamesReplaceTheSamplersMatricesColumnMajor) {
  CsvSinkOptions opt;
  opt.path_pattern = temp_dir() + "/named.csv";
  // Row-major (star, axis) as the sampler orders positions: p[1,1] p[1,2] | p[2,1] ...
  opt.column_names = {"p[1,1]", "p[1,2]", "p[2,1]", "p[2,2]"};
  CmdStanCsvSink sink(opt);
  const infer::Chain c = sample_through_sink(sink, 2, 5, true, false);
  const std::vector<std::string> lines = read_lines(temp_dir() + "/named_3.csv");
  EXPECT_THAT(lines, ::testing::Contains("lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,"
                                         "divergent__,energy__,p.1.1,p.2.1,p.1.2,p.2.2"));
  const CmdStanCsv r = read_cmdstan_csv(temp_dir() + "/named_3.csv");
  EXPECT_EQ(r.chain.names, (std::vector<std::string>{"p[1,1]", "p[2,1]", "p[1,2]", "p[2,2]"}));
  const int from[4] = {0, 2, 1, 3};  // the sampler's column of each file column
  for (int j = 0; j < 4; ++j) {
    EXPECT_EQ((r.chain.draws.col(j) - c.draws.col(from[j])).cwiseAbs().maxCoeff(), 0.0) << j;
  }
  // Scalars and vectors keep their places around a matrix.
  CsvSinkOptions mixed = opt;
  mixed.path_pattern = temp_dir() + "/mixed.csv";
  mixed.column_names = {"a", "m[1,1]", "m[1,2]", "m[2,1]"};  // m's entries, then...
  CmdStanCsvSink sink2(mixed);
  (void)sample_through_sink(sink2, 2, 3, true, false);
  EXPECT_THAT(read_lines(temp_dir() + "/mixed_3.csv"),
              ::testing::Contains("lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,"
                                  "divergent__,energy__,a,m.1.1,m.2.1,m.1.2"));

  CsvSinkOptions bad;
  bad.path_pattern = temp_dir() + "/bad_names.csv";
  bad.column_names = {"a", "b"};
  CmdStanCsvSink wrong(bad);
  try {
    wrong.begin(1, kNames);
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("2 column names given for the sampler's 4 outputs"));
  }
}

TEST(CmdStanCsv, InterruptedFileDropsThePartialLine) {
  CsvSinkOptions opt;
  opt.path_pattern = temp_dir() + "/cut.csv";
  CmdStanCsvSink sink(opt);
  sample_through_sink(sink, 2, 5, false, false);
  { std::ofstream(sink.path(), std::ios::app) << "-1.5,0.9,0.8,3,7,0,12.1,0.25,1e-0"; }
  const CmdStanCsv r = read_cmdstan_csv(sink.path());
  EXPECT_FALSE(r.chain.complete);
  EXPECT_EQ(r.chain.num_draws(), 5);
  EXPECT_EQ(r.dropped_partial_lines, 1);
  // A short last line that does end in a newline is dropped too.
  { std::ofstream(sink.path(), std::ios::app) << "\n"; }
  EXPECT_EQ(read_cmdstan_csv(sink.path()).chain.num_draws(), 5);
}

TEST(CmdStanCsv, ReadsDenseMetricNonFiniteValuesAndWholeRuns) {
  infer::Chain c;
  c.names = {"a", "b"};
  c.draws.resize(2, 2);
  c.draws << std::numeric_limits<double>::quiet_NaN(), 1.0,
      -std::numeric_limits<double>::infinity(), 2.0;
  c.stats.resize(2);
  c.stepsize = 0.5;
  c.inv_metric.resize(2, 2);
  c.inv_metric << 1.0, 0.5, 0.5, 2.0;
  CsvSamplerSettings s;
  s.metric = "dense_e";
  const std::string p1 = temp_dir() + "/dense_1.csv", p2 = temp_dir() + "/dense_2.csv";
  write_cmdstan_csv(p1, c, s);
  c.id = 2;
  write_cmdstan_csv(p2, c, s);
  const infer::Run run = read_cmdstan_csv_run({p1, p2});
  ASSERT_EQ(run.chains.size(), 2u);
  EXPECT_EQ(run.chains[1].id, 2);
  EXPECT_TRUE(std::isnan(run.chains[0].draws(0, 0)));
  EXPECT_EQ(run.chains[0].draws(1, 0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(run.chains[0].inv_metric, c.inv_metric);
}

TEST(CmdStanCsv, ReadsAFileWrittenByCmdStan) {
  // Abridged from CmdStan 2.36 output (shared/reference/nuts.md §2.7).
  const std::string path = temp_dir() + "/cmdstan_1.csv";
  {
    std::ofstream o(path);
    o << "# stan_version_major = 2\n# model = mymodel_model\n# method = sample (Default)\n"
         "#   sample\n#     num_samples = 2 (Default)\n#     save_warmup = false (Default)\n"
         "#         metric = diag_e (Default)\n# id = 2\n# stancflags = \n"
         "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,"
         "theta.1,theta.2,sigma\n"
         "# Adaptation terminated\n# Step size = 0.812345\n"
         "# Diagonal elements of inverse mass matrix:\n# 0.98, 1.02, 0.11\n"
         "-7.49727,1,0.812345,2,3,0,8.37774,0.419069,1.2,0.7\n"
         "-7.1,0.95,0.812345,1,3,1,7.9,0.5,1.1,0.6\n"
         "# \n#  Elapsed Time: 0.012 seconds (Warm-up)\n#                0.034 seconds (Sampling)\n"
         "#                0.046 seconds (Total)\n# \n";
  }
  const CmdStanCsv r = read_cmdstan_csv(path);
  EXPECT_EQ(r.chain.names, (std::vector<std::string>{"theta[1]", "theta[2]", "sigma"}));
  EXPECT_EQ(r.chain.id, 2);
  EXPECT_TRUE(r.chain.complete);
  EXPECT_EQ(r.chain.num_warmup_saved, 0);
  ASSERT_EQ(r.chain.num_draws(), 2);
  EXPECT_EQ(r.chain.draws(1, 2), 0.6);
  EXPECT_TRUE(r.chain.stats[1].divergent);
  EXPECT_EQ(r.chain.stats[0].treedepth, 2);
  EXPECT_EQ(r.chain.stepsize, 0.812345);
  EXPECT_EQ(r.chain.inv_metric.rows(), 3);
  EXPECT_EQ(r.chain.inv_metric(2, 0), 0.11);
  EXPECT_DOUBLE_EQ(r.chain.sampling_seconds, 0.034);
  EXPECT_EQ(r.config.at("model"), "mymodel_model");
  EXPECT_EQ(r.config.at("method"), "sample");
  EXPECT_EQ(r.config.at("stancflags"), "");
}

TEST(CmdStanCsv, ErrorsNameFileAndLine) {
  EXPECT_THAT([] { read_cmdstan_csv("/nonexistent/fit_1.csv"); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("/nonexistent/fit_1.csv")));
  const std::string bad = temp_dir() + "/bad.csv";
  {
    std::ofstream o(bad);
    o << "# model = m\nlp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,"
         "energy__,x\n1,1,1,1,1,0,1,oops\n1,1,1,1,1,0,1,2\n";
  }
  EXPECT_THAT([&] { read_cmdstan_csv(bad); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr(bad + ":3:")));
  CsvSinkOptions opt;
  const std::string blocker = temp_dir() + "/a_file";
  { std::ofstream(blocker) << "x"; }
  opt.path_pattern = blocker + "/fit.csv";  // a directory that cannot be created
  opt.exact_path = true;
  CmdStanCsvSink sink(opt);
  std::vector<std::string> names = {"x"};
  EXPECT_THROW(sink.begin(1, names), Error);
}

TEST(CmdStanCsv, PandasReadsTheFileWhenPythonIsAvailable) {
  if (std::system("/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with pandas not available";
  }
  CsvSinkOptions opt;
  opt.path_pattern = temp_dir() + "/py.csv";
  opt.settings.save_warmup = true;
  opt.settings.num_warmup = 4;
  opt.settings.num_samples = 6;
  CmdStanCsvSink sink(opt);
  sample_through_sink(sink, 4, 6, true, true);
  const std::string cmd = std::string("/usr/bin/python3 ") + AIRY_SOURCE_DIR +
                          "/tests/python/check_cmdstan_csv.py " + sink.path() + " 4 6";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

}  // namespace
}  // namespace airy::io
