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
  {
    // A site without a unit of its own is in its path's unit ("arcsec", "deg", ...).
    const auto params = posterior.telescope().parameters();
    const model::ParameterSet& ps = posterior.parameter_set();
    for (std::size_t i = 0; i < ps.paths().size(); ++i) {
      for (const auto& info : params) {
        if (info.path != ps.paths()[i]) continue;
        for (int k = 0; k < ps.size(i); ++k) {
          auto& u = r.units[static_cast<std::size_t>(ps.offset(i) + k)];
          if (u.empty()) u = info.unit;
        }
      }
    }
  }
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

  // d mu / d v = (d mu / d p) diag(scale): the sites' own units.
  const model::ParameterSet& set = posterior.parameter_set();
  std::vector<double> p(static_cast<std::size_t>(n)), scale(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < posterior.sites().size(); ++i) {
    for (int k = 0; k < set.size(i); ++k) {
      const auto j = static_cast<std::size_t>(set.offset(i) + k);
      scale[j] = posterior.sites()[i].scale;
      p[j] = scale[j] * values[j];
    }
  }
  RealImage mu;
  RealMatrix jac = image_jacobian(posterior.telescope(), set, p, &mu);
  for (int j = 0; j < n; ++j) jac.col(j) *= scale[static_cast<std::size_t>(j)];
  const ImageLikelihood& like = posterior.likelihood();
  const RealImage w = fisher_weights(like, mu);
  const Eigen::Map<const RealVector> wv(w.data(), w.size());
  r.fisher = jac.transpose() * wv.asDiagonal() * jac;
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
