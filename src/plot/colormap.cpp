// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/colormap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "airy/core/error.hpp"
#include "colormap_tables.hpp"

namespace airy::plot {
namespace {

/// ColorBrewer RdBu (11 classes), reversed so that low values are blue (poppy's RdBu_r).
constexpr std::array<Rgb, 11> kRdBuR = {{{0.019608, 0.188235, 0.380392},
                                         {0.129412, 0.400000, 0.674510},
                                         {0.262745, 0.576471, 0.764706},
                                         {0.572549, 0.772549, 0.870588},
                                         {0.819608, 0.898039, 0.941176},
                                         {0.968627, 0.968627, 0.968627},
                                         {0.992157, 0.858824, 0.780392},
                                         {0.956863, 0.647059, 0.509804},
                                         {0.839216, 0.376471, 0.301961},
                                         {0.698039, 0.094118, 0.168627},
                                         {0.403922, 0.000000, 0.121569}}};

/// matplotlib's tab10.
constexpr std::array<Rgb, 10> kTab10 = {{{0.121569, 0.466667, 0.705882},
                                         {1.000000, 0.498039, 0.054902},
                                         {0.172549, 0.627451, 0.172549},
                                         {0.839216, 0.152941, 0.156863},
                                         {0.580392, 0.403922, 0.741176},
                                         {0.549020, 0.337255, 0.294118},
                                         {0.890196, 0.466667, 0.760784},
                                         {0.498039, 0.498039, 0.498039},
                                         {0.737255, 0.741176, 0.133333},
                                         {0.090196, 0.745098, 0.811765}}};

template <typename Table>
Rgb interpolate(const Table& table, double t) {
  const double x = t * static_cast<double>(table.size() - 1);
  const auto i = static_cast<std::size_t>(
      std::clamp(std::floor(x), 0.0, static_cast<double>(table.size() - 2)));
  const double f = x - static_cast<double>(i);
  const auto& a = table[i];
  const auto& b = table[i + 1];
  return {a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

}  // namespace

Rgb colormap_lookup(Colormap map, double t) {
  if (std::isnan(t)) return {0.5, 0.5, 0.5};
  t = std::clamp(t, 0.0, 1.0);
  switch (map) {
    case Colormap::kInferno:
      return interpolate(detail::kInferno, t);
    case Colormap::kViridis:
      return interpolate(detail::kViridis, t);
    case Colormap::kRdBu:
      return interpolate(kRdBuR, t);
    case Colormap::kGray:
      return {t, t, t};
  }
  return {t, t, t};
}

Colormap colormap_from_name(const std::string& name) {
  std::string n = name;
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "inferno") return Colormap::kInferno;
  if (n == "viridis") return Colormap::kViridis;
  if (n == "rdbu" || n == "rdbu_r" || n == "coolwarm" || n == "residual") return Colormap::kRdBu;
  if (n == "gray" || n == "grey") return Colormap::kGray;
  throw InvalidArgument(
      fmt::format("colormap '{}' is unknown (use inferno, viridis, rdbu or gray)", name));
}

Rgb category_color(int k) {
  const auto n = static_cast<int>(kTab10.size());
  return kTab10[static_cast<std::size_t>(((k % n) + n) % n)];
}

}  // namespace airy::plot
