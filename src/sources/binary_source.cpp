// SPDX-License-Identifier: BSD-3-Clause
#include "airy/sources/binary_source.hpp"

#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"

namespace airy::sources {

namespace {
constexpr int kScalars = 6;  // x, y, separation, position_angle, log_flux, contrast
}

Spectrum alpha_cen_spectrum(int n) {
  return Spectrum(
      linspace(units::nm_to_m(kAlphaCenBandpassNm[0]), units::nm_to_m(kAlphaCenBandpassNm[1]), n));
}

BinarySource::BinarySource(const Spectrum& spectrum, const BinaryParameters& p)
    : BinarySource(spectrum.wavelengths(), spectrum.weights(), spectrum.weights(), p) {}

BinarySource::BinarySource(RealVector wavelengths, RealVector weights_a, RealVector weights_b,
                           const BinaryParameters& p)
    : wavelengths_(std::move(wavelengths)), p_(p) {
  // Validates wavelengths and each star's weights.
  const Spectrum sa(wavelengths_, weights_a), sb(wavelengths_, weights_b);
  const Eigen::Index nl = wavelengths_.size();
  weights_.resize(2 * nl);
  weights_ << sa.weights(), sb.weights();
  const RealVector v = values();
  check_values(std::span<const double>(v.data(), v.size()));
}

std::vector<ParameterBlock> BinarySource::parameter_blocks() const {
  const int nl = static_cast<int>(wavelengths_.size());
  return {{"x_position", 1, "arcsec", "mid-point x of the pair"},
          {"y_position", 1, "arcsec", "mid-point y of the pair"},
          {"separation", 1, "arcsec", "A-B distance", Domain::nonnegative()},
          {"position_angle", 1, "deg", "angle of A from B, from +y towards +x"},
          {"log_flux", 1, "log10 photons", "total photons of both stars"},
          {"contrast", 1, "1", "F_A / F_B", Domain::positive()},
          {"weights", 2 * nl, "1", "relative spectral weights, star A then star B",
           Domain::nonnegative()}};
}

RealVector BinarySource::values() const {
  RealVector v(kScalars + weights_.size());
  v << p_.x_position, p_.y_position, p_.separation, p_.position_angle, p_.log_flux, p_.contrast,
      weights_;
  return v;
}

void BinarySource::check_values(std::span<const double> v) const {
  const int nl = static_cast<int>(wavelengths_.size());
  check_finite("BinarySource", "x_position", v[0]);
  check_finite("BinarySource", "y_position", v[1]);
  check_nonnegative("BinarySource", "separation", v[2]);
  check_finite("BinarySource", "position_angle", v[3]);
  check_finite("BinarySource", "log_flux", v[4]);
  check_positive("BinarySource", "contrast", v[5]);
  check_weights("BinarySource", "weights", v.data() + kScalars, nl);
  check_weights("BinarySource", "weights", v.data() + kScalars + nl, nl);
}

void BinarySource::forward(std::span<const double> p, RealMatrix& positions,
                           RealMatrix& amplitudes) const {
  const int nl = static_cast<int>(wavelengths_.size());
  positions.resize(2, 2);
  amplitudes.resize(2, nl);
  const double r = 0.5 * p[2], phi = units::deg_to_rad(p[3]);
  const double sx = r * std::sin(phi), sy = r * std::cos(phi);
  positions(0, 0) = units::arcsec_to_rad(p[0] + sx);
  positions(0, 1) = units::arcsec_to_rad(p[1] + sy);
  positions(1, 0) = units::arcsec_to_rad(p[0] - sx);
  positions(1, 1) = units::arcsec_to_rad(p[1] - sy);
  const double f = std::pow(10.0, p[4]), c = p[5];
  const double flux[2] = {f * c / (1 + c), f / (1 + c)};
  for (int s = 0; s < 2; ++s) {
    const double* w = p.data() + kScalars + s * nl;
    double sum = 0;
    for (int l = 0; l < nl; ++l) sum += w[l];
    for (int l = 0; l < nl; ++l) amplitudes(s, l) = flux[s] * w[l] / sum;
  }
}

void BinarySource::pullback(std::span<const double> p, const RealMatrix& pos_bar,
                            const RealMatrix& amp_bar, std::span<double> p_bar) const {
  const int nl = static_cast<int>(wavelengths_.size());
  const double k = units::kRadPerArcsec;
  const double ax = pos_bar(0, 0) * k, ay = pos_bar(0, 1) * k;
  const double bx = pos_bar(1, 0) * k, by = pos_bar(1, 1) * k;
  const double r = 0.5 * p[2], phi = units::deg_to_rad(p[3]);
  const double sphi = std::sin(phi), cphi = std::cos(phi);
  const double sx_bar = ax - bx, sy_bar = ay - by;
  p_bar[0] += ax + bx;
  p_bar[1] += ay + by;
  p_bar[2] += 0.5 * (sx_bar * sphi + sy_bar * cphi);
  p_bar[3] += r * (sx_bar * cphi - sy_bar * sphi) * units::kRadPerDeg;
  const double f = std::pow(10.0, p[4]), c = p[5];
  const double flux[2] = {f * c / (1 + c), f / (1 + c)};
  double flux_bar[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    const double* w = p.data() + kScalars + s * nl;
    double sum = 0;
    for (int l = 0; l < nl; ++l) sum += w[l];
    double dot = 0;
    for (int l = 0; l < nl; ++l) {
      flux_bar[s] += amp_bar(s, l) * w[l] / sum;
      dot += flux[s] * amp_bar(s, l) * w[l] / sum;
    }
    // normalised-weights adjoint with wn_bar_l = flux amp_bar_l (no temporary array)
    for (int l = 0; l < nl; ++l)
      p_bar[kScalars + s * nl + l] += (flux[s] * amp_bar(s, l) - dot) / sum;
  }
  const double f_bar = (c * flux_bar[0] + flux_bar[1]) / (1 + c);
  p_bar[4] += f_bar * f * std::numbers::ln10;
  p_bar[5] += f * (flux_bar[0] - flux_bar[1]) / ((1 + c) * (1 + c));
}

}  // namespace airy::sources
