// SPDX-License-Identifier: BSD-3-Clause
#include "airy/model/shared_psf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "airy/core/error.hpp"
#include "airy/model/builder.hpp"
#include "airy/model/telescope_impl.hpp"
#include "airy/optics/optical_system.hpp"

namespace airy::model {
namespace {

/// Output pixel in arcsec (angular systems).
double output_pixel(const Telescope& t) {
  const auto& s = t.impl().system();
  return s.psf_pixel_scale() / s.oversample();
}

double dither(const Telescope& t, int axis) {
  return t.impl().values()[t.impl().exposure_offset() + axis];
}

/// The dither of b relative to a in whole output pixels (axis 0 = x, 1 = y), or false.
bool whole_pixel_shift(const Telescope& a, const Telescope& b, int axis, int& k) {
  const double s = (dither(b, axis) - dither(a, axis)) / output_pixel(a);
  const double r = std::round(s);
  if (!(std::abs(s - r) <= 1e-9 * std::max(1.0, std::abs(r)))) return false;
  if (std::abs(r) > 1e6) return false;
  k = static_cast<int>(r);
  return true;
}

std::vector<std::pair<int, int>> shifts_of(const std::vector<Telescope>& members) {
  if (members.empty()) throw_invalid("SharedPsf", "members", "at least one is needed");
  std::vector<std::pair<int, int>> k;
  for (std::size_t i = 0; i < members.size(); ++i) {
    int kx = 0, ky = 0;
    if (!shares_psf(members[0], members[i]) || !whole_pixel_shift(members[0], members[i], 0, kx) ||
        !whole_pixel_shift(members[0], members[i], 1, ky)) {
      throw InvalidArgument(fmt::format(
          "SharedPsf: member {} does not see member 0's PSF shifted by whole pixels (same "
          "optics, source and values; dithers differing by multiples of {} arcsec)",
          i, output_pixel(members[0])));
    }
    k.emplace_back(kx, ky);
  }
  return k;
}

}  // namespace

bool shares_psf(const Telescope& a, const Telescope& b) {
  const TelescopeImpl& ia = a.impl();
  const TelescopeImpl& ib = b.impl();
  if (!ia.has_exposure() || !ib.has_exposure()) return false;
  if (ia.system_ptr() != ib.system_ptr() || ia.source_ptr() != ib.source_ptr()) return false;
  if (ia.system().focal_length() != 0.0) return false;  // Cartesian: dithers are angles
  const int n = ia.source_size() + ia.optics_size();
  if (ia.values().head(n) != ib.values().head(n)) return false;
  int k = 0;
  return whole_pixel_shift(a, b, 0, k) && whole_pixel_shift(a, b, 1, k);
}

SharedPsf::SharedPsf(const std::vector<Telescope>& members)
    : SharedPsf([&] {
        const std::vector<std::pair<int, int>> k = shifts_of(members);
        const Telescope& a = members[0];
        const optics::OpticalSystem& s = a.impl().system();
        int range = 0;
        for (const auto& [kx, ky] : k) range = std::max({range, std::abs(kx), std::abs(ky)});
        // Whole detector pixels of margin per side: ceil(range / oversample).
        const int extra = (range + s.oversample() - 1) / s.oversample();
        const int pad = extra * s.oversample();
        auto system = std::make_shared<optics::AngularOpticalSystem>(
            s.wf_npixels(), s.diameter(), s.layers(), s.psf_npixels() + 2 * extra,
            s.psf_pixel_scale(), s.oversample());
        Telescope wide = TelescopeBuilder()
                             .optics(system)
                             .source(a.impl().source_ptr())
                             .exposure({dither(a, 0), dither(a, 1), 1.0})
                             .build();
        // Member 0's current source and optics values (a Telescope::set may have changed them
        // from the components' stored ones); the paths and offsets are the same.
        const int n = a.impl().source_size() + a.impl().optics_size();
        for (const auto& e : a.impl().entries()) {
          if (e.offset + e.size > n) continue;
          if (wide.impl().values().segment(e.offset, e.size) !=
              a.impl().values().segment(e.offset, e.size)) {
            wide = wide.set(e.path, a.impl().values().segment(e.offset, e.size));
          }
        }
        std::vector<int> row0, col0;
        for (const auto& [kx, ky] : k) {
          row0.push_back(pad - ky);
          col0.push_back(pad - kx);
        }
        return SharedPsf(std::move(wide), pad, std::move(row0), std::move(col0));
      }()) {}

SharedPsf::SharedPsf(Telescope wide, int pad, std::vector<int> row0, std::vector<int> col0)
    : wide_(std::move(wide)), pad_(pad), row0_(std::move(row0)), col0_(std::move(col0)) {}

}  // namespace airy::model
