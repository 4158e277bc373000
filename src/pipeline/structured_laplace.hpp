// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The large-scale path of `airy optimize` and `airy fisher` for a posterior with a
/// flat-field site (detector.pixel_response.map): the pieces posterior::flat_field_laplace
/// needs, the Laplace / Cramér-Rao sds of every parameter, and the scales of
/// posterior::maximize_scaled, with nothing of size n^2 (docs/calibration.md).
///
/// In the unconstrained coordinates u (x = T(u) the site values), per exposure e:
///   w_ep   = fisher_weights(likelihood_e, mu_e)                        (photons^-1 or ^-2)
///   c_ep   = d mu_ep / d u_f,p = scale * (d mu_ep / d p_f,p) * (d x_f,p / d u_f,p):
///            one exact pullback of a cotangent of ones (f_p touches only pixel p, so
///            (J_f^T 1)_p = d mu_p / d f_p)
///   J_g    = d mu_e / d u_g: 5-point central differences, 4 renders per global coordinate,
///            step h_j = 1e-3 s_j (s_j the prior sd of u_j, 1/sqrt(prior curvature); 1e-3
///            max(1, |u_j|) under a flat prior); truncation error ~ (h/L)^4 for a PSF
///            feature of scale L, rounding ~ eps L / h (both ~1e-12 relative at h/L ~ 1e-3)
///   pi_p   = the flat-field prior's curvature in u (prior_curvature_diagonal)
///   Pi_g   = -d^2 [log prior + log|det dT/du|] / du_g du_g^T: central differences of the
///            exact prior gradient, 2 per global coordinate.
/// The Laplace covariance in u (flat_field_laplace) maps back to site units by the delta
/// method: Sigma_x,gg = B_g Sigma_u,gg B_g^T (B_g = dx_g/du_g, per site), sd_x(f_p) =
/// |dx_f,p/du_f,p| sd_u(f_p); the Cramér-Rao covariance is the same with no priors
/// (B F_u^-1 B^T = F_x^-1 when B is invertible).
/// Cost: N renders + pullbacks, 4 N n_g renders, 2 n_g + 2 prior gradients,
/// O(n_pix N n_g^2) flops; memory O(N n_pix n_g).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/core/arrays.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "airy/posterior/structured_fisher.hpp"

namespace airy::pipeline {

/// The path of the flat field.
inline constexpr const char* kFlatFieldPath = "detector.pixel_response.map";

/// How `airy fisher` / `airy optimize` treat the covariance: dense F (n x n), the Schur
/// complement of a flat field, or auto (structured when the posterior has a flat-field site
/// and more than kStructuredAbove parameters).
enum class LaplaceMethod { kAuto, kDense, kStructured };
inline constexpr int kStructuredAbove = 1000;

/// "auto" / "dense" / "structured". @throws InvalidArgument naming `field` and the value.
LaplaceMethod parse_laplace_method(const std::string& name, const std::string& field);

/// The site index of the shared flat field, or -1 when the posterior has none.
int flat_field_site(const posterior::ImagePosterior& post);

/// Whether `method` picks the structured path for this posterior. kStructured without a
/// flat-field site is an error; the structured path also needs the flat field's Jacobian to
/// be diagonal: the pixel_response layer must be followed only by background and saturation
/// layers (no jitter or downsampling, which would mix pixels) and have one entry per data
/// pixel, with an elementwise prior and bijector.
/// @throws InvalidArgument naming the config key that breaks this.
bool use_structured(const config::Config& c, const posterior::ImagePosterior& post,
                    LaplaceMethod method);

/// The Schur-complement pieces at u (see the file comment).
struct FlatFieldPieces {
  std::vector<posterior::FlatFieldExposure> exposures;  ///< in u coordinates
  RealVector flat_prior;                                ///< pi_p (u)
  RealMatrix global_prior;                              ///< Pi_g (u), n_gu x n_gu
  std::vector<int> flat_u, global_u;                    ///< u indices
  std::vector<int> flat_x, global_x;                    ///< site (x) indices
  RealVector flat_dxdu;                                 ///< dx_f,p / du_f,p
  RealMatrix global_dxdu;                               ///< B_g (n_gx x n_gu)
  int rows = 0, cols = 0;                               ///< the flat field's shape
};

/// The pieces at the unconstrained point u. @throws InvalidArgument as use_structured.
FlatFieldPieces flat_field_pieces(const posterior::ImagePosterior& post, std::span<const double> u);

/// 1 / sqrt(Laplace precision diagonal) in u: the scales maximize_scaled needs
/// (a_p for the flat field, Pi_g,jj + sum_e sum_p w j^2 for a global).
std::vector<double> laplace_diagonal_scales(const FlatFieldPieces& pieces, int dim);

/// Every parameter's Laplace (and, when the data alone determine them, Cramér-Rao) sd.
struct StructuredLaplace {
  std::vector<std::string> names, units;
  std::vector<double> values;      ///< site units
  std::vector<double> laplace_sd;  ///< site units, every parameter
  std::vector<double> crb;         ///< site units; NaN when the Fisher matrix is singular
  std::string crb_note;            ///< why there is no CRB ("" when there is)
  std::vector<int> global_x;       ///< site indices of the globals
  RealMatrix global_covariance;    ///< Laplace covariance of the globals (site units)
  RealImage flat_sd;               ///< the flat field's Laplace sd as its (rows, cols) map
  RealImage flat_crb;              ///< its Cramér-Rao bound map (NaN when singular)
  /// The Laplace marginal variance of every unconstrained coordinate u (model.dim() values,
  /// the u order): the flat field's Schur-complement variances and the diagonal of the
  /// globals' covariance in u. The diagonal inverse metric NUTS starts from
  /// (sampler.metric_init = "laplace" on a flat-field posterior, docs/calibration.md).
  std::vector<double> unconstrained_variance;
  /// 1 / P_ii, the variance of each u coordinate with all the others fixed (P the Laplace
  /// precision in u; laplace_diagonal_scales squared). unconstrained_variance_i / this >= 1:
  /// how much the coupling to the globals widens coordinate i. With the marginal variances as
  /// a diagonal metric the scaled covariance R has (R^-1)_ii = that ratio, so its condition
  /// number is at least the largest ratio (the leapfrog step is bounded by the narrowest
  /// direction, the trajectory by the widest): the evidence for a low-rank metric term.
  std::vector<double> unconstrained_conditional_variance;
  double seconds = 0.0;
};

/// The structured Laplace approximation at site values `values`.
/// @throws InvalidArgument for values outside the priors' support and as flat_field_pieces.
StructuredLaplace structured_laplace(const posterior::ImagePosterior& post,
                                     std::span<const double> values);

/// crb.csv-style rows: parameter,unit,<value_label>,crb,laplace_sd.
std::string structured_csv(const StructuredLaplace& s, const std::string& value_label);
/// The globals' table plus a one-line summary of the flat field's sds.
std::string structured_table(const StructuredLaplace& s, const std::string& value_label);
/// The globals' covariance as CSV with names (site units).
std::string global_covariance_csv(const StructuredLaplace& s);

/// Writes flat_field_sd.fits, flat_field_crb.fits and global_covariance.csv into `out`.
void write_flat_field_outputs(const config::Config& c, const StructuredLaplace& s,
                              const std::string& out);

}  // namespace airy::pipeline
