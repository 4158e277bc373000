// SPDX-License-Identifier: BSD-3-Clause
#include "airy/io/inference_data.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netcdf.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "airy/core/error.hpp"
#include "io/scratch_dir_test_util.hpp"

namespace airy::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string temp_path(const std::string& name) {
  return (fs::path(testing::scratch_dir("nc")) / name).string();
}

/// 3 chains, 2 saved warmup + 5 draws, names: a scalar, a 3-vector, a scalar.
infer::Run make_run() {
  infer::Run run;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n01;
  for (int c = 0; c < 3; ++c) {
    infer::Chain ch;
    ch.id = c + 1;
    ch.names = {"source.separation", "optics.coefficients[1]", "optics.coefficients[2]",
                "optics.coefficients[3]", "flux"};
    ch.num_warmup_saved = 2;
    ch.draws.resize(7, 5);
    for (int i = 0; i < 7; ++i) {
      for (int j = 0; j < 5; ++j) ch.draws(i, j) = 100.0 * c + 10.0 * i + j;  // decodable
      infer::SampleStats s{-n01(rng), 0.9, 0.5, 2, 3, (i + c) % 3 == 0, 4.0};
      ch.stats.push_back(s);
    }
    run.chains.push_back(ch);
  }
  return run;
}

int group(int nc, const char* name) {
  int g = -1;
  EXPECT_EQ(nc_inq_grp_ncid(nc, name, &g), NC_NOERR) << name;
  return g;
}

