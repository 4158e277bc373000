// SPDX-License-Identifier: BSD-3-Clause
// Damaged and hostile CmdStan CSV files (found by fuzz/fuzz_csv.cpp, docs/reliability.md
// §Fuzzing): each must read or give airy::InvalidArgument naming the file, the line and the
// value; integers are range-checked before narrowing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/infer/summary.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "io/scratch_dir_test_util.hpp"

namespace airy::io {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const std::string kHeader =
    "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,x,y\n";

std::string csv_file(const std::string& name, const std::string& text) {
  const std::string path = (fs::path(testing::scratch_dir("csv_read")) / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(CmdStanCsvRead, SamplerIntegersAreRangeCheckedBeforeNarrowing) {
  // static_cast<int>(1e300) or of NaN is undefined behaviour; each names column and line.
  const struct {
    std::string row, message;
  } cases[] = {
      {"-1,0.9,0.5,1e300,3,0,2,1,2",
       "treedepth__ = 1e+300: expected an integer in [0, 2147483647]"},
      {"-1,0.9,0.5,2,nan,0,2,1,2", "n_leapfrog__ = nan"},
      {"-1,0.9,0.5,2,-3,0,2,1,2", "n_leapfrog__ = -3"},
      {"-1,0.9,0.5,2.5,3,0,2,1,2", "treedepth__ = 2.5"},
      {"-1,0.9,0.5,2,3,2,2,1,2", "divergent__ = 2: expected an integer in [0, 1]"},
  };
  for (const auto& c : cases) {
    const std::string path = csv_file("stats.csv", kHeader + c.row + "\n-1,0.9,0.5,2,3,0,2,1,2\n");
    EXPECT_THAT(
        [&] { read_cmdstan_csv(path); },
        ThrowsMessage<InvalidArgument>(AllOf(HasSubstr(path + ":2:"), HasSubstr(c.message))))
        << c.row;
  }
}

TEST(CmdStanCsvRead, ConfigIntegersAreRangeChecked) {
  const std::string ok_row = "-1,0.9,0.5,2,3,0,2,1,2\n";
  EXPECT_THAT(
      [&] { read_cmdstan_csv(csv_file("id.csv", "# id = 4294967298\n" + kHeader + ok_row)); },
      ThrowsMessage<InvalidArgument>(HasSubstr("config 'id' = 4294967298")));
  EXPECT_THAT(
      [&] {
        read_cmdstan_csv(
            csv_file("grad.csv", kHeader + ok_row + "# airy_gradient_evaluations = 1e30\n"));
      },
      ThrowsMessage<InvalidArgument>(HasSubstr("airy_gradient_evaluations = 1e+30")));
  const CmdStanCsv r = read_cmdstan_csv(
      csv_file("fine.csv", "# id = 3\n" + kHeader + ok_row + "# airy_gradient_evaluations = 77\n"));
  EXPECT_EQ(r.chain.id, 3);
  EXPECT_EQ(r.chain.gradient_evaluations, 77);
}

TEST(CmdStanCsvRead, HeaderColumnsMustBeNamedOnce) {
  const std::string stats =
      "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__";
  EXPECT_THAT([&] { read_cmdstan_csv(csv_file("dup.csv", stats + ",x,y,x\n")); },
              ThrowsMessage<InvalidArgument>(HasSubstr(":1: header column 'x' appears twice")));
  EXPECT_THAT([&] { read_cmdstan_csv(csv_file("empty.csv", stats + ",x,,y\n")); },
              ThrowsMessage<InvalidArgument>(HasSubstr("header column 9 has no name")));
}

TEST(CmdStanCsvRead, PartlyNumericMetricRowIsNotSilentlyShortened) {
  // "# 1, abc, 3" used to become the row {1, 3}.
  const std::string path =
      csv_file("metric.csv", kHeader +
                                 "# Adaptation terminated\n# Step size = 0.5\n"
                                 "# Elements of inverse mass matrix:\n# 1, 0\n# 0, abc\n" +
                                 "-1,0.9,0.5,2,3,0,2,1,2\n");
  EXPECT_THAT([&] { read_cmdstan_csv(path); },
              ThrowsMessage<InvalidArgument>(HasSubstr("dense inverse metric is not square")));
}

TEST(CmdStanCsvRead, HeaderOnlyChainsSummarise) {
  // An interrupted run whose chains hold no draw yet.
  const std::string a = csv_file("h1.csv", kHeader);
  const std::string b = csv_file("h2.csv", kHeader);
  const infer::Run run = read_cmdstan_csv_run({a, b});
  ASSERT_EQ(run.chains.size(), 2u);
  EXPECT_EQ(run.chains[0].draws.rows(), 0);
  const infer::Summary s = infer::summarize(run);
  EXPECT_EQ(s.draws_per_chain, 0);
}

/// Every seed and fixed reproducer of the fuzz corpus (chains separated by form feeds, as in
/// fuzz/fuzz_csv.cpp) reads and summarises or fails with InvalidArgument.
TEST(CmdStanCsvRead, FuzzCorpusReadsOrGivesInvalidArgument) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(AIRY_SOURCE_DIR "/tests/fuzz/corpus/csv")) {
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> paths;
    std::size_t begin = 0;
    while (true) {
      const std::size_t end = paths.size() == 3 ? std::string::npos : text.find('\f', begin);
      paths.push_back(csv_file("corpus_" + std::to_string(paths.size() + 1) + ".csv",
                               text.substr(begin, end == std::string::npos ? end : end - begin)));
      if (end == std::string::npos) break;
      begin = end + 1;
    }
    try {
      (void)infer::format_summary(infer::summarize(read_cmdstan_csv_run(paths)));
    } catch (const InvalidArgument&) {
    }
    ++files;
  }
  EXPECT_GE(files, 5);
}

}  // namespace
}  // namespace airy::io
