// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/labels.hpp"

#include <cstdlib>

namespace airy::plot {
namespace {

/// A name split into its last path component ("x_position") and 1-based index (0: none).
struct SplitName {
  std::string path;  ///< everything before the leaf ("source", "detector.jitter"); may be ""
  std::string leaf;
  int index = 0;
};

SplitName split(const std::string& name) {
  SplitName s;
  std::string base = name;
  const auto open = name.rfind('[');
  if (open != std::string::npos && name.back() == ']') {
    const std::string digits = name.substr(open + 1, name.size() - open - 2);
    if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos) {
      s.index = std::atoi(digits.c_str());
      base = name.substr(0, open);
    }
  }
  const auto dot = base.rfind('.');
  s.leaf = dot == std::string::npos ? base : base.substr(dot + 1);
  s.path = dot == std::string::npos ? "" : base.substr(0, dot);
  return s;
}

/// a + b (GCC 12 reports a false -Wrestrict on "literal" + std::string temporaries).
std::string cat(std::string a, const std::string& b) { return a.append(b); }

std::string words(const std::string& snake) {
  std::string out = snake;
  for (char& ch : out) {
    if (ch == '_') ch = ' ';
  }
  return out;
}

}  // namespace

std::string subscript(int k) {
  static const char* const kSub[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
  std::string out;
  for (char d : std::to_string(k < 0 ? -k : k)) out += kSub[d - '0'];
  return out;
}

std::string unit_symbol(const std::string& unit) {
  if (unit.empty() || unit == "1" || unit == "log10 photons") return "";
  if (unit == "arcsec") return "″";
  if (unit == "deg") return "°";
  if (unit == "um") return "µm";
  return unit;
}

ReadableLabel readable_label(const std::string& name, const std::string& unit,
                             const std::vector<int>& noll) {
  const SplitName s = split(name);
  const std::string sub = s.index > 0 ? subscript(s.index) : "";
  ReadableLabel r;
  r.unit = unit_symbol(unit);
  if (s.leaf == "x_position" || s.leaf == "y_position") {
    r.label = cat(s.leaf[0] == 'x' ? "Δx" : "Δy", sub);
  } else if (s.leaf == "separation") {
    r.label = cat("separation", sub), r.short_label = cat("sep", sub);
  } else if (s.leaf == "position_angle") {
    r.label = cat("position angle", sub), r.short_label = cat("PA", sub);
  } else if (s.leaf == "log_flux") {
    r.label = cat("log flux", sub), r.short_label = cat("log F", sub);
  } else if (s.leaf == "coefficients") {
    // Zernike coefficients (OPD RMS per mode), named by their Noll index.
    const bool known = s.index >= 1 && s.index <= static_cast<int>(noll.size());
    r.label =
        known ? cat("Z", subscript(noll[static_cast<std::size_t>(s.index - 1)])) : cat("c", sub);
    if (unit == "m") r.unit = "nm", r.scale = 1e9;
  } else if (s.leaf == "positions" && s.index > 0) {
    // PointSources: [x0, y0, x1, y1, ...] of each star, stars numbered from 1.
    r.label = cat(s.index % 2 == 1 ? "Δx" : "Δy", subscript((s.index + 1) / 2));
  } else if (s.leaf == "fluxes") {
    r.label = cat("flux", sub);
  } else if (s.leaf == "weights") {
    r.label = cat("w", sub);
  } else if (s.leaf == "sigma" && (s.path.empty() || s.path.ends_with("jitter"))) {
    r.label = cat("jitter σ", sub);
  } else if (s.leaf == "value" && (s.path.empty() || s.path.ends_with("background"))) {
    r.label = cat("background", sub);
  } else {
    r.label = cat(words(s.leaf), sub);
  }
  if (r.short_label.empty()) r.short_label = r.label;
  return r;
}

}  // namespace airy::plot