TEST(InferenceData, GroupsNamesIntoVariables) {
  const auto vars = group_names({"a", "b[2]", "b[1]", "c[1,1]", "c[1,2]", "c[2,1]", "c[2,2]"});
  ASSERT_EQ(vars.size(), 3u);
  EXPECT_EQ(vars[1].name, "b");
  EXPECT_EQ(vars[1].columns, (std::vector<int>{2, 1}));
  EXPECT_EQ(vars[2].shape, (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(vars[2].columns, (std::vector<int>{3, 4, 5, 6}));
  EXPECT_THAT(
      [] {
        group_names({"x[1]", "x[3]"});
      },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("incomplete")));
  EXPECT_THROW(group_names({"x[1]", "x[1]"}), InvalidArgument);
  EXPECT_EQ(netcdf_name("a/b c"), "a_b_c");
  EXPECT_EQ(netcdf_name("1x"), "_1x");
}

TEST(InferenceData, WritesTheArviZLayout) {
  const std::string path = temp_path("fit.nc");
  InferenceDataOptions opt;
  RealImage img(4, 6);
  img.setConstant(2.0);
  img(3, 5) = 7.0;
  opt.observed = {{"image", img}};
  opt.units["source.separation"] = "arcsec";
  opt.truth = {{"source.separation", 0.3},
               {"optics.coefficients[1]", 1e-8},
               {"optics.coefficients[2]", 2e-8},
               {"optics.coefficients[3]", 3e-8}};
  opt.constant_data = {{"wavelengths", {5e-7, 6e-7}, "wavelength", "m"}};
  write_inference_data(path, make_run(), opt);

  int nc = 0;
  ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &nc), NC_NOERR);
  int format = 0;
  nc_inq_format(nc, &format);
  EXPECT_EQ(format, NC_FORMAT_NETCDF4);
  int ndims = -1, nvars = -1, natts = -1;
  nc_inq(nc, &ndims, &nvars, &natts, nullptr);
  EXPECT_EQ(ndims, 0);  // root: attributes only
  EXPECT_EQ(nvars, 0);
  EXPECT_GE(natts, 6);
  char text[64] = {};
  ASSERT_EQ(nc_get_att_text(nc, NC_GLOBAL, "inference_library", text), NC_NOERR);
  EXPECT_STREQ(text, "airy");

  const int post = group(nc, "posterior");
  int v = 0, nd = 0, dims[NC_MAX_VAR_DIMS] = {};
  ASSERT_EQ(nc_inq_varid(post, "optics.coefficients", &v), NC_NOERR);
  nc_inq_varndims(post, v, &nd);
  ASSERT_EQ(nd, 3);
  nc_inq_vardimid(post, v, dims);
  char dname[NC_MAX_NAME + 1] = {};
  std::size_t len = 0;
  nc_inq_dim(post, dims[0], dname, &len);
  EXPECT_STREQ(dname, "chain");
  EXPECT_EQ(len, 3u);
  nc_inq_dim(post, dims[1], dname, &len);
  EXPECT_STREQ(dname, "draw");
  EXPECT_EQ(len, 5u);  // warmup rows are not in the posterior
  nc_inq_dim(post, dims[2], dname, &len);
  EXPECT_STREQ(dname, "optics.coefficients_dim_0");
  EXPECT_EQ(len, 3u);
  std::vector<double> buf(3 * 5 * 3);
  nc_get_var_double(post, v, buf.data());
  // chain 2, draw 4 (row 6), coefficient 3 (column 3): 100*2 + 10*6 + 3.
  EXPECT_EQ(buf[(2 * 5 + 4) * 3 + 2], 263.0);
  ASSERT_EQ(nc_inq_varid(post, "source.separation", &v), NC_NOERR);
  ASSERT_EQ(nc_get_att_text(post, v, "units", text), NC_NOERR);
  long long draw_coords[5] = {};
  ASSERT_EQ(nc_inq_varid(post, "draw", &v), NC_NOERR);
  nc_get_var_longlong(post, v, draw_coords);
  EXPECT_EQ(draw_coords[4], 4);

  const int stats = group(nc, "sample_stats");
  nc_type type = 0;
  ASSERT_EQ(nc_inq_varid(stats, "diverging", &v), NC_NOERR);
  nc_inq_vartype(stats, v, &type);
  EXPECT_EQ(type, NC_BYTE);
  char dtype[8] = {};
  ASSERT_EQ(nc_get_att_text(stats, v, "dtype", dtype), NC_NOERR);
  EXPECT_STREQ(dtype, "bool");
  signed char div[15] = {};
  nc_get_var_schar(stats, v, div);
  EXPECT_EQ(div[0], 0);  // chain 0, row 2: (2 + 0) % 3 != 0
  EXPECT_EQ(div[1], 1);  // row 3
  for (const char* name : {"tree_depth", "n_steps"}) {
    ASSERT_EQ(nc_inq_varid(stats, name, &v), NC_NOERR);
    nc_inq_vartype(stats, v, &type);
    EXPECT_EQ(type, NC_INT64);
  }
  for (const char* name : {"lp", "acceptance_rate", "step_size", "energy"}) {
    EXPECT_EQ(nc_inq_varid(stats, name, &v), NC_NOERR) << name;
  }
  const int obs = group(nc, "observed_data");
  ASSERT_EQ(nc_inq_varid(obs, "image", &v), NC_NOERR);
  std::vector<double> pix(24);
  nc_get_var_double(obs, v, pix.data());
  EXPECT_EQ(pix[3 * 6 + 5], 7.0);
  const int cd = group(nc, "constant_data");
  EXPECT_EQ(nc_inq_varid(cd, "optics.coefficients_true", &v), NC_NOERR);
  EXPECT_EQ(nc_inq_varid(cd, "wavelengths", &v), NC_NOERR);
  const int wp = group(nc, "warmup_posterior");
  int ddraw = 0;
  nc_inq_dimid(wp, "draw", &ddraw);
  nc_inq_dimlen(wp, ddraw, &len);
  EXPECT_EQ(len, 2u);
  nc_close(nc);
}

