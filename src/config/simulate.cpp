// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The random parts of a configuration: true aberrations and noisy data.
#include <fmt/format.h>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"

namespace airy::config {

std::vector<double> true_coefficients(const OpticsConfig& optics) {
  if (!optics.coefficients.empty()) return optics.coefficients;
  // Stream 0 of the seed: the draws do not depend on the noise seed or the sampler seed.
  Rng rng(optics.coefficients_seed, 0);
  std::vector<double> c(optics.noll.size());
  for (double& v : c) v = optics.coefficients_rms * rng.normal();
  return c;
}

SpectrumValues spectrum_values(const SourceConfig& source) {
  SpectrumValues s;
  if (!source.wavelengths_nm.empty()) {
    for (double nm : source.wavelengths_nm) s.wavelengths_m.push_back(nm * 1e-9);
  } else {
    // dLuxToliman AlphaCen: np.linspace(band_min, band_max, n) nm, i.e. lo + i (hi - lo)/(n - 1);
    // n = 1 gives the band's start (numpy's linspace), not its centre.
    const int n = source.n_wavelengths;
    const double lo = source.band_nm[0], hi = source.band_nm[1];
    // numpy: step = (stop - start) / (n - 1); y = i * step + start; y[-1] = stop.
    const double step = n == 1 ? 0.0 : (hi - lo) / (n - 1);
    for (int i = 0; i < n; ++i) {
      const double nm = (n > 1 && i == n - 1) ? hi : i * step + lo;
      s.wavelengths_m.push_back(nm * 1e-9);
    }
  }
  const std::size_t n = s.wavelengths_m.size();
  s.weights = source.weights.empty() ? std::vector<double>(n, 1.0) : source.weights;
  double total = 0.0;
  for (double w : s.weights) total += w;
  for (double& w : s.weights) w /= total;
  return s;
}

SimulatedData simulate_data(const NoiseConfig& noise, const RealImage& model,
                            std::uint64_t stream) {
  Rng rng(noise.seed, stream);
  SimulatedData out;
  out.photon_noise_only = model;
  if (noise.photon) {
    for (Eigen::Index i = 0; i < model.size(); ++i) {
      const double mean = model.data()[i];
      // Rng::poisson draws exact counts up to a mean of 2^52 = 4.5e15 photons; beyond, or for
      // a mean that is not a number, name the pixel and the keys that set its brightness
      // rather than the generator (log_flux = 21 gives 1e19 photons in a pixel).
      if (!(mean <= Rng::kMaxPoissonRate)) {
        throw InvalidArgument(fmt::format(
            "noise.photon: the model's pixel (x={}, y={}) has a mean of {:g} photons, above "
            "the {:g} that Poisson noise can draw exactly (2^52): lower source.log_flux or the "
            "detector's background/pixel_response values",
            i % model.cols(), i / model.cols(), mean, Rng::kMaxPoissonRate));
      }
      out.photon_noise_only.data()[i] = static_cast<double>(rng.poisson(std::max(mean, 0.0)));
    }
  }
  out.data = out.photon_noise_only;
  if (noise.read_sigma > 0.0) {
    for (Eigen::Index i = 0; i < model.size(); ++i) {
      out.data.data()[i] += noise.read_sigma * rng.normal();
    }
  }
  return out;
}

infer::SamplerOptions sampler_options(const SamplerConfig& s) {
  infer::SamplerOptions o;
  o.num_chains = s.num_chains;
  o.num_warmup = s.num_warmup;
  o.num_samples = s.num_samples;
  o.seed = s.seed;
  o.num_threads = s.num_threads;
  o.metric = infer::parse_metric(s.metric);
  o.delta = s.delta;
  o.max_depth = s.max_depth;
  o.save_warmup = s.save_warmup;
  o.thin = s.thin;
  return o;
}

}  // namespace airy::config
