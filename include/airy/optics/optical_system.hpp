// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Layered optical systems with an MFT to the focal plane: AngularOpticalSystem
/// (dLux, arcsec pixels) and CartesianOpticalSystem (focal length, metre pixels).
#pragma once

#include <memory>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/optics/layer.hpp"
#include "airy/optics/mft.hpp"

namespace airy::optics {

/// A pupil of wf_npixels^2 over `diameter` m, a list of keyed layers applied in order to the
/// dLux initial wavefront (uniform 1/N^2), then an MFT to a psf_npixels*oversample square
/// focal grid. Immutable. The output is the oversampled grid (nothing is binned; add a
/// detector Downsample(oversample) to bin, as in dLux).
class OpticalSystem {
 public:
  virtual ~OpticalSystem() = default;

  [[nodiscard]] int wf_npixels() const { return wf_npixels_; }
  /// Pupil diameter, m.
  [[nodiscard]] double diameter() const { return diameter_; }
  [[nodiscard]] const std::vector<NamedLayer>& layers() const { return layers_; }
  [[nodiscard]] int psf_npixels() const { return psf_npixels_; }
  [[nodiscard]] int oversample() const { return oversample_; }
  /// Detector pixel scale as given: arcsec/px (angular) or m/px (Cartesian).
  [[nodiscard]] double psf_pixel_scale() const { return psf_pixel_scale_; }
  /// Focal length in m; 0 for angular systems.
  [[nodiscard]] double focal_length() const { return focal_length_; }
  /// Side of the output (oversampled) grid: psf_npixels * oversample.
  [[nodiscard]] int output_npixels() const { return psf_npixels_ * oversample_; }
  /// Side length and pixel scale (m) of the pupil after the last layer.
  [[nodiscard]] int final_pupil_npixels() const { return final_n_; }
  [[nodiscard]] double final_pupil_pixel_scale() const { return final_ps_; }
  /// Pupil side length and pixel scale (m) at the input of layer i (i = layers().size(): the
  /// propagator input).
  [[nodiscard]] int layer_input_npixels(std::size_t i) const { return n_in_[i]; }
  [[nodiscard]] double layer_input_pixel_scale(std::size_t i) const { return ps_in_[i]; }
  /// The MFT of this system at `wavelength` (m): output pixel psf_pixel_scale/oversample,
  /// converted to rad (angular) or kept in m with the focal length (Cartesian).
  [[nodiscard]] MftSpec mft_spec(double wavelength) const;
  /// Offsets of each layer's parameters in the concatenated layer parameter vector.
  [[nodiscard]] const std::vector<int>& layer_offsets() const { return offsets_; }
  /// Total number of layer parameters.
  [[nodiscard]] int num_parameters() const { return offsets_.back(); }
  /// Stored layer parameter values, concatenated in layer order.
  [[nodiscard]] RealVector values() const;

  /// Convenience (allocating) polychromatic PSF of one point source at (x, y) rad:
  /// sum_l weights_l |MFT_l(layers(wf_l) tilted)|^2 with the stored layer values.
  [[nodiscard]] RealImage psf(const RealVector& wavelengths, const RealVector& weights,
                              double x = 0.0, double y = 0.0) const;

 protected:
  /// @throws InvalidArgument on non-positive sizes/scales or a null layer or duplicate key.
  OpticalSystem(int wf_npixels, double diameter, std::vector<NamedLayer> layers, int psf_npixels,
                double psf_pixel_scale, int oversample, double focal_length);

 private:
  int wf_npixels_;
  double diameter_;
  std::vector<NamedLayer> layers_;
  int psf_npixels_;
  double psf_pixel_scale_;
  int oversample_;
  double focal_length_;
  int final_n_ = 0;
  double final_ps_ = 0.0;
  std::vector<int> n_in_, offsets_;
  std::vector<double> ps_in_;
};

/// dLux AngularOpticalSystem(wf_npixels, diameter, layers, psf_npixels, psf_pixel_scale
/// [arcsec/px], oversample): MFT pixel = arcsec_to_rad(psf_pixel_scale / oversample).
class AngularOpticalSystem final : public OpticalSystem {
 public:
  AngularOpticalSystem(int wf_npixels, double diameter, std::vector<NamedLayer> layers,
                       int psf_npixels, double psf_pixel_scale_arcsec, int oversample = 1);
};

/// dLux CartesianOpticalSystem with the focal length actually used (dLux 0.15.1 drops it, see
/// docs/conventions.md): MFT pixel = psf_pixel_size / oversample metres at `focal_length` m.
class CartesianOpticalSystem final : public OpticalSystem {
 public:
  CartesianOpticalSystem(int wf_npixels, double diameter, std::vector<NamedLayer> layers,
                         double focal_length, int psf_npixels, double psf_pixel_size_m,
                         int oversample = 1);
};

}  // namespace airy::optics