/// Name of dim k of variable `name` in group `g`.
std::string dim_name(int g, const char* name, int k) {
  int v = 0, dims[NC_MAX_VAR_DIMS] = {};
  if (nc_inq_varid(g, name, &v) != NC_NOERR) return "<no variable>";
  nc_inq_vardimid(g, v, dims);
  char dname[NC_MAX_NAME + 1] = {};
  nc_inq_dimname(g, dims[k], dname);
  return dname;
}

std::string text_attribute(int g, const char* var, const char* key) {
  int v = 0;
  std::size_t len = 0;
  if (nc_inq_varid(g, var, &v) != NC_NOERR || nc_inq_attlen(g, v, key, &len) != NC_NOERR) {
    return "<none>";
  }
  std::string text(len, '\0');
  nc_get_att_text(g, v, key, text.data());
  return text;
}

// Named multi-dims with string coordinates, units everywhere, several observed images and the
// per-draw groups (log_likelihood, posterior_predictive with its own draw coordinates).
TEST(InferenceData, NamedDimsUnitsAndPerDrawGroups) {
  const std::string path = temp_path("groups.nc");
  const infer::Run run = make_run();  // 3 chains x 5 draws; optics.coefficients has 3 entries
  InferenceDataOptions opt;
  opt.dims["optics.coefficients"] = {{"noll", {4, 5, 6}, {}}};
  opt.units["optics.coefficients"] = "nm";
  opt.truth = {{"optics.coefficients[1]", 1.0},
               {"optics.coefficients[2]", 2.0},
               {"optics.coefficients[3]", 3.0}};
  opt.observed = {{"image_a", RealImage::Constant(2, 3, 1.0)},
                  {"image_b", RealImage::Constant(4, 1, 2.0), "y_b", "x_b"}};
  DrawGroup ll;
  ll.draws = {0, 1, 2, 3, 4};
  DrawArray a{"image_a", {{"y", {0, 1}, {}}, {"x", {0, 1, 2}, {}}}, {}, "", "log L"};
  a.values.assign(3 * 5 * 6, -1.5);
  ll.arrays.push_back(a);
  opt.log_likelihood = ll;
  DrawGroup pp;
  pp.draws = {0, 4};
  DrawArray b{"image_b", {{"y_b", {0, 1, 2, 3}, {}}, {"axis", {}, {"x"}}}, {}, "photon", ""};
  for (int i = 0; i < 3 * 2 * 4; ++i) b.values.push_back(i);
  pp.arrays.push_back(b);
  opt.posterior_predictive = pp;
  opt.attributes["log_likelihood"] = "written";
  write_inference_data(path, run, opt);

  int nc = 0;
  ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &nc), NC_NOERR);
  const int post = group(nc, "posterior");
  EXPECT_EQ(dim_name(post, "optics.coefficients", 2), "noll");
  EXPECT_EQ(text_attribute(post, "optics.coefficients", "units"), "nm");
  EXPECT_EQ(text_attribute(post, "source.separation", "units"), "1");  // none given
  long long noll[3] = {};
  int v = 0;
  ASSERT_EQ(nc_inq_varid(post, "noll", &v), NC_NOERR);
  nc_get_var_longlong(post, v, noll);
  EXPECT_EQ(noll[0], 4);
  EXPECT_EQ(noll[2], 6);
  EXPECT_EQ(text_attribute(group(nc, "sample_stats"), "lp", "units"), "1");
  const int cd = group(nc, "constant_data");
  EXPECT_EQ(dim_name(cd, "optics.coefficients_true", 0), "noll");
  EXPECT_EQ(text_attribute(cd, "optics.coefficients_true", "units"), "nm");
  const int obs = group(nc, "observed_data");
  EXPECT_EQ(dim_name(obs, "image_b", 0), "y_b");
  EXPECT_EQ(text_attribute(obs, "image_a", "units"), "photon");
  const int lg = group(nc, "log_likelihood");
  EXPECT_EQ(dim_name(lg, "image_a", 2), "y");
  EXPECT_EQ(text_attribute(lg, "image_a", "long_name"), "log L");
  const int pg = group(nc, "posterior_predictive");
  long long draws[2] = {};
  ASSERT_EQ(nc_inq_varid(pg, "draw", &v), NC_NOERR);
  nc_get_var_longlong(pg, v, draws);
  EXPECT_EQ(draws[1], 4);
  ASSERT_EQ(nc_inq_varid(pg, "axis", &v), NC_NOERR);
  char* label = nullptr;
  ASSERT_EQ(nc_get_var_string(pg, v, &label), NC_NOERR);
  EXPECT_STREQ(label, "x");
  nc_free_string(1, &label);
  std::vector<double> values(24);
  ASSERT_EQ(nc_inq_varid(pg, "image_b", &v), NC_NOERR);
  nc_get_var_double(pg, v, values.data());
  EXPECT_EQ(values[23], 23.0);
  std::size_t len = 0;
  ASSERT_EQ(nc_inq_attlen(nc, NC_GLOBAL, "log_likelihood", &len), NC_NOERR);
  nc_close(nc);

  // Dims that do not fit their variable, and a per-draw array of the wrong size, are errors.
  InferenceDataOptions bad;
  bad.dims["optics.coefficients"] = {{"noll", {4, 5}, {}}};
  EXPECT_THAT([&] { write_inference_data(temp_path("bad.nc"), run, bad); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("hold 2 entries")));
  bad = {};
  bad.log_likelihood = ll;
  bad.log_likelihood->arrays[0].values.pop_back();
  EXPECT_THAT([&] { write_inference_data(temp_path("bad.nc"), run, bad); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("log_likelihood/image_a")));
  bad = {};
  bad.observed = {{"a", RealImage::Constant(2, 2, 0.0)}, {"b", RealImage::Constant(3, 2, 0.0)}};
  EXPECT_THAT([&] { write_inference_data(temp_path("bad.nc"), run, bad); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("dim 'y'")));
}

