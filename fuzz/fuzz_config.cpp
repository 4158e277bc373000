// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief libFuzzer target: a TOML run configuration through what `airy simulate` and
/// `airy fit` do with it: parse and validate, check that no integer was narrowed, write back
/// and re-parse (run directories keep config.toml for `airy plot`), build the telescope,
/// render it at the configured values, simulate noisy data, and build the posterior on a
/// synthetic data image of the right shape.
///
/// Inputs whose optics would legitimately take long are skipped after parsing (work_estimate
/// below; the cap is in docs/reliability.md §Fuzzing): a 1024-pixel pupil is slow, not a bug.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "fuzz_util.hpp"

namespace {

using airy::config::Config;

/// Floating-point operations (roughly, up to a constant) of building and rendering `c` once.
/// Doubles: the configured integers can be up to 2^31 each and their products overflow int64.
double work_estimate(const Config& c) {
  const auto& o = c.optics;
  const double npix = o.npix;
  const double pupil = npix * npix;
  double shape_terms = 0.0;  // per pupil sample: polygons test every side, spiders every arm
  for (const auto& s : o.shapes) {
    shape_terms += s.type == "spider"    ? static_cast<double>(s.angles.size())
                   : s.type == "polygon" ? static_cast<double>(s.sides)
                                         : 1.0;
  }
  const double sub = o.soft_edge == "oversample"
                         ? static_cast<double>(o.edge_oversample) * o.edge_oversample
                         : 1.0;
  // Zernike radial polynomials: order n ~ sqrt(2 j) terms per sample for Noll index j.
  double zernike_terms = 0.0;
  for (int j : o.noll) zernike_terms += 1.0 + std::sqrt(2.0 * std::max(j, 1));
  const double focal = static_cast<double>(o.psf_npix) * o.oversample;
  const double n_wavelengths = c.source.wavelengths_nm.empty()
                                   ? static_cast<double>(c.source.n_wavelengths)
                                   : static_cast<double>(c.source.wavelengths_nm.size());
  const double n_stars = c.source.type == "points"
                             ? static_cast<double>(c.source.positions_x.size())
                         : c.source.type == "binary" ? 2.0
                                                     : 1.0;
  // Two MFT products per wavelength and star: (focal x npix) (npix x npix) (npix x focal).
  const double psf = n_wavelengths * n_stars * (focal * pupil + focal * focal * npix);
  // Detector layers are not counted: their cost must not grow with a parameter value (a
  // jitter sigma of 1e9 pixels has to be rejected or clipped to the image, not computed).
  return pupil * (sub * shape_terms + zernike_terms) + psf;
}

/// About 40 ms per input under ASan + UBSan at -O1. Measured: the defaults (an empty file: npix
/// 128, 25 edge sub-samples, 5 wavelengths, work 3.9e6) take 0.3 s of CPU per input, which held
/// a long run near the defaults to a few inputs per second; small pupils reach the same code.
constexpr double kMaxWork = 5e5;

/// Oracle for issue #10 §2 (range-check every integer before narrowing): an integer key that
/// parsed must hold exactly the value in the file. npix = 4294967298 must be an error, not 2.
class IntegerOracle {
 public:
  explicit IntegerOracle(std::string_view text) {
    try {
      table_ = toml::parse(text);
    } catch (const toml::parse_error&) {
      // parse_config accepted it, so toml++ does too; nothing to compare otherwise.
    }
  }

