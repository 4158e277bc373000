// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Pointwise pupil optics: TransmissiveLayer, Optic (transmission + OPD) and BasisOptic
/// (transmission + sum_j c_j basis_j as OPD), each with optional unit-power normalisation.
#pragma once

#include <optional>
#include <vector>

#include "airy/optics/layer.hpp"
#include "airy/optics/shapes.hpp"

namespace airy::optics {

/// Shared implementation of the pointwise optics, per pupil pixel p at wavenumber k = 2pi/lambda:
///
///     pre(p) = in(p) T(p) exp(i k opd(p)),   out = normalise ? pre / ||pre|| : pre
///
/// Pullback with g = normalise ? normalise_pullback(pre, out, out_bar) : out_bar:
///
///     in_bar = g T exp(-i k opd),  T_bar += Re(g conj(in exp(i k opd))),
///     opd_bar += k Im(g conj(pre))    (opd_bar summed over wavelengths, then mapped to the
///                                      layer's own parameters in finish_pullback)
///
/// T defaults to 1 and opd to 0 when absent. Arrays are (n, n), [y, x].
class PointwiseOptic : public Layer {
 public:
  [[nodiscard]] std::unique_ptr<LayerWorkspace> make_workspace(int n,
                                                               int num_wavelengths) const override;
  void forward(std::span<const double> params, double wavelength, double pixel_scale, int w,
               const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const override;
  void pullback(std::span<const double> params, double wavelength, double pixel_scale, int w,
                const ComplexImage& in, const ComplexImage& out, const ComplexImage& out_bar,
                ComplexImage& in_bar, std::span<double> params_bar,
                LayerWorkspace& ws) const override;
  /// Fast path (see set_needs): with a transmission whose cotangent is not needed, an OPD and
  /// no input cotangent, the layer works on the compact list of pixels with T != 0 only;
  /// with normalisation the norm ||in T exp(i k opd)|| = ||in T|| does not depend on the OPD,
  /// and the projection term of the normalise pullback contributes exactly nothing to the OPD
  /// cotangent (Re<out, i out dphi> = 0), so opd_bar = k Im(out_bar conj(out)) per pixel.
  void set_needs(const LayerNeeds& needs, LayerWorkspace& ws) const override;
  /// Pupil side length the layer was built for.
  [[nodiscard]] int npixels() const { return n_; }
  [[nodiscard]] bool normalises() const { return normalise_; }

 protected:
  PointwiseOptic(int n, bool has_transmission, bool normalise)
      : n_(n), has_transmission_(has_transmission), normalise_(normalise) {}
  /// Offset of the transmission block in the flat parameters (if any).
  [[nodiscard]] virtual int transmission_offset() const = 0;
  /// Writes the OPD map (m) for `params` into `opd`; returns false if the layer has no OPD.
  virtual bool compute_opd(std::span<const double> params, RealImage& opd) const = 0;
  /// Adds the cotangent of the parameters given opd_bar (m^-1 units of L per m of OPD).
  virtual void opd_pullback(const RealImage& opd_bar, std::span<double> params_bar) const = 0;
  /// If the OPD is basis^T params.head(K) for a (K, n*n) row-major basis, that basis (lets
  /// the fast path keep a compact copy); nullptr otherwise.
  [[nodiscard]] virtual const RealMatrix* opd_basis() const { return nullptr; }
  void prepare(std::span<const double> params, LayerWorkspace& ws) const override;
  void finish_pullback(std::span<const double> params, std::span<double> params_bar,
                       LayerWorkspace& ws) const override;
  void fast_forward(std::span<const double> params, double wavelength, int w,
                    const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const;
  int n_;
  bool has_transmission_, normalise_;
};

/// dLux TransmissiveLayer: out = normalise?(in T). Parameter: "transmission" (n*n, unitless,
/// row-major [y, x]).
class TransmissiveLayer final : public PointwiseOptic {
 public:
  /// @throws InvalidArgument if `transmission` is empty, not square or non-finite.
  explicit TransmissiveLayer(RealImage transmission, bool normalise = true);
  [[nodiscard]] std::string_view kind() const override { return "TransmissiveLayer"; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  [[nodiscard]] std::shared_ptr<const Layer> with_values(std::span<const double> v) const override;

 private:
  int transmission_offset() const override { return 0; }
  bool compute_opd(std::span<const double>, RealImage&) const override { return false; }
  void opd_pullback(const RealImage&, std::span<double>) const override {}
  RealImage transmission_;
};

/// dLux Optic: out = normalise?(in T exp(i 2pi/lambda opd)). Parameters: "transmission"
/// (n*n, optional) then "opd" (n*n, m).
class Optic final : public PointwiseOptic {
 public:
  /// Either array may be absent (std::nullopt) but not both; present arrays must be square
  /// and of equal size. @throws InvalidArgument otherwise.
  Optic(std::optional<RealImage> transmission, std::optional<RealImage> opd,
        bool normalise = false);
  [[nodiscard]] std::string_view kind() const override { return "Optic"; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  [[nodiscard]] std::shared_ptr<const Layer> with_values(std::span<const double> v) const override;

 private:
  int transmission_offset() const override { return 0; }
  bool compute_opd(std::span<const double> params, RealImage& opd) const override;
  void opd_pullback(const RealImage& opd_bar, std::span<double> params_bar) const override;
  std::optional<RealImage> transmission_, opd_;
};

/// dLux BasisOptic: opd = sum_j c_j B_j (m), out = normalise?(in T exp(i 2pi/lambda opd)).
/// Parameters: "coefficients" (K, m of OPD per basis map), then "transmission" (n*n) if a
/// transmission is given. Pullback: c_bar_j = sum_p B_j(p) opd_bar(p).
class BasisOptic final : public PointwiseOptic {
 public:
  /// @param basis K maps (n, n) (e.g. zernike_basis), dimensionless.
  /// @param transmission (n, n) or std::nullopt.
  /// @param coefficients K values in metres.
  /// @throws InvalidArgument on an empty basis, mismatched shapes, or coefficients.size() != K.
  BasisOptic(std::vector<RealImage> basis, std::optional<RealImage> transmission,
             RealVector coefficients, bool normalise = false);
  [[nodiscard]] std::string_view kind() const override { return "BasisOptic"; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  [[nodiscard]] std::shared_ptr<const Layer> with_values(std::span<const double> v) const override;
  /// The basis as a (K, n*n) row-major matrix.
  [[nodiscard]] const RealMatrix& basis() const { return basis_; }

 private:
  int transmission_offset() const override { return static_cast<int>(basis_.rows()); }
  bool compute_opd(std::span<const double> params, RealImage& opd) const override;
  void opd_pullback(const RealImage& opd_bar, std::span<double> params_bar) const override;
  const RealMatrix* opd_basis() const override { return &basis_; }
  RealMatrix basis_;
  std::optional<RealImage> transmission_;
  RealVector coefficients_;
};

/// An aperture layer from shapes: TransmissiveLayer(aperture_transmission(shapes, npixels,
/// diameter, oversample), normalise); its parameter is "transmission".
[[nodiscard]] std::shared_ptr<const TransmissiveLayer> aperture_layer(
    const std::vector<Shape>& shapes, int npixels, double diameter, int oversample = 5,
    bool normalise = true);

}  // namespace airy::optics
