// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Laplace covariance of a model with a pixel-response ("flat field") map f and a few
/// global parameters theta, by the Schur complement of the flat field's diagonal block: the
/// dense covariance of the globals and the exact marginal variance of every flat-field pixel,
/// in memory linear in the pixel count (docs/fisher.md, section 8).
///
/// Flat-field pixel p scales only detector pixel p of each exposure e, so with the per-pixel
/// Fisher weights w_ep, c_ep = d mu_ep / d f_p (mu_ep / f_p for mu = f * image) and the global
/// Jacobian rows j_ep = d mu_ep / d theta (n_g), the Laplace precision is
///   P = [[A, B], [B^T, D]],  A = diag(a),  a_p = pi_p + sum_e w_ep c_ep^2,
///   B row p: b_p = sum_e w_ep c_ep j_ep,   D = Pi_g + sum_e sum_p w_ep j_ep j_ep^T,
/// (pi_p, Pi_g the prior precisions), and its inverse has
///   Sigma_gg = S^-1,  S = D - B^T A^-1 B = Pi_g + sum_p M_p,
///   var(f_p) = 1/a_p + b_p^T Sigma_gg b_p / a_p^2.
/// M_p, the information pixel p gives the globals once f_p is marginalised, is accumulated as
/// a sum of squares (no cancellation): with q_e = sqrt(w_ep) c_ep, G = rows sqrt(w_ep) j_ep,
/// q^ = q/|q| and alpha = pi_p / (pi_p + |q|^2),
///   M_p = G^T (I - q q^T/(pi_p + |q|^2)) G = (G - q^ q^^T G)^T (G - q^ q^^T G)
///         + alpha (G^T q^)(G^T q^)^T.
/// Cost: O(n_pix N n_g^2 + n_g^3) flops and O(n_pix + n_g^2) memory beyond the inputs.
#pragma once

#include <vector>

#include "airy/core/arrays.hpp"

namespace airy::posterior {

/// One exposure's Jacobian pieces on the flat field's pixel grid (n_pix pixels, row-major
/// detector order; the flat field's pixel p is detector pixel p of every exposure).
struct FlatFieldExposure {
  /// w_p: per-pixel Fisher weight (fisher_weights(likelihood, mu), photons^-1 or ^-2; 0 for a
  /// masked pixel or one the exposure does not cover), n_pix values >= 0.
  RealVector weight;
  /// c_p = d mu_p / d f_p (photons per unit of f_p; mu_p / f_p when mu = f * image), n_pix.
  RealVector flat_jacobian;
  /// J_g = d mu / d theta (n_pix x n_g, photons per unit of each global).
  RealMatrix global_jacobian;
};

/// The Laplace (Gaussian) approximation's covariance pieces.
struct FlatFieldLaplace {
  RealMatrix global_precision;   ///< S = D - B^T A^-1 B (n_g x n_g): the globals' marginal
                                 ///< precision with the flat field integrated out
  RealMatrix global_covariance;  ///< Sigma_gg = S^-1 (n_g x n_g)
  RealVector global_sd;          ///< sqrt(diag Sigma_gg)
  RealVector flat_information;   ///< a_p = pi_p + sum_e w_ep c_ep^2 (n_pix)
  RealVector flat_variance;      ///< diag of the flat-field block of P^-1 (n_pix)
  RealVector flat_sd;            ///< sqrt(flat_variance)
};

/// The Laplace covariance pieces of P (see the file comment) by the Schur complement.
/// Coordinates are whatever the Jacobians and prior precisions are in (site units, or the
/// unconstrained space with J multiplied by dx/du and the priors' -Hessian in u).
/// @param exposures  N >= 1 exposures, all with n_pix pixels and n_g >= 0 global columns.
/// @param flat_prior_precision  pi_p >= 0 (n_pix), e.g. 1/sd^2 of a Normal prior; 0 = flat.
/// @param global_prior_precision  Pi_g (n_g x n_g, symmetric positive semi-definite).
/// @throws InvalidArgument for inconsistent sizes, a negative or non-finite weight or prior
///   precision (naming the exposure, pixel and value), a pixel with no information at all
///   (a_p = 0), or a singular S (naming the global with the largest share of the null vector).
[[nodiscard]] FlatFieldLaplace flat_field_laplace(const std::vector<FlatFieldExposure>& exposures,
                                                  const RealVector& flat_prior_precision,
                                                  const RealMatrix& global_prior_precision);

/// The dense precision P ((n_pix + n_g) squared; flat field first, then globals) that
/// flat_field_laplace factors implicitly: for tests and small problems only.
[[nodiscard]] RealMatrix flat_field_dense_precision(const std::vector<FlatFieldExposure>& exposures,
                                                    const RealVector& flat_prior_precision,
                                                    const RealMatrix& global_prior_precision);

}  // namespace airy::posterior
