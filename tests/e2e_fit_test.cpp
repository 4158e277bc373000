// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A short run of the flagship through the pipeline: simulate, fit, every output file
/// valid and re-readable, summary and plots from the run directory.
#include <cairo.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "airy/config/config.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;

using pipeline::testing::short_flagship;

std::string fresh_dir(const std::string& name) {
  return pipeline::testing::fresh_dir("airy_e2e_", name);
}

bool is_nonblank_png(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) return false;
  cairo_surface_flush(s);
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  std::set<std::uint32_t> colours;
  for (int y = 0; y < h; y += 3) {
    for (int x = 0; x < w; x += 3) {
      colours.insert(*reinterpret_cast<const std::uint32_t*>(data + y * stride + 4 * x));
    }
  }
  cairo_surface_destroy(s);
  return w > 100 && h > 100 && colours.size() > 50;
}

bool starts_with_pdf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[5] = {};
  in.read(head, 4);
  return std::string(head) == "%PDF";
}

TEST(EndToEnd, ShortFlagshipRunWritesEveryOutput) {
  const std::string out = fresh_dir("fit");
  const config::Config c = short_flagship(out);
  const auto sim = pipeline::simulate(c, out);
  ASSERT_EQ(sim.truth.size(), 13u);
  for (const char* f :
       {"data.fits", "psf.fits", "truth.toml", "config.toml", "simulate.png", "simulate.pdf"}) {
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  }
  pipeline::FitOptions o;
  o.data_path = sim.data_path;
  o.quiet = true;
  const auto r = pipeline::fit(c, o);
  EXPECT_TRUE(r.complete);
  ASSERT_EQ(r.summary.rows.size(), 13u);
  EXPECT_EQ(r.summary.num_chains, 2);
  EXPECT_GT(r.summary.gradient_evaluations, 0);
  EXPECT_NE(r.summary_text.find("coefficients[7]"), std::string::npos);
  EXPECT_NE(r.summary_text.find("truth:"), std::string::npos);

  // CmdStan CSV per chain, read back as cmdstanpy reads it.
  for (int id : {1, 2}) {
    const std::string csv = (fs::path(out) / fmt::format("chain_{}.csv", id)).string();
    const io::CmdStanCsv parsed = io::read_cmdstan_csv(csv);
    EXPECT_EQ(parsed.chain.num_draws(), 60);
    EXPECT_TRUE(parsed.chain.complete);
    if (std::system("/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1") == 0) {
      const std::string cmd = std::string("/usr/bin/python3 ") + AIRY_SOURCE_DIR +
                              "/tests/python/check_cmdstan_csv.py " + csv + " 0 60";
      EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
  }
  // InferenceData with both NetCDF engines (as ArviZ opens it).
  const std::string nc = (fs::path(out) / "posterior.nc").string();
  ASSERT_TRUE(fs::exists(nc));
  if (std::system("/usr/bin/python3 -c 'import xarray, netCDF4, h5netcdf' >/dev/null 2>&1") == 0) {
    const std::string cmd = std::string("/usr/bin/python3 ") + AIRY_SOURCE_DIR +
                            "/tests/python/check_inference_data.py " + nc + " 2 60 coefficients 7";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  // FITS images with poppy's keywords.
  for (const char* f : {"data.fits", "psf.fits", "model.fits", "residual.fits"}) {
    const auto img = io::read_fits((fs::path(out) / f).string());
    EXPECT_EQ(img.image.rows(), 16) << f;
    EXPECT_NEAR(*img.number("PIXELSCL"), 0.03, 1e-12) << f;
    EXPECT_EQ(*img.number("NWAVES"), 5.0) << f;
    EXPECT_TRUE(img.number("WAVELEN").has_value()) << f;
  }
  // Figures: valid, not blank.
  for (const char* stem : {"simulate", "fit_images", "corner", "trace"}) {
    EXPECT_TRUE(is_nonblank_png((fs::path(out) / (std::string(stem) + ".png")).string())) << stem;
    EXPECT_TRUE(starts_with_pdf((fs::path(out) / (std::string(stem) + ".pdf")).string())) << stem;
  }
  // The run directory alone gives back the same summary, and the plots redraw.
  const auto again = pipeline::summarize_run(out);
  EXPECT_TRUE(again.complete);
  ASSERT_EQ(again.summary.rows.size(), 13u);
  for (std::size_t i = 0; i < 13; ++i) {
    EXPECT_NEAR(again.summary.rows[i].mean, r.summary.rows[i].mean,
                1e-6 * std::max(1.0, std::abs(r.summary.rows[i].mean)));
  }
  // ... with the fit's own wall time and ESS/s (run_info.toml), not figures from the CSVs'
  // per-chain timings, and the fit's table: full names, units, the truth column.
  EXPECT_NEAR(again.summary.wall_seconds, r.summary.wall_seconds, 1e-8 * r.summary.wall_seconds);
  EXPECT_NEAR(again.summary.ess_per_second, r.summary.ess_per_second,
              1e-8 * r.summary.ess_per_second);
  for (const char* text : {"source.separation", "arcsec", "truth"}) {
    EXPECT_NE(again.summary_text.find(text), std::string::npos) << text;
    EXPECT_NE(r.summary_text.find(text), std::string::npos) << text;
  }
  fs::remove(fs::path(out) / "corner.png");
  pipeline::plot_run(out);
  EXPECT_TRUE(is_nonblank_png((fs::path(out) / "corner.png").string()));

  // `airy plot` flags replace the run's [plot] settings: a column-wide SVG of a subset.
  const testing::CliResult plot = testing::run_airy(
      "plot " + out + " --width 3.5 --parameters separation,contrast --format svg --stretch asinh");
  EXPECT_EQ(plot.code, 0) << plot.output;
  for (const char* f : {"corner.svg", "trace.svg", "fit_images.svg"}) {
    std::ifstream in(fs::path(out) / f);
    const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(svg.find("width=\"252pt\""), std::string::npos) << f;  // 3.5 in
  }
  const testing::CliResult unknown = testing::run_airy("plot " + out + " --parameters sepration");
  EXPECT_NE(unknown.code, 0);
  EXPECT_NE(unknown.output.find("'sepration' matches no sampled parameter"), std::string::npos)
      << unknown.output;
  const testing::CliResult stretch = testing::run_airy("plot " + out + " --stretch cubic");
  EXPECT_EQ(stretch.code, 2) << stretch.output;
  EXPECT_NE(stretch.output.find("--stretch"), std::string::npos) << stretch.output;
}

// A run directory whose run_info says "running" (a killed process) is never reported as
// complete, and a chain file cut mid-line still parses.
TEST(EndToEnd, InterruptedRunIsReportedIncomplete) {
  const std::string out = fresh_dir("interrupted");
  config::Config c = short_flagship(out);
  c.sampler.num_warmup = 40;
  c.sampler.num_samples = 20;
  const auto sim = pipeline::simulate(c, out);
  pipeline::FitOptions o;
  o.data_path = sim.data_path;
  o.quiet = true;
  o.plots = false;
  (void)pipeline::fit(c, o);
  // Simulate a kill: status back to running, last chain line truncated.
  {
    std::ofstream(fs::path(out) / "run_info.toml") << "status = \"running\"\n";
    const fs::path csv = fs::path(out) / "chain_1.csv";
    std::string text;
    {
      std::ifstream in(csv);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto cut = text.find("# \n#  Elapsed");
    ASSERT_NE(cut, std::string::npos);
    std::ofstream(csv) << text.substr(0, cut - 7);
  }
  const auto r = pipeline::summarize_run(out);
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.summary_text.find("INCOMPLETE"), std::string::npos);
}

}  // namespace
}  // namespace airy
