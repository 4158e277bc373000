// SPDX-License-Identifier: BSD-3-Clause
#include "airy/sources/spectrum.hpp"

#include <cmath>

#include "airy/core/error.hpp"
#include "airy/sources/source.hpp"

namespace airy::sources {

RealVector linspace(double lo, double hi, int n) {
  check_positive("linspace", "n", n);
  RealVector v(n);
  for (int i = 0; i < n; ++i) v[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1.0);
  return v;
}

void check_weights(const char* where, const char* field, const double* w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    check_nonnegative(where, field, w[i]);
    s += w[i];
  }
  if (!(s > 0)) throw_invalid(where, field, "weights must have a positive sum");
}

Spectrum::Spectrum(RealVector wavelengths, RealVector weights)
    : wavelengths_(std::move(wavelengths)), weights_(std::move(weights)) {
  if (wavelengths_.size() == 0) throw_invalid("Spectrum", "wavelengths", "must not be empty");
  for (Eigen::Index i = 0; i < wavelengths_.size(); ++i) {
    check_positive("Spectrum", "wavelengths", wavelengths_[i]);
  }
  if (weights_.size() == 0) weights_ = RealVector::Ones(wavelengths_.size());
  if (weights_.size() != wavelengths_.size()) {
    throw InvalidArgument(format_invalid("Spectrum", "weights.size()",
                                         static_cast<double>(weights_.size()),
                                         "must equal wavelengths.size()"));
  }
  check_weights("Spectrum", "weights", weights_.data(), static_cast<int>(weights_.size()));
  weights_ /= weights_.sum();
}

void Source::check_values(std::span<const double> v) const {
  for (double x : v) check_finite(kind(), "values", x);
}

void normalised_weights_pullback(const double* w, const double* wn_bar, int n, double* w_bar) {
  double s = 0, dot = 0;
  for (int i = 0; i < n; ++i) s += w[i];
  for (int i = 0; i < n; ++i) dot += wn_bar[i] * w[i] / s;
  for (int i = 0; i < n; ++i) w_bar[i] += (wn_bar[i] - dot) / s;
}

}  // namespace airy::sources
