// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The io writers on a failing disk: FITS and NetCDF appear under their final name
/// only whole (an injected ENOSPC leaves the older file and no temporary one), the CmdStan
/// CSV sink names the file on a write error; inf pixels read back as inf.
#include <gtest/gtest.h>
#include <netcdf.h>

#include <filesystem>
#include <limits>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/io/inference_data.hpp"
#include "io/scratch_dir_test_util.hpp"

namespace airy::io {
namespace {

namespace fs = std::filesystem;

int entries(const std::string& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

/// Runs `write`, which must fail with an airy::Error naming `path`.
template <class F>
void expect_failure_naming(const std::string& path, F write) {
  try {
    write();
    FAIL() << "expected an error for " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(AtomicOutputs, FitsWriteFailureKeepsTheOldFileAndLeavesNoTemporary) {
  const std::string dir = testing::scratch_dir("atomic_fits");
  const std::string path = dir + "/data.fits";
  write_fits(path, RealImage::Constant(4, 6, 1.0), FitsHeader{});
  inject_write_failure_after(1);
  expect_failure_naming(path, [&] { write_fits(path, RealImage::Constant(4, 6, 2.0), {}); });
  EXPECT_EQ(read_fits(path).image(0, 0), 1.0);
  EXPECT_EQ(entries(dir), 1);
  write_fits(path, RealImage::Constant(4, 6, 3.0), FitsHeader{});
  EXPECT_EQ(read_fits(path).image(0, 0), 3.0);
  EXPECT_EQ(entries(dir), 1);
}

TEST(AtomicOutputs, InfinitePixelsReadBackAsInfinite) {
  const std::string path = testing::scratch_dir("atomic_inf") + "/inf.fits";
  RealImage image = RealImage::Constant(4, 6, 1.0);
  image(1, 2) = std::numeric_limits<double>::infinity();
  image(3, 5) = -std::numeric_limits<double>::infinity();
  image(2, 0) = std::numeric_limits<double>::quiet_NaN();
  write_fits(path, image, FitsHeader{});
  const RealImage back = read_fits(path).image;
  EXPECT_EQ(back(1, 2), std::numeric_limits<double>::infinity());
  EXPECT_EQ(back(3, 5), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(back(2, 0)));
  try {
    check_all_finite(back, "data file 'inf.fits'");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("pixel (x=2, y=1) = inf is not finite"), std::string::npos)
        << e.what();
  }
  RealImage one_inf = RealImage::Constant(4, 6, 1.0);
  one_inf(3, 5) = -std::numeric_limits<double>::infinity();
  write_fits(path, one_inf, FitsHeader{});
  try {
    check_all_finite(read_fits(path).image, "data file 'inf.fits'");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("pixel (x=5, y=3) = -inf is not finite"),
              std::string::npos)
        << e.what();
  }
}

infer::Run two_chains(int draws) {
  infer::Run run;
  for (int c = 0; c < 2; ++c) {
    infer::Chain ch;
    ch.id = c + 1;
    ch.names = {"a", "b"};
    ch.draws = RealMatrix::Constant(draws, 2, 0.5 + c);
    ch.stats.resize(static_cast<std::size_t>(draws));
    ch.complete = false;
    run.chains.push_back(ch);
  }
  return run;
}

TEST(AtomicOutputs, NetcdfWriteFailureLeavesNothingAndNoDrawsNeedsTheOption) {
  const std::string dir = testing::scratch_dir("atomic_nc");
  const std::string path = dir + "/posterior.nc";
  inject_write_failure_after(1);
  expect_failure_naming(path, [&] { write_inference_data(path, two_chains(5)); });
  EXPECT_EQ(entries(dir), 0);

  // A run interrupted before its first draw: an error by default, the observed data only
  // with allow_no_draws.
  EXPECT_THROW(write_inference_data(path, two_chains(0)), InvalidArgument);
  InferenceDataOptions opt;
  opt.observed = {{"image", RealImage::Constant(3, 3, 7.0)}};
  opt.allow_no_draws = true;
  write_inference_data(path, two_chains(0), opt);
  int root = 0, group = 0;
  ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &root), NC_NOERR);
  EXPECT_EQ(nc_inq_grp_ncid(root, "observed_data", &group), NC_NOERR);
  EXPECT_NE(nc_inq_grp_ncid(root, "posterior", &group), NC_NOERR);
  nc_close(root);
  EXPECT_EQ(entries(dir), 1);
}

TEST(AtomicOutputs, CsvSinkNamesTheFileOnAFullDisk) {
  CsvSinkOptions o;
  o.path_pattern = "/dev/full";  // every write fails with ENOSPC
  o.exact_path = true;
  CmdStanCsvSink sink(o);
  const std::vector<std::string> names = {"a"};
  try {
    sink.begin(1, names);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'/dev/full': cannot be written: No space left"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace airy::io