TEST(InferenceData, InterruptedChainsAreCutToTheShortest) {
  infer::Run run = make_run();
  run.chains[1].draws.conservativeResize(5, Eigen::NoChange);
  run.chains[1].stats.resize(5);
  run.chains[1].complete = false;
  const std::string path = temp_path("cut.nc");
  write_inference_data(path, run);
  int nc = 0, post = 0, d = 0;
  std::size_t len = 0;
  ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &nc), NC_NOERR);
  nc_inq_grp_ncid(nc, "posterior", &post);
  nc_inq_dimid(post, "draw", &d);
  nc_inq_dimlen(post, d, &len);
  EXPECT_EQ(len, 3u);
  nc_close(nc);
}

TEST(InferenceData, Errors) {
  EXPECT_THROW(write_inference_data(temp_path("e.nc"), infer::Run{}), InvalidArgument);
  infer::Run run = make_run();
  run.chains[2].names[0] = "other";
  EXPECT_THAT([&] { write_inference_data(temp_path("e.nc"), run); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("chain 3")));
  const std::string blocker = temp_path("a_file");
  { std::ofstream(blocker) << "x"; }
  EXPECT_THROW(write_inference_data(blocker + "/x.nc", make_run()), Error);
}

TEST(InferenceData, XarrayReadsItWithBothEngines) {
  if (std::system("/usr/bin/python3 -c 'import xarray, netCDF4, h5netcdf' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with xarray, netCDF4 and h5netcdf not available";
  }
  const std::string path = temp_path("xr.nc");
  InferenceDataOptions opt;
  opt.observed = {{"image", RealImage::Constant(4, 6, 1.0)}};
  opt.truth = {{"flux", 1.0}};
  opt.compress = true;
  write_inference_data(path, make_run(), opt);
  const std::string cmd = std::string("/usr/bin/python3 ") + AIRY_SOURCE_DIR +
                          "/tests/python/check_inference_data.py " + path +
                          " 3 5 optics.coefficients 3";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

}  // namespace
}  // namespace airy::io
