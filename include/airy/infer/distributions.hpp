// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The concrete distributions (NumPyro's parametrisations), all with normalising constants.
///
/// Each documents log p(x) and its derivatives. psi is the digamma function, B the beta function.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/infer/distribution.hpp"

namespace airy::infer {

/// Base of the scalar distributions: implements the span interface from scalar virtuals.
class UnivariateDistribution : public Distribution {
 public:
  /// log p(x).
  [[nodiscard]] virtual double lpdf(double x) const = 0;
  /// d log p / dx (meaningless for discrete distributions: 0).
  [[nodiscard]] virtual double dlpdf_dx(double x) const = 0;
  /// d log p / d params() at x.
  [[nodiscard]] virtual std::vector<double> dlpdf_dparams(double x) const = 0;
  /// One draw.
  virtual double draw(Rng& rng) const = 0;

  double log_prob(std::span<const double> x, std::span<double> grad_x) const override;
  [[nodiscard]] std::vector<double> grad_params(std::span<const double> x) const override;
  void sample(Rng& rng, std::span<double> out) const override;
  using Distribution::log_prob;
  using Distribution::sample;
};

#define AIRY_UNIVARIATE_METHODS                                             \
  [[nodiscard]] std::string name() const override;                          \
  [[nodiscard]] std::vector<Param> params() const override;                 \
  [[nodiscard]] Support support() const override;                           \
  [[nodiscard]] double lpdf(double x) const override;                       \
  [[nodiscard]] double dlpdf_dx(double x) const override;                   \
  [[nodiscard]] std::vector<double> dlpdf_dparams(double x) const override; \
  double draw(Rng& rng) const override;

/// Uniform(low, high): log p = -log(high - low) on (low, high).
class Uniform final : public UnivariateDistribution {
 public:
  Uniform(double low, double high);
  AIRY_UNIVARIATE_METHODS
 private:
  double low_, high_;
};

/// Normal(loc, scale): log p = -log(scale) - log(2 pi)/2 - z^2/2, z = (x - loc)/scale;
/// d/dx = -z/scale; d/dloc = z/scale; d/dscale = (z^2 - 1)/scale.
class Normal final : public UnivariateDistribution {
 public:
  Normal(double loc, double scale);
  AIRY_UNIVARIATE_METHODS
 private:
  double loc_, scale_;
};

/// HalfNormal(scale) on x >= 0: log p = log 2 + Normal(0, scale).log_prob(x).
class HalfNormal final : public UnivariateDistribution {
 public:
  explicit HalfNormal(double scale);
  AIRY_UNIVARIATE_METHODS
 private:
  double scale_;
};

/// LogNormal(loc, scale) on x > 0: log p = Normal(loc, scale).log_prob(log x) - log x.
class LogNormal final : public UnivariateDistribution {
 public:
  LogNormal(double loc, double scale);
  AIRY_UNIVARIATE_METHODS
 private:
  double loc_, scale_;
};

/// Exponential(rate) on x >= 0: log p = log rate - rate x.
class Exponential final : public UnivariateDistribution {
 public:
  explicit Exponential(double rate);
  AIRY_UNIVARIATE_METHODS
 private:
  double rate_;
};

/// Gamma(concentration a, rate b) on x > 0: log p = a log b - lgamma(a) + (a-1) log x - b x;
/// d/da = log b - psi(a) + log x; d/db = a/b - x.
class Gamma final : public UnivariateDistribution {
 public:
  Gamma(double concentration, double rate);
  AIRY_UNIVARIATE_METHODS
 private:
  double a_, b_;
};

/// InverseGamma(concentration a, rate b) on x > 0:
/// log p = a log b - lgamma(a) - (a+1) log x - b/x.
class InverseGamma final : public UnivariateDistribution {
 public:
  InverseGamma(double concentration, double rate);
  AIRY_UNIVARIATE_METHODS
 private:
  double a_, b_;
};

/// Beta(concentration1 a, concentration0 b) on (0, 1):
/// log p = (a-1) log x + (b-1) log(1-x) - log B(a, b).
class Beta final : public UnivariateDistribution {
 public:
  Beta(double concentration1, double concentration0);
  AIRY_UNIVARIATE_METHODS
 private:
  double a_, b_;
};

/// StudentT(df nu, loc, scale): log p = lgamma((nu+1)/2) - lgamma(nu/2) - log(sqrt(nu pi) scale)
///   - (nu+1)/2 log(1 + z^2/nu), z = (x - loc)/scale.
class StudentT final : public UnivariateDistribution {
 public:
  StudentT(double df, double loc, double scale);
  AIRY_UNIVARIATE_METHODS
 private:
  double df_, loc_, scale_;
};

/// Cauchy(loc, scale): log p = -log(pi scale) - log(1 + z^2).
class Cauchy final : public UnivariateDistribution {
 public:
  Cauchy(double loc, double scale);
  AIRY_UNIVARIATE_METHODS
 private:
  double loc_, scale_;
};

/// HalfCauchy(scale) on x >= 0: log p = log 2 + Cauchy(0, scale).log_prob(x).
class HalfCauchy final : public UnivariateDistribution {
 public:
  explicit HalfCauchy(double scale);
  AIRY_UNIVARIATE_METHODS
 private:
  double scale_;
};

/// Poisson(rate) on k = 0, 1, ...: log p = k log rate - rate - lgamma(k + 1);
/// d/drate = k/rate - 1. Non-integer x gives -inf. Discrete: a likelihood, not an HMC prior.
class Poisson final : public UnivariateDistribution {
 public:
  explicit Poisson(double rate);
  AIRY_UNIVARIATE_METHODS
 private:
  double rate_;
};

#undef AIRY_UNIVARIATE_METHODS

/// MultivariateNormal(loc, covariance = L L^T) on R^n, via the Cholesky factor L:
/// log p = -n/2 log(2 pi) - sum log L_ii - |L^-1 (x - loc)|^2 / 2;
/// d/dx = -Sigma^-1 (x - loc) = d/dloc. grad_params() returns d/dloc (n values).
class MultivariateNormal final : public Distribution {
 public:
  /// @throws airy::InvalidArgument when covariance is not square of size loc.size(), not
  ///   symmetric, or not positive definite.
  MultivariateNormal(RealVector loc, const RealMatrix& covariance);
  /// From a lower-triangular Cholesky factor with positive diagonal.
  static MultivariateNormal from_cholesky(RealVector loc, RealMatrix scale_tril);

