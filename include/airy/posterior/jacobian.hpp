// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Exact Jacobians for the Fisher information: of the rendered image with respect to a
/// ParameterSet (one pullback per pixel) and of a SiteModel's bijectors (dx/du).
///
/// Cost: the telescope offers reverse mode only (render + pullback, no JVP), so the image
/// Jacobian J = d image / d x (P pixels x n parameters) is built row by row: one render, then
/// one pullback of each pixel's basis cotangent e_r,  J[r, :] = (d image/d x)^T e_r, each
/// after a fresh render (the engine's pullback consumes what render saved). That is P renders
/// + P pullbacks (256 for the flagship's 16 x 16 detector), i.e. P gradient evaluations,
/// against the n = 13 JVPs a forward mode would need: ~20x more work, but exact and with no
/// new engine code; once per fit it costs about as much as 1-2 NUTS iterations at tree
/// depth 8. Finite differences would need 2n renders and lose half the digits.
#pragma once

#include <span>

#include "airy/core/arrays.hpp"
#include "airy/infer/site_model.hpp"
#include "airy/model/telescope.hpp"

namespace airy::posterior {

/// J = d image / d x at x (the ParameterSet's flat vector, in the paths' own units):
/// shape (rows * cols, set.size()), pixel r = y * cols + x (row-major image order), units of
/// photons per unit of each parameter. If `image` is non-null it receives the image at x.
/// Cost: rows * cols renders + pullbacks.
/// @throws InvalidArgument when x.size() != set.size() (naming both).
[[nodiscard]] RealMatrix image_jacobian(const model::Telescope& telescope,
                                        const model::ParameterSet& set, std::span<const double> x,
                                        RealImage* image = nullptr);

/// dx/du of a SiteModel's bijectors at the unconstrained point u: shape
/// (site_dim(), dim()), block-diagonal over sites. Row k of a site's block is
/// J^T e_k = pullback(e_k) - pullback(0) (the log-Jacobian term cancels), so every bijector
/// (elementwise or simplex) is handled exactly.
/// @throws InvalidArgument when u.size() != model.dim().
[[nodiscard]] RealMatrix bijector_jacobian(const infer::SiteModel& model,
                                           std::span<const double> u);

/// Hessian of the log prior + log|det dT/du| in the unconstrained space at u, by central
/// differences of the exact gradient SiteModel::log_prior_gradient (step h_i =
/// 1e-5 max(1, |u_i|)), symmetrised: H = (G + G^T)/2, G[:, i] = (g(u + h_i e_i) -
/// g(u - h_i e_i)) / (2 h_i). Shape (dim, dim).
[[nodiscard]] RealMatrix prior_hessian(const infer::SiteModel& model, std::span<const double> u);

}  // namespace airy::posterior
