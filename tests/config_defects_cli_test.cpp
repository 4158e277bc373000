// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The configuration defects of the reliability issue (docs/reliability.md, "Models and
/// configurations"), each through the `airy` binary: `simulate` and `fit` exit 2 before any
/// work, the message names the key (or file) and the value, and nothing is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/io/fits.hpp"

#ifdef AIRY_CLI_PATH
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;

/// One defect: a replacement in the (npix 32) flagship text and what the error must say.
struct Defect {
  std::string name;  ///< for failure messages
  std::string from, to;
  std::vector<std::string> fragments;
};

class ConfigDefects : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           (std::string("airy_config_defects_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string flagship() const {
    std::string text(config::flagship_toml());
    text.replace(text.find("npix = 128"), 10, "npix = 32");
    return text;
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

  /// `simulate` and `fit` of the defective config both exit 2 naming it, and write nothing.
  void expect_rejected(const Defect& d, const std::string& data) {
    std::string text = flagship();
    const auto at = text.find(d.from);
    ASSERT_NE(at, std::string::npos) << d.name << ": '" << d.from << "' not in the flagship";
    text.replace(at, d.from.size(), d.to);
    const std::string config = write("defect.toml", text);
    for (const std::string command : {"simulate", "fit"}) {
      const fs::path out = dir_ / ("out_" + command);
      std::string args = command + " " + config + " --out " + out.string();
      if (command == "fit") args += " --data " + data + " --chains 1 --warmup 10 --samples 10";
      const testing::CliResult r = testing::run_airy(args);
      EXPECT_EQ(r.code, 2) << d.name << " (" << command << "):\n" << r.output;
      for (const auto& f : d.fragments) {
        EXPECT_NE(r.output.find(f), std::string::npos)
            << d.name << " (" << command << "): missing '" << f << "' in:\n"
            << r.output;
      }
      // Refused before any work: no chains, no data, no run_info claiming a run.
      EXPECT_FALSE(fs::exists(out / "chain_1.csv")) << d.name;
      EXPECT_FALSE(fs::exists(out / "data.fits") && command == "simulate") << d.name;
    }
  }

  fs::path dir_;
};

TEST_F(ConfigDefects, EveryDefectStopsSimulateAndFitNamingTheKeyAndValue) {
  // Valid data for `fit` (the defects are in the config, not the data).
  const fs::path sim = dir_ / "sim";
  const std::string good = write("good.toml", flagship());
  const testing::CliResult s = testing::run_airy("simulate " + good + " --out " + sim.string());
  ASSERT_EQ(s.code, 0) << s.output;
  const std::string data = (sim / "data.fits").string();

  // A wrong-sized and a non-positive pixel-response map (the detector grid is 16 x 16).
  io::write_fits((dir_ / "flat_wrong_shape.fits").string(), RealImage::Ones(8, 16), {});
  RealImage zero_pixel = RealImage::Ones(16, 16);
  zero_pixel(3, 5) = 0.0;
  io::write_fits((dir_ / "flat_zero.fits").string(), zero_pixel, {});
  const std::string layer = "\n[[detector.layers]]\ntype = \"pixel_response\"\nfile = ";
  const std::string output = "[output]\ndir = \"airy-demo\"\n";

  const std::vector<Defect> defects = {
      // §1 silent wrong results
      {"missing flat field",
       output,
       output + layer + "\"no_such_flat.fits\"\n",
       {"detector.layers[0].file = \"no_such_flat.fits\""}},
      {"flat field of the wrong shape",
       output,
       output + layer + "\"" + (dir_ / "flat_wrong_shape.fits").string() + "\"\n",
       {"detector.layers[0].file", "16"}},
      {"flat field with a zero pixel",
       output,
       output + layer + "\"" + (dir_ / "flat_zero.fits").string() + "\"\n",
       {"detector.layers[0].file", "(x=5, y=3) = 0", "finite and > 0"}},
      {"normal prior without scale",
       "loc = 0.0\nscale = 20.0\n",
       "loc = 0.0\n",
       {"scale", "required"}},
      {"contrast prior leaving (0, inf)",
       "low = 1.0\nhigh = 5.0",
       "low = -5.0\nhigh = 5.0",
       {"source.contrast", "uniform", "domain"}},
      {"negative separation",
       "low = 0.01\nhigh = 0.5",
       "low = -0.1\nhigh = 0.5",
       {"source.separation", "domain"}},
      {"angle unit on a length", "unit = \"nm\"", "unit = \"deg\"", {"unit = 'deg'"}},
      {"pupil that transmits nothing",
       "width = 0.1 ",
       "width = 2.0 ",
       {"optics.aperture.shapes", "transmits nothing"}},
      {"log_flux of 400", "log_flux = 3.5", "log_flux = 400.0", {"source.log_flux", "400"}},
      {"log_flux of -400", "log_flux = 3.5", "log_flux = -400.0", {"source.log_flux", "-400"}},
      {"sides on a circle",
       "radius = 0.5 ",
       "sides = 6\nradius = 0.5 ",
       {"shapes[0].sides = 6", "not used by shape type \"circle\""}},
      {"focal_length on an angular system",
       "oversample = 1\n",
       "oversample = 1\nfocal_length = 2.0\n",
       {"optics.focal_length = 2", "not used by type = \"angular\""}},
      {"n_wavelengths next to wavelengths_nm",
       "band_nm = [530.0, 640.0]",
       "wavelengths_nm = [550.0]",
       {"source.n_wavelengths", "wavelengths_nm"}},
      {"edge_width with a non-analytic edge",
       "edge_oversample = 5\n",
       "edge_oversample = 5\nedge_width = 0.01\n",
       {"optics.aperture.edge_width"}},
      // §2 integers, sizes and memory
      {"npix beyond int", "npix = 32", "npix = 4294967298", {"optics.npix", "4294967298"}},
      {"num_chains beyond int",
       "num_chains = 4",
       "num_chains = 4294967298",
       {"sampler.num_chains", "4294967298"}},
      {"negative seed", "seed = 1\n", "seed = -1\n", {"sampler.seed", "-1"}},
      {"a model larger than memory",
       "npix = 32",
       "npix = 40000",
       {"memory", "optics.npix = 40000", "available"}},
      // §5 a jitter layer without sigma
      {"jitter without sigma",
       output,
       output + "\n[[detector.layers]]\ntype = \"jitter\"\n",
       {"detector.layers[0].sigma", "required"}},
  };
  for (const Defect& d : defects) expect_rejected(d, data);
}

}  // namespace
}  // namespace airy
#endif  // AIRY_CLI_PATH
