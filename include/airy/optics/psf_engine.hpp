// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The hot path: polychromatic multi-star PSF of an OpticalSystem and its exact
/// pullback, with MFT matrices cached per wavelength and no allocation per evaluation.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/optics/mft.hpp"
#include "airy/optics/optical_system.hpp"

namespace airy::optics {

/// Per-caller buffers of a PsfEngine evaluation (opaque; make with PsfEngine::make_workspace).
class PsfWorkspace {
 public:
  virtual ~PsfWorkspace() = default;
};

/// Computes, for S point sources and L wavelengths,
///
///     psf = sum_s sum_l a[s,l] |E_sl|^2,   E_sl = c_l A_l D^y_sl P_l D^x_sl B_l
///
/// where P_l = layers(initial wavefront at lambda_l) is shared by all stars, D^x_sl =
/// diag(exp(i k_l theta_x,s x_j)) (likewise y) is the source tilt (dLux 0.15 sign, +theta
/// lands at +theta), and c_l A_l . B_l the cached MFT. The tilt is applied at the
/// propagator input; it commutes with every pointwise layer, so this equals dLux's tilt-first
/// order for pointwise layer chains (docs/conventions.md).
///
/// Pullback (real-pair convention), with G_sl = 2 a[s,l] psf_bar (.) E_sl:
///
///     a_bar[s,l]  = sum psf_bar (.) |E_sl|^2
///     Pbar_sl     = c_l (D^y_sl)^* A_l^H G_sl B_l^H (D^x_sl)^*,   P_bar_l = sum_s Pbar_sl
///     theta_x_bar = sum_l k_l sum_ij x_j Im(Pbar_sl(i,j) conj(P_l(i,j)))   (y likewise)
///
/// then P_bar_l runs back through the layers. Immutable and thread-safe.
class PsfEngine {
 public:
  /// @param wavelengths metres, each > 0, at least one.
  /// @param num_sources S >= 1.
  /// @throws InvalidArgument on an empty or non-positive wavelength list or S < 1.
  PsfEngine(std::shared_ptr<const OpticalSystem> system, RealVector wavelengths, int num_sources);

  [[nodiscard]] const OpticalSystem& system() const { return *system_; }
  [[nodiscard]] const RealVector& wavelengths() const { return wavelengths_; }
  [[nodiscard]] int num_sources() const { return num_sources_; }
  [[nodiscard]] const Mft& mft(int l) const { return mfts_[l]; }
  /// Buffers for forward/pullback; all allocation happens here. Every parameter cotangent is
  /// computed unless set_needs says otherwise.
  [[nodiscard]] std::unique_ptr<PsfWorkspace> make_workspace() const;
  /// Declares which layer parameters (OpticalSystem::values() layout, one flag each; empty =
  /// all) need cotangents at the next pullbacks on ws, letting layers skip work (e.g. a fixed
  /// normalised transmission). The entries of params_bar in blocks of 64 or more entries
  /// that are not needed are then unspecified (pullback neither zeroes nor necessarily writes
  /// them; smaller blocks are still computed). Takes effect from the
  /// next forward. @throws InvalidArgument on a wrong size.
  void set_needs(const std::vector<bool>& needed, PsfWorkspace& ws) const;

  /// psf (n_out, n_out) [y, x] for layer parameters `params` (OpticalSystem::values()
  /// layout), positions (S, 2) = (theta_x, theta_y) in rad, amplitudes (S, L) photons.
  void forward(std::span<const double> params, const RealMatrix& positions,
               const RealMatrix& amplitudes, PsfWorkspace& ws, RealImage& psf) const;
  /// Cotangents at the last forward on ws: params_bar (the needed blocks, see set_needs),
  /// positions_bar (S, 2) and amplitudes_bar (S, L) are overwritten.
  void pullback(std::span<const double> params, const RealImage& psf_bar, PsfWorkspace& ws,
                std::span<double> params_bar, RealMatrix& positions_bar,
                RealMatrix& amplitudes_bar) const;

 private:
  std::shared_ptr<const OpticalSystem> system_;
  RealVector wavelengths_;
  int num_sources_;
  std::vector<Mft> mfts_;
};

}  // namespace airy::optics