  /// Aborts when the integer at `path` (if any) differs from `parsed`.
  void expect(std::string_view path, long long parsed) const {
    check(table_.at_path(path).node(), parsed, path);
  }
  /// Same for key `key` of each table of the array of tables at `path`.
  template <typename T, typename F>
  void expect_each(std::string_view path, std::string_view key, const std::vector<T>& items,
                   F field) const {
    const toml::array* a = table_.at_path(path).as_array();
    if (a == nullptr) return;
    for (std::size_t i = 0; i < a->size() && i < items.size(); ++i) {
      if (const toml::table* t = (*a)[i].as_table()) {
        check(t->get(key), field(items[i]), fmt::format("{}[{}].{}", path, i, key));
      }
    }
  }
  /// Same for the elements of an integer array.
  void expect_array(std::string_view path, const std::vector<int>& parsed) const {
    const toml::array* a = table_.at_path(path).as_array();
    if (a == nullptr) return;
    for (std::size_t i = 0; i < a->size() && i < parsed.size(); ++i) {
      check(a->get(i), parsed[i], fmt::format("{}[{}]", path, i));
    }
  }

 private:
  static void check(const toml::node* n, long long parsed, std::string_view what) {
    if (n == nullptr || !n->is_integer()) return;
    const std::int64_t written = n->as_integer()->get();
    if (written != parsed) {
      std::fprintf(stderr, "fuzz config: %.*s = %lld in the file was parsed as %lld\n",
                   static_cast<int>(what.size()), what.data(), static_cast<long long>(written),
                   parsed);
      std::abort();
    }
  }
  toml::table table_;
};

void check_integers(std::string_view text, const Config& c) {
  const IntegerOracle o(text);
  const auto as_ll = [](auto v) { return static_cast<long long>(v); };
  o.expect("optics.npix", c.optics.npix);
  o.expect("optics.psf_npix", c.optics.psf_npix);
  o.expect("optics.oversample", c.optics.oversample);
  o.expect("optics.aperture.edge_oversample", c.optics.edge_oversample);
  o.expect("optics.aberrations.coefficients_seed", as_ll(c.optics.coefficients_seed));
  o.expect_array("optics.aberrations.noll", c.optics.noll);
  o.expect_each("optics.aperture.shapes", "sides", c.optics.shapes,
                [](const auto& s) { return static_cast<long long>(s.sides); });
  o.expect("source.n_wavelengths", c.source.n_wavelengths);
  o.expect_each("detector.layers", "factor", c.detector,
                [](const auto& l) { return static_cast<long long>(l.factor); });
  o.expect("noise.seed", as_ll(c.noise.seed));
  o.expect("sampler.num_chains", c.sampler.num_chains);
  o.expect("sampler.num_warmup", c.sampler.num_warmup);
  o.expect("sampler.num_samples", c.sampler.num_samples);
  o.expect("sampler.seed", as_ll(c.sampler.seed));
  o.expect("sampler.num_threads", c.sampler.num_threads);
  o.expect("sampler.map_starts", c.sampler.map_starts);
  o.expect("sampler.max_depth", c.sampler.max_depth);
  o.expect("sampler.thin", c.sampler.thin);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Config c;
  bool parsed = false;
  airy::fuzz::expect_only_invalid_argument("config parse", [&] {
    c = airy::config::parse_config(text, "fuzz.toml");
    parsed = true;
  });
  if (!parsed) return 0;
  check_integers(text, c);

  // What parsed must write back as TOML that parses again: a run directory keeps the exact
  // settings as config.toml and `airy plot` re-reads them.
  const std::string written = airy::config::to_toml(c);
  try {
    (void)airy::config::parse_config(written, "written.toml");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz config: to_toml output does not parse again: %s\n--- written:\n%s\n",
                 e.what(), written.c_str());
    std::abort();
  }

  if (!(work_estimate(c) <= kMaxWork)) return 0;
  airy::fuzz::expect_only_invalid_argument("config build", [&] {
    const airy::model::Telescope telescope = airy::config::build_telescope(c);
    const airy::RealImage model = telescope.model();
    (void)airy::config::simulate_data(c.noise, model);
    // Synthetic data of the rendered shape: a flat 10 photons, valid under every likelihood.
    airy::RealImage data =
        airy::RealImage::Constant(telescope.image_rows(), telescope.image_cols(), 10.0);
    (void)airy::config::build_posterior(c, telescope, std::move(data));
    (void)airy::config::sampler_options(c.sampler);
  });
  return 0;
}
