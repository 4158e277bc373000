// SPDX-License-Identifier: BSD-3-Clause
// Tick values, tick labels and "mean ± sd" titles.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "airy/plot/figure.hpp"

namespace airy::plot {
namespace {

/// Replaces ASCII '-' by the typographic minus (U+2212), as matplotlib does.
std::string minus(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '-') {
      out += "\u2212";
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  std::vector<double> out;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo) || max_ticks < 1) return out;
  const double span = hi - lo;
  const double base = std::pow(10.0, std::floor(std::log10(span / max_ticks)));
  for (double mult : {1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0}) {
    const double step = mult * base;
    const double first = std::ceil(lo / step - 1e-9) * step;
    std::vector<double> t;
    for (double v = first; v <= hi + 1e-9 * step; v += step) {
      t.push_back(std::abs(v) < 1e-9 * step ? 0.0 : v);
    }
    if (static_cast<int>(t.size()) <= max_ticks) return t;
  }
  return out;
}

std::vector<std::string> tick_labels(const std::vector<double>& ticks, int& exponent) {
  exponent = 0;
  double m = 0.0;
  for (double t : ticks) m = std::max(m, std::abs(t));
  if (m > 0.0 && (m < 1e-3 || m >= 1e5)) exponent = static_cast<int>(std::floor(std::log10(m)));
  return tick_labels_scaled(ticks, exponent);
}

std::vector<std::string> tick_labels_scaled(const std::vector<double>& ticks, int exponent) {
  const double scale = std::pow(10.0, -exponent);
  int decimals = 0;
  for (; decimals < 10; ++decimals) {
    bool exact = true;
    const double f = std::pow(10.0, decimals);
    for (double t : ticks) {
      const double v = t * scale;
      if (std::abs(std::round(v * f) / f - v) > 1e-6 * std::max(1.0, std::abs(v))) exact = false;
    }
    if (exact) break;
  }
  std::vector<std::string> out;
  for (double t : ticks) {
    std::string s = fmt::format("{:.{}f}", t * scale, decimals);
    if (s.find_first_not_of("-0.") == std::string::npos) s = s.substr(s[0] == '-' ? 1 : 0);
    out.push_back(minus(s));
  }
  return out;
}

std::string format_mean_sd(double value, double error) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (!(error > 0.0) || !std::isfinite(error)) return minus(fmt::format("{:.4g}", value));
  // Two significant digits of the error; the value to the same decimal place.
  const int lead = static_cast<int>(std::floor(std::log10(error)));
  const int decimals = 1 - lead;
  const double mag = std::max(std::abs(value), error);
  if (decimals > 6 || mag >= 1e5) {
    const int e = static_cast<int>(std::floor(std::log10(mag)));
    const double s = std::pow(10.0, -e);
    const int d = std::max(0, decimals + e);
    return minus(fmt::format("({:.{}f} ± {:.{}f})e{}", value * s, d, error * s, d, e));
  }
  const int d = std::max(0, decimals);
  std::string v = fmt::format("{:.{}f}", value, d);
  if (v.find_first_not_of("-0.") == std::string::npos) v = v.substr(v[0] == '-' ? 1 : 0);
  return minus(fmt::format("{} ± {:.{}f}", v, error, d));
}

}  // namespace airy::plot
