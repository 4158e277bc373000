// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Fisher information of an ImagePosterior's sites, Cramér-Rao bounds, correlations
/// and the Laplace approximation in the sampler's unconstrained coordinates (docs/fisher.md).
///
/// For independent pixels with expected counts mu_r(theta) the Fisher information is
///   F = J^T W J,   J = d mu / d theta (pixels x parameters),   W = diag(w(mu_r)),
/// with the per-pixel weight of each likelihood kind (photons^-1 or photons^-2):
///   poisson:           w = 1 / mu
///   gaussian:          w = 1 / sigma^2
///   poisson_gaussian:  N(mu, v), v = mu + sigma^2:  w = 1/v + 1/(2 v^2)
///                      (I = (dmu/dtheta)^2 [1/v + (dv/dmu)^2 / (2 v^2)], dv/dmu = 1)
///   poisson_gaussian_exact: approximated by the poisson_gaussian weight.
/// theta are the site values (site units, e.g. nm), so J already includes the unit scales:
/// J = (d mu / d p) diag(scale). In the unconstrained coordinates u (x = T(u)):
///   F_u = B^T F B,  B = dx/du (bijector_jacobian),
///   Laplace precision  P_u = F_u - H_u,  H_u = Hessian of log prior + log|det B| in u,
///   Laplace covariance C_u = P_u^-1 (the dense inverse metric for NUTS),
///   and in site units  C_x = B C_u B^T (delta method).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "airy/posterior/likelihood.hpp"

namespace airy::posterior {

/// Per-pixel Fisher weight w(mu) of `kind` (see the file comment); mu in photons, sigma the
/// read noise in photons. Pixels with mu <= 0 get w = 0 under kPoisson (no information
/// where no photons are expected; the image is never exactly zero in practice).
[[nodiscard]] RealImage fisher_weights(LikelihoodKind kind, const RealImage& mu, double sigma);

/// Per-pixel Fisher weight of `like` at the model mu (photons): fisher_weights(kind, mu, s)
/// with each pixel's own read variance s^2 = like.pixel_variance(i) (a variance map or sigma^2),
/// and w = 0 at the masked pixels (they carry no information).
/// @throws InvalidArgument when mu's shape differs from the data's.
[[nodiscard]] RealImage fisher_weights(const ImageLikelihood& like, const RealImage& mu);

/// The Fisher information involving the read noise sigma of a likelihood with a "sigma" noise
/// parameter. For d ~ N(m, v) the information of one pixel is
/// I_ab = (dm/da)(dm/db)/v + (dv/da)(dv/db)/(2 v^2); with m = mu and v = max(mu, 0) + sigma^2
/// (poisson_gaussian; gaussian: v = sigma^2), dv/dsigma = 2 sigma, so
///   F_sigma,sigma = sum_p 2 sigma^2 / v_p^2                       (photons^-2)
///   F_theta,sigma = sum_p (dmu_p/dtheta) cross_p,  cross_p = sigma / v_p^2 where mu_p > 0
///                   (poisson_gaussian), 0 for gaussian (its variance ignores mu).
/// poisson_gaussian_exact uses the poisson_gaussian expressions. Masked pixels contribute 0.
struct ReadNoiseFisher {
  double sigma_sigma = 0.0;  ///< F_sigma,sigma (photons^-2)
  RealImage cross;           ///< cross_p (photons^-2), shape of the image
};

/// ReadNoiseFisher of `like` at mu and read noise sigma (photons).
/// @throws InvalidArgument when like has no "sigma" noise parameter (poisson, or a variance
///   map) or mu's shape differs from the data's.
[[nodiscard]] ReadNoiseFisher read_noise_fisher(const ImageLikelihood& like, const RealImage& mu,
                                                double sigma);

/// Everything derived from the Fisher matrix at one point.
struct FisherResult {
  std::vector<std::string> names;     ///< output names ("separation", "coefficients[1]")
  std::vector<std::string> units;     ///< site units ("" = the path's own)
  std::vector<double> values;         ///< site values where it was evaluated (site units)
  std::vector<double> unconstrained;  ///< u = T^-1(values)
  RealMatrix fisher;                  ///< F (n x n), units 1/(unit_i unit_j)
  RealMatrix covariance;              ///< F^-1: Cramér-Rao covariance (site units)
  std::vector<double> crb;            ///< sqrt(diag F^-1) (site units)
  RealMatrix correlation;             ///< F^-1 normalised to unit diagonal
  RealMatrix fisher_unconstrained;    ///< F_u = B^T F B
  RealMatrix prior_hessian;           ///< H_u (negative semi-definite for log-concave priors)
  RealMatrix laplace_unconstrained;   ///< C_u = (F_u - H_u)^-1: the Fisher inverse metric
  RealMatrix laplace;                 ///< C_x = B C_u B^T (site units)
  std::vector<double> laplace_sd;     ///< sqrt(diag C_x)
};

/// The Fisher information of the posterior's sites at `values` (site units, output order,
/// site_dim() entries): one render + P pullbacks + 2 dim prior gradients. A sampled read noise
/// (kReadNoisePath) adds its ReadNoiseFisher terms per exposure: F_ss += scale^2 F_sigma,sigma,
/// F_is += scale sum_p J_pi cross_p.
/// @throws InvalidArgument for a wrong number of values, values outside the priors' support,
///   or a singular Fisher matrix (naming the parameters it cannot constrain).
[[nodiscard]] FisherResult fisher_information(const ImagePosterior& posterior,
                                              std::span<const double> values);

/// F^-1 normalised: R_ij = C_ij / sqrt(C_ii C_jj).
[[nodiscard]] RealMatrix correlation_from_covariance(const RealMatrix& covariance);

}  // namespace airy::posterior
