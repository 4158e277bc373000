// SPDX-License-Identifier: BSD-3-Clause
#include "airy/sources/point_source.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"

namespace airy::sources {

// Flat layout: x, y, flux, weights[L].
PointSource::PointSource(Spectrum spectrum, double x_arcsec, double y_arcsec, double flux_value,
                         FluxParameter flux_parameter)
    : spectrum_(std::move(spectrum)),
      x_(x_arcsec),
      y_(y_arcsec),
      flux_value_(flux_value),
      flux_parameter_(flux_parameter) {
  const RealVector v = values();
  check_values(std::span<const double>(v.data(), v.size()));
}

std::vector<ParameterBlock> PointSource::parameter_blocks() const {
  const bool lf = flux_parameter_ == FluxParameter::kLogFlux;
  return {{"x_position", 1, "arcsec", "star x"},
          {"y_position", 1, "arcsec", "star y"},
          {lf ? "log_flux" : "flux", 1, lf ? "log10 photons" : "photons", "total photons",
           lf ? Domain::real() : Domain::positive()},
          {"weights", spectrum_.size(), "1", "relative spectral weights (normalised)",
           Domain::nonnegative()}};
}

RealVector PointSource::values() const {
  RealVector v(3 + spectrum_.size());
  v << x_, y_, flux_value_, spectrum_.weights();
  return v;
}

void PointSource::check_values(std::span<const double> v) const {
  check_finite("PointSource", "x_position", v[0]);
  check_finite("PointSource", "y_position", v[1]);
  if (flux_parameter_ == FluxParameter::kFlux) {
    check_positive("PointSource", "flux", v[2]);
  } else {
    check_finite("PointSource", "log_flux", v[2]);
  }
  check_weights("PointSource", "weights", v.data() + 3, spectrum_.size());
}

void PointSource::forward(std::span<const double> p, RealMatrix& positions,
                          RealMatrix& amplitudes) const {
  const int nl = spectrum_.size();
  positions.resize(1, 2);
  amplitudes.resize(1, nl);
  positions(0, 0) = units::arcsec_to_rad(p[0]);
  positions(0, 1) = units::arcsec_to_rad(p[1]);
  const double f = flux_parameter_ == FluxParameter::kLogFlux ? std::pow(10.0, p[2]) : p[2];
  double s = 0;
  for (int l = 0; l < nl; ++l) s += p[3 + l];
  for (int l = 0; l < nl; ++l) amplitudes(0, l) = f * p[3 + l] / s;
}

void PointSource::pullback(std::span<const double> p, const RealMatrix& pos_bar,
                           const RealMatrix& amp_bar, std::span<double> p_bar) const {
  const int nl = spectrum_.size();
  p_bar[0] += pos_bar(0, 0) * units::kRadPerArcsec;
  p_bar[1] += pos_bar(0, 1) * units::kRadPerArcsec;
  const bool lf = flux_parameter_ == FluxParameter::kLogFlux;
  const double f = lf ? std::pow(10.0, p[2]) : p[2];
  double s = 0;
  for (int l = 0; l < nl; ++l) s += p[3 + l];
  double f_bar = 0;
  double wn_bar[64];
  std::vector<double> big;
  double* wb = wn_bar;
  if (nl > 64) {
    big.resize(nl);
    wb = big.data();
  }
  for (int l = 0; l < nl; ++l) {
    f_bar += amp_bar(0, l) * p[3 + l] / s;
    wb[l] = f * amp_bar(0, l);
  }
  p_bar[2] += lf ? f_bar * f * std::numbers::ln10 : f_bar;
  normalised_weights_pullback(p.data() + 3, wb, nl, p_bar.data() + 3);
}

// Flat layout: positions[2K], fluxes[K], weights[R*L] (R = 1 shared, R = K per star).
PointSources::PointSources(Spectrum spectrum, RealMatrix positions_arcsec, RealVector fluxes)
    : spectrum_(std::move(spectrum)),
      weights_(spectrum_.weights().transpose()),
      positions_(std::move(positions_arcsec)),
      fluxes_(std::move(fluxes)) {
  check_shapes();
}

PointSources::PointSources(RealVector wavelengths, RealMatrix weights, RealMatrix positions_arcsec,
                           RealVector fluxes)
    : spectrum_(std::move(wavelengths)),
      weights_(std::move(weights)),
      per_star_(true),
      positions_(std::move(positions_arcsec)),
      fluxes_(std::move(fluxes)) {
  if (weights_.rows() != fluxes_.size() || weights_.cols() != spectrum_.size()) {
    throw InvalidArgument(format_invalid(
        "PointSources", "weights.rows()", static_cast<double>(weights_.rows()),
        "per-star weights must be (K, L) = (" + std::to_string(fluxes_.size()) + ", " +
            std::to_string(spectrum_.size()) + "), got " + std::to_string(weights_.rows()) + "x" +
            std::to_string(weights_.cols())));
  }
  for (Eigen::Index k = 0; k < weights_.rows(); ++k) {
    check_weights("PointSources", "weights", weights_.row(k).eval().data(),
                  static_cast<int>(weights_.cols()));
    weights_.row(k) /= weights_.row(k).sum();
  }
  check_shapes();
}

void PointSources::check_shapes() const {
  if (fluxes_.size() == 0) throw_invalid("PointSources", "fluxes", "need at least one star");
  if (positions_.rows() != fluxes_.size() || positions_.cols() != 2) {
    throw_invalid("PointSources", "positions", "shape must be (K, 2) with K = fluxes.size()");
  }
  const RealVector v = values();
  check_values(std::span<const double>(v.data(), v.size()));
}

std::vector<ParameterBlock> PointSources::parameter_blocks() const {
  const int k = num_stars();
  const int nw = static_cast<int>(weights_.size());
  return {{"positions", 2 * k, "arcsec", "(x, y) of each star, [x0, y0, x1, y1, ...]"},
          {"fluxes", k, "photons", "photons of each star", Domain::nonnegative()},
          {"weights", nw, "1",
           per_star_ ? "relative spectral weights of each star, [star, wavelength] (each row "
                       "normalised)"
                     : "relative spectral weights (normalised)",
           Domain::nonnegative()}};
}

RealVector PointSources::values() const {
  const int k = num_stars();
  const Eigen::Index nw = weights_.size();
  RealVector v(3 * k + nw);
  for (int i = 0; i < k; ++i) {
    v[2 * i] = positions_(i, 0);
    v[2 * i + 1] = positions_(i, 1);
    v[2 * k + i] = fluxes_[i];
  }
  // Row-major [star, wavelength] (RealMatrix is column-major).
  for (Eigen::Index r = 0; r < weights_.rows(); ++r) {
    for (Eigen::Index l = 0; l < weights_.cols(); ++l)
      v[3 * k + r * weights_.cols() + l] = weights_(r, l);
  }
  return v;
}

void PointSources::check_values(std::span<const double> v) const {
  const int k = num_stars(), nl = spectrum_.size();
  for (int i = 0; i < 2 * k; ++i) check_finite("PointSources", "positions", v[i]);
  for (int i = 0; i < k; ++i) check_nonnegative("PointSources", "fluxes", v[2 * k + i]);
  for (Eigen::Index r = 0; r < weights_.rows(); ++r)
    check_weights("PointSources", "weights", v.data() + 3 * k + r * nl, nl);
}

void PointSources::forward(std::span<const double> p, RealMatrix& positions,
                           RealMatrix& amplitudes) const {
  const int k = num_stars(), nl = spectrum_.size();
  positions.resize(k, 2);
  amplitudes.resize(k, nl);
  double s = 0;
  for (int i = 0; i < k; ++i) {
    const double* w = p.data() + 3 * k + (per_star_ ? i * nl : 0);
    if (i == 0 || per_star_) {
      s = 0;
      for (int l = 0; l < nl; ++l) s += w[l];
    }
    positions(i, 0) = units::arcsec_to_rad(p[2 * i]);
    positions(i, 1) = units::arcsec_to_rad(p[2 * i + 1]);
    for (int l = 0; l < nl; ++l) amplitudes(i, l) = p[2 * k + i] * w[l] / s;
  }
}

void PointSources::pullback(std::span<const double> p, const RealMatrix& pos_bar,
                            const RealMatrix& amp_bar, std::span<double> p_bar) const {
  const int k = num_stars(), nl = spectrum_.size();
  // Stack buffer (no allocation on the hot path) unless the spectrum is very long.
  double stack[64] = {};
  std::vector<double> heap;
  double* wn_bar = stack;
  if (nl > 64) {
    heap.assign(static_cast<std::size_t>(nl), 0.0);
    wn_bar = heap.data();
  }
  for (int i = 0; i < k; ++i) {
    const double* w = p.data() + 3 * k + (per_star_ ? i * nl : 0);
    double s = 0;
    for (int l = 0; l < nl; ++l) s += w[l];
    p_bar[2 * i] += pos_bar(i, 0) * units::kRadPerArcsec;
    p_bar[2 * i + 1] += pos_bar(i, 1) * units::kRadPerArcsec;
    for (int l = 0; l < nl; ++l) {
      p_bar[2 * k + i] += amp_bar(i, l) * w[l] / s;
      wn_bar[l] += p[2 * k + i] * amp_bar(i, l);
    }
    if (per_star_) {
      // Star i's own row: w_bar = (wn_bar - <wn_bar, wn>) / sum w, then reset the buffer.
      normalised_weights_pullback(w, wn_bar, nl, p_bar.data() + 3 * k + i * nl);
      std::fill(wn_bar, wn_bar + nl, 0.0);
    }
  }
  if (!per_star_) normalised_weights_pullback(p.data() + 3 * k, wn_bar, nl, p_bar.data() + 3 * k);
}

}  // namespace airy::sources