  [[nodiscard]] std::string name() const override { return "multivariate_normal"; }
  [[nodiscard]] std::vector<Param> params() const override { return {}; }
  [[nodiscard]] int event_size() const override { return static_cast<int>(loc_.size()); }
  [[nodiscard]] Support support() const override { return {Support::Kind::real_vector}; }
  double log_prob(std::span<const double> x, std::span<double> grad_x) const override;
  [[nodiscard]] std::vector<double> grad_params(std::span<const double> x) const override;
  void sample(Rng& rng, std::span<double> out) const override;

  [[nodiscard]] const RealVector& loc() const { return loc_; }
  [[nodiscard]] const RealMatrix& scale_tril() const { return l_; }

 private:
  MultivariateNormal() = default;
  RealVector loc_;
  RealMatrix l_;  ///< lower Cholesky factor of the covariance
  double log_norm_ = 0.0;
};

/// Independent draws of one scalar family with per-element parameters, a prior over a whole
/// vector site (event_size() = n): x_i ~ family(params_i), i = 0..n-1, and
///   log p(x) = sum_i log p_family(x_i; params_i),   d/dx_i = d log p_family / dx (x_i; params_i),
/// each term evaluated by the scalar class itself (Normal, Uniform, ...), so element i equals
/// make_distribution(family, params_i) to the last bit. Built by make_independent().
/// support() is the family's, with the hull of the bounds for uniform (min low, max high);
/// the exact per-element bounds come with site_bijector().
class IndependentVector : public Distribution {
 public:
  /// "independent_<family>", e.g. "independent_normal".
  [[nodiscard]] std::string name() const override { return "independent_" + family_; }
  /// Empty: the parameters are per element (param()).
  [[nodiscard]] std::vector<Param> params() const override { return {}; }
  [[nodiscard]] int event_size() const override { return static_cast<int>(values_.rows()); }
  /// d log p / d params, parameter-major: entry k * n + i is d/d param k of element i
  /// (k in the order of param_names()).
  [[nodiscard]] std::vector<double> grad_params(std::span<const double> x) const override;

  /// The scalar family's name, e.g. "normal".
  [[nodiscard]] const std::string& family() const { return family_; }
  /// The family's parameter names in the scalar class's params() order.
  [[nodiscard]] const std::vector<std::string>& param_names() const { return names_; }
  /// Parameter k of element i.
  [[nodiscard]] double param(int i, int k) const { return values_(i, k); }
  /// The scalar distribution of element i (a new object; for display and tests).
  [[nodiscard]] DistributionPtr element(int i) const;
  /// "normal(loc in [0.9, 1.1], scale = 0.05) x 65536".
  [[nodiscard]] std::string describe_elements() const;

 protected:
  IndependentVector(std::string family, std::vector<std::string> names, RealMatrix values)
      : family_(std::move(family)), names_(std::move(names)), values_(std::move(values)) {}
  std::string family_;
  std::vector<std::string> names_;
  RealMatrix values_;  ///< (n, number of parameters): row i = element i's parameters
};

/// Builds an IndependentVector: `family` is any continuous name make_distribution() accepts
/// (uniform, normal, half_normal, log_normal, exponential, gamma, inverse_gamma, beta,
/// student_t, cauchy, half_cauchy); `params` maps each canonical parameter name (as the
/// scalar's params() lists it: loc, scale, low, high, rate, concentration, ...) to n values,
/// or to one value shared by all elements. Missing parameters take make_distribution()'s
/// defaults. n = `size` when > 0, else the longest array's length (size 0 with no arrays is
/// an error).
/// @throws airy::InvalidArgument naming the family, parameter, element index and value for
///   an unknown family or parameter (aliases such as mu are not accepted here), a discrete
///   family, arrays of different lengths (or not `size`), or an invalid value.
[[nodiscard]] DistributionPtr make_independent(
    std::string_view family, const std::map<std::string, std::vector<double>>& params,
    int size = 0);

}  // namespace airy::infer
