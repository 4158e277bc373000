// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief One PSF for several exposures that differ by whole-pixel dithers (Paper I's five
/// integer dithers): rendered once on a grid enlarged by the dither range, cropped per exposure.
///
/// For a source tilt theta the MFT field is E_theta(u) = sum_x P(x) e^{i k (theta - u) x}
/// (docs/conventions.md), so a dither d shifts it: E_{theta+d}(u) = E_theta(u - d). When d is a
/// whole number k of output pixels p (psf_pixel_scale / oversample) and the output grid is the
/// same lattice u_c = (c - (n-1)/2) p, exposure b's PSF is exposure a's shifted by k pixels:
///   psf_b[r, c] = psf_a[r - k_y, c - k_x].
/// So one PSF at a's dither on a grid of n + 2 pad pixels (pad >= max |k|) holds every member's
/// PSF as the window at (pad - k_y, pad - k_x); the pullback adds each member's PSF cotangent
/// into its window and pulls the sum back once. Flux scales stay per exposure (the PSF is linear
/// in the amplitudes: the shared one is rendered at flux scale 1 and each window is scaled,
/// Telescope::render_detector), and so do the detector layers.
#pragma once

#include <vector>

#include "airy/model/telescope.hpp"

namespace airy::model {

/// Whether b sees a's PSF shifted by whole output pixels: both have the exposure component,
/// the same optical system and source objects (pointers), an angular system, equal source
/// and optics values, and dithers that differ by whole output pixels (to 1e-9 px). Their flux
/// scales and detector layers may differ.
[[nodiscard]] bool shares_psf(const Telescope& a, const Telescope& b);

/// The shared PSF of members that each shares_psf with the first.
class SharedPsf {
 public:
  /// @throws InvalidArgument for no member or a member that does not shares_psf with the first.
  explicit SharedPsf(const std::vector<Telescope>& members);

  /// Renders the enlarged PSF: member 0's source and optics (and dither) at flux scale 1, no
  /// detector layers, on (n + 2 pad)^2 output pixels. Its source and optics paths are the
  /// members'.
  [[nodiscard]] const Telescope& wide() const { return wide_; }
  [[nodiscard]] int pad() const { return pad_; }
  /// Member k's window in wide()'s image (row, column of its first pixel).
  [[nodiscard]] int row0(int k) const { return row0_.at(static_cast<std::size_t>(k)); }
  [[nodiscard]] int col0(int k) const { return col0_.at(static_cast<std::size_t>(k)); }

 private:
  SharedPsf(Telescope wide, int pad, std::vector<int> row0, std::vector<int> col0);
  Telescope wide_;
  int pad_;
  std::vector<int> row0_, col0_;
};

}  // namespace airy::model
