// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/fisher.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <cmath>

#include "airy/core/error.hpp"
#include "airy/posterior/jacobian.hpp"

namespace airy::posterior {

namespace {

/// w(mu) of one pixel with read variance s2 (photons^2); see the header.
double pixel_weight(LikelihoodKind kind, double m, double s2) {
  switch (kind) {
    case LikelihoodKind::kPoisson:
      return m > 0.0 ? 1.0 / m : 0.0;
    case LikelihoodKind::kGaussian:
      return 1.0 / s2;
    case LikelihoodKind::kPoissonGaussian:
    case LikelihoodKind::kPoissonGaussianExact: {
      // N(mu, v), v = max(mu, 0) + s^2 (the likelihood's own clamp): the mean contributes
      // 1/v, the variance's dependence on mu (dv/dmu = 1 for mu > 0) 1/(2 v^2).
      const double v = std::max(m, 0.0) + s2;
      return 1.0 / v + (m > 0.0 ? 1.0 / (2.0 * v * v) : 0.0);
    }
  }
  return 0.0;
}

}  // namespace

RealImage fisher_weights(LikelihoodKind kind, const RealImage& mu, double sigma) {
  RealImage w(mu.rows(), mu.cols());
  const double s2 = sigma * sigma;
  for (Eigen::Index i = 0; i < mu.size(); ++i) w.data()[i] = pixel_weight(kind, mu.data()[i], s2);
  return w;
}

namespace {

void check_model_shape(const char* where, const ImageLikelihood& like, const RealImage& mu) {
  if (mu.rows() != like.data().rows() || mu.cols() != like.data().cols()) {
    throw InvalidArgument(
        fmt::format("{}: model image is {}x{} (ny x nx) but the data image is {}x{}", where,
                    mu.rows(), mu.cols(), like.data().rows(), like.data().cols()));
  }
}

}  // namespace

RealImage fisher_weights(const ImageLikelihood& like, const RealImage& mu) {
  check_model_shape("fisher_weights", like, mu);
  RealImage w(mu.rows(), mu.cols());
  for (Eigen::Index i = 0; i < mu.size(); ++i) {
    w.data()[i] = like.mask().data()[i] != 0
                      ? 0.0
                      : pixel_weight(like.kind(), mu.data()[i], like.pixel_variance(i));
  }
  return w;
}

ReadNoiseFisher read_noise_fisher(const ImageLikelihood& like, const RealImage& mu, double sigma) {
  check_model_shape("read_noise_fisher", like, mu);
  if (like.noise_parameter_names().empty()) {
    throw InvalidArgument(fmt::format(
        "read_noise_fisher: likelihood {}{} has no read-noise parameter sigma",
        likelihood_name(like.kind()), like.variance().size() != 0 ? " with a variance map" : ""));
  }
  check_positive("read_noise_fisher", "sigma", sigma);
  ReadNoiseFisher r;
  r.cross = RealImage::Zero(mu.rows(), mu.cols());
  const double s2 = sigma * sigma;
  for (Eigen::Index i = 0; i < mu.size(); ++i) {
    if (like.mask().data()[i] != 0) continue;
    const double m = mu.data()[i];
    const bool photon = like.kind() != LikelihoodKind::kGaussian && m > 0.0;
    const double v = (photon ? m : 0.0) + s2;
    r.sigma_sigma += 2.0 * s2 / (v * v);
    if (photon) r.cross.data()[i] = sigma / (v * v);
  }
  return r;
}

RealMatrix correlation_from_covariance(const RealMatrix& c) {
  RealMatrix r(c.rows(), c.cols());
  for (Eigen::Index i = 0; i < c.rows(); ++i) {
    for (Eigen::Index j = 0; j < c.cols(); ++j) r(i, j) = c(i, j) / std::sqrt(c(i, i) * c(j, j));
  }
  return r;
}

namespace {

/// Inverse of a symmetric positive-definite matrix; names the worst-constrained
/// coordinates when it is (numerically) singular.
RealMatrix spd_inverse(const RealMatrix& a, const std::vector<std::string>& names,
                       const char* what) {
  Eigen::SelfAdjointEigenSolver<RealMatrix> eig(a);
  const auto& ev = eig.eigenvalues();
  const double max_ev = ev.cwiseAbs().maxCoeff();
  if (!(ev.minCoeff() > 1e-14 * max_ev)) {
    Eigen::Index k = 0;
    eig.eigenvectors().col(0).cwiseAbs().maxCoeff(&k);
    throw InvalidArgument(
        fmt::format("fisher_information: the {} is singular (smallest eigenvalue {:.3g}, largest "
                    "{:.3g}): the data do not constrain a combination dominated by '{}'",
                    what, ev.minCoeff(), max_ev, names[static_cast<std::size_t>(k)]));
  }
  const Eigen::LLT<RealMatrix> llt(a);
  RealMatrix inv = llt.solve(RealMatrix::Identity(a.rows(), a.cols()));
  return RealMatrix(0.5 * (inv + inv.transpose()));
}

}  // namespace

FisherResult fisher_information(const ImagePosterior& posterior, std::span<const double> values) {
  const infer::SiteModel& density = posterior.log_density();
  const int n = density.site_dim();
  if (static_cast<int>(values.size()) != n) {
    throw InvalidArgument(
        fmt::format("fisher_information: {} values given for {} parameters", values.size(), n));
  }
  FisherResult r;
  r.names = density.output_names();
  r.names.resize(static_cast<std::size_t>(n));
  r.units = posterior.output_units();
  r.values.assign(values.begin(), values.end());
  r.unconstrained.assign(static_cast<std::size_t>(density.dim()), 0.0);
  if (!density.unconstrain(values, r.unconstrained)) {
    std::string shown;
    for (int i = 0; i < n; ++i) {
      shown += fmt::format("{}{} = {}", i ? ", " : "", r.names[static_cast<std::size_t>(i)],
                           values[static_cast<std::size_t>(i)]);
    }
    throw InvalidArgument("fisher_information: values outside the priors' support: " + shown);
  }

  // F = sum_e J_e^T W_e J_e over the exposures, with J_e = d mu_e / d v: the exposure's
  // Jacobian in its own coordinates (d mu_e / d p_e), times the scale, scattered into the
  // columns of the sites' flat vector (shared sites collect every exposure's information).
  const std::vector<double>& scale = posterior.scales();
  r.fisher = RealMatrix::Zero(n, n);
  for (int e = 0; e < posterior.num_exposures(); ++e) {
    const model::ParameterSet& set = posterior.parameter_set(e);
    const std::vector<int>& global = posterior.global_indices(e);
    std::vector<double> p(global.size());
    for (std::size_t k = 0; k < global.size(); ++k) {
      const auto g = static_cast<std::size_t>(global[k]);
      p[k] = scale[g] * values[g];
    }
    RealImage mu;
    const RealMatrix local = image_jacobian(posterior.telescope(e), set, p, &mu);
    RealMatrix jac = RealMatrix::Zero(local.rows(), n);
    for (std::size_t k = 0; k < global.size(); ++k) {
      const auto g = static_cast<std::size_t>(global[k]);
      jac.col(global[k]) += scale[g] * local.col(static_cast<Eigen::Index>(k));
    }
    const ImageLikelihood& like = posterior.likelihood(e);
    const RealImage w = fisher_weights(like, mu);
    const Eigen::Map<const RealVector> wv(w.data(), w.size());
    r.fisher += jac.transpose() * wv.asDiagonal() * jac;
    // A sampled read noise s = scale v_s enters through the variance only (its column of J
    // is 0): F_ss += scale^2 F_sigma,sigma and F_is += scale sum_p J_pi cross_p.
    if (const int g = posterior.read_noise_index(e); g >= 0) {
      const double sc = scale[static_cast<std::size_t>(g)];
      const ReadNoiseFisher rn =
          read_noise_fisher(like, mu, sc * values[static_cast<std::size_t>(g)]);
      const Eigen::Map<const RealVector> cross(rn.cross.data(), rn.cross.size());
      const RealVector col = sc * (jac.transpose() * cross);
      r.fisher.col(g) += col;
      r.fisher.row(g) += col.transpose();
      r.fisher(g, g) += sc * sc * rn.sigma_sigma;
    }
  }
  r.fisher = 0.5 * (r.fisher + r.fisher.transpose()).eval();
  r.covariance = spd_inverse(r.fisher, r.names, "Fisher matrix");
  r.crb.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) r.crb[static_cast<std::size_t>(i)] = std::sqrt(r.covariance(i, i));
  r.correlation = correlation_from_covariance(r.covariance);

  const RealMatrix b = bijector_jacobian(density, r.unconstrained);
  r.fisher_unconstrained = b.transpose() * r.fisher * b;
  r.prior_hessian = prior_hessian(density, r.unconstrained);
  const RealMatrix precision = r.fisher_unconstrained - r.prior_hessian;
  r.laplace_unconstrained = spd_inverse(precision, r.names, "Laplace precision (F_u - H_u)");
  r.laplace = b * r.laplace_unconstrained * b.transpose();
  r.laplace_sd.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    r.laplace_sd[static_cast<std::size_t>(i)] = std::sqrt(r.laplace(i, i));
  return r;
}

}  // namespace airy::posterior
