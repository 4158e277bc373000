// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/distributions.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <cmath>
#include <limits>
#include <numbers>

#include "airy/core/error.hpp"
#include "special_functions.hpp"

namespace airy::infer {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);
const double kLog2 = std::numbers::ln2;
const double kLogPi = std::log(std::numbers::pi);
}  // namespace

// ---------------------------------------------------------------- Support / Distribution

bool Support::contains(double x) const {
  switch (kind) {
    case Kind::real:
    case Kind::real_vector:
    case Kind::ordered:
      return std::isfinite(x);
    case Kind::positive:
    case Kind::lower_bound:
      return std::isfinite(x) && x > lower;
    case Kind::upper_bound:
      return std::isfinite(x) && x < upper;
    case Kind::interval:
      return x > lower && x < upper;
    case Kind::integer:
      return std::isfinite(x) && x >= lower && std::floor(x) == x;
    case Kind::simplex:
      return x > 0.0 && x < 1.0;
  }
  return false;
}

std::string Support::describe() const {
  switch (kind) {
    case Kind::real:
      return "real";
    case Kind::positive:
      return "positive";
    case Kind::lower_bound:
      return fmt::format("lower_bound({})", lower);
    case Kind::upper_bound:
      return fmt::format("upper_bound({})", upper);
    case Kind::interval:
      return fmt::format("interval({}, {})", lower, upper);
    case Kind::integer:
      return fmt::format("integer >= {}", lower);
    case Kind::real_vector:
      return "real_vector";
    case Kind::simplex:
      return "simplex";
    case Kind::ordered:
      return "ordered";
  }
  return "?";
}

std::string Distribution::describe() const {
  std::string s = name() + "(";
  bool first = true;
  for (const auto& [k, v] : params()) {
    s += fmt::format("{}{}={}", first ? "" : ", ", k, v);
    first = false;
  }
  return s + ")";
}

double Distribution::log_prob(double x) const { return log_prob(std::span(&x, 1), {}); }

double Distribution::grad_log_prob(double x) const {
  double g = 0.0;
  log_prob(std::span(&x, 1), std::span(&g, 1));
  return g;
}

double Distribution::sample(Rng& rng) const {
  double x = 0.0;
  sample(rng, std::span(&x, 1));
  return x;
}

double UnivariateDistribution::log_prob(std::span<const double> x, std::span<double> g) const {
  if (!g.empty()) g[0] += dlpdf_dx(x[0]);
  return lpdf(x[0]);
}

std::vector<double> UnivariateDistribution::grad_params(std::span<const double> x) const {
  return dlpdf_dparams(x[0]);
}

void UnivariateDistribution::sample(Rng& rng, std::span<double> out) const { out[0] = draw(rng); }

// ---------------------------------------------------------------- Uniform

Uniform::Uniform(double low, double high) : low_(low), high_(high) {
  check_finite("uniform", "low", low);
  check_finite("uniform", "high", high);
  if (!(low < high)) {
    throw InvalidArgument(
        fmt::format("uniform: low = {} >= high = {}: prior has no support", low, high));
  }
}
std::string Uniform::name() const { return "uniform"; }
std::vector<Param> Uniform::params() const { return {{"low", low_}, {"high", high_}}; }
Support Uniform::support() const { return {Support::Kind::interval, low_, high_}; }
double Uniform::lpdf(double x) const {
  return (x >= low_ && x <= high_) ? -std::log(high_ - low_) : -kInf;
}
double Uniform::dlpdf_dx(double) const { return 0.0; }
std::vector<double> Uniform::dlpdf_dparams(double) const {
  const double w = high_ - low_;
  return {1.0 / w, -1.0 / w};
}
double Uniform::draw(Rng& rng) const { return rng.uniform(low_, high_); }

// ---------------------------------------------------------------- Normal

Normal::Normal(double loc, double scale) : loc_(loc), scale_(scale) {
  check_finite("normal", "loc", loc);
  check_positive("normal", "scale", scale);
}
std::string Normal::name() const { return "normal"; }
std::vector<Param> Normal::params() const { return {{"loc", loc_}, {"scale", scale_}}; }
Support Normal::support() const { return {Support::Kind::real}; }
double Normal::lpdf(double x) const {
  const double z = (x - loc_) / scale_;
  return -std::log(scale_) - kHalfLog2Pi - 0.5 * z * z;
}
double Normal::dlpdf_dx(double x) const { return -(x - loc_) / (scale_ * scale_); }
std::vector<double> Normal::dlpdf_dparams(double x) const {
  const double z = (x - loc_) / scale_;
  return {z / scale_, (z * z - 1.0) / scale_};
}
double Normal::draw(Rng& rng) const { return rng.normal(loc_, scale_); }

// ---------------------------------------------------------------- HalfNormal

HalfNormal::HalfNormal(double scale) : scale_(scale) {
  check_positive("half_normal", "scale", scale);
}
std::string HalfNormal::name() const { return "half_normal"; }
std::vector<Param> HalfNormal::params() const { return {{"scale", scale_}}; }
Support HalfNormal::support() const { return {Support::Kind::positive, 0.0}; }
double HalfNormal::lpdf(double x) const {
  if (x < 0.0) return -kInf;
  const double z = x / scale_;
  return kLog2 - std::log(scale_) - kHalfLog2Pi - 0.5 * z * z;
}
double HalfNormal::dlpdf_dx(double x) const { return -x / (scale_ * scale_); }
std::vector<double> HalfNormal::dlpdf_dparams(double x) const {
  const double z = x / scale_;
  return {(z * z - 1.0) / scale_};
}
double HalfNormal::draw(Rng& rng) const { return std::fabs(rng.normal()) * scale_; }

// ---------------------------------------------------------------- LogNormal

LogNormal::LogNormal(double loc, double scale) : loc_(loc), scale_(scale) {
  check_finite("log_normal", "loc", loc);
  check_positive("log_normal", "scale", scale);
}
std::string LogNormal::name() const { return "log_normal"; }
std::vector<Param> LogNormal::params() const { return {{"loc", loc_}, {"scale", scale_}}; }
Support LogNormal::support() const { return {Support::Kind::positive, 0.0}; }
double LogNormal::lpdf(double x) const {
  if (!(x > 0.0)) return -kInf;
  const double lx = std::log(x);
  const double z = (lx - loc_) / scale_;
  return -std::log(scale_) - kHalfLog2Pi - 0.5 * z * z - lx;
}
double LogNormal::dlpdf_dx(double x) const {
  const double z = (std::log(x) - loc_) / scale_;
  return (-z / scale_ - 1.0) / x;
}
std::vector<double> LogNormal::dlpdf_dparams(double x) const {
  const double z = (std::log(x) - loc_) / scale_;
  return {z / scale_, (z * z - 1.0) / scale_};
}
double LogNormal::draw(Rng& rng) const { return std::exp(rng.normal(loc_, scale_)); }

// ---------------------------------------------------------------- Exponential

Exponential::Exponential(double rate) : rate_(rate) { check_positive("exponential", "rate", rate); }
std::string Exponential::name() const { return "exponential"; }
std::vector<Param> Exponential::params() const { return {{"rate", rate_}}; }
Support Exponential::support() const { return {Support::Kind::positive, 0.0}; }
double Exponential::lpdf(double x) const { return x < 0.0 ? -kInf : std::log(rate_) - rate_ * x; }
double Exponential::dlpdf_dx(double) const { return -rate_; }
std::vector<double> Exponential::dlpdf_dparams(double x) const { return {1.0 / rate_ - x}; }
double Exponential::draw(Rng& rng) const { return rng.exponential() / rate_; }

// ---------------------------------------------------------------- Gamma

Gamma::Gamma(double concentration, double rate) : a_(concentration), b_(rate) {
  check_positive("gamma", "concentration", concentration);
  check_positive("gamma", "rate", rate);
}
std::string Gamma::name() const { return "gamma"; }
std::vector<Param> Gamma::params() const { return {{"concentration", a_}, {"rate", b_}}; }
Support Gamma::support() const { return {Support::Kind::positive, 0.0}; }
double Gamma::lpdf(double x) const {
  if (!(x > 0.0)) return -kInf;
  return a_ * std::log(b_) - std::lgamma(a_) + (a_ - 1.0) * std::log(x) - b_ * x;
}
double Gamma::dlpdf_dx(double x) const { return (a_ - 1.0) / x - b_; }
std::vector<double> Gamma::dlpdf_dparams(double x) const {
  return {std::log(b_) - detail::digamma(a_) + std::log(x), a_ / b_ - x};
}
double Gamma::draw(Rng& rng) const { return rng.gamma(a_) / b_; }

// ---------------------------------------------------------------- InverseGamma

InverseGamma::InverseGamma(double concentration, double rate) : a_(concentration), b_(rate) {
  check_positive("inverse_gamma", "concentration", concentration);
  check_positive("inverse_gamma", "rate", rate);
}
std::string InverseGamma::name() const { return "inverse_gamma"; }
std::vector<Param> InverseGamma::params() const { return {{"concentration", a_}, {"rate", b_}}; }
Support InverseGamma::support() const { return {Support::Kind::positive, 0.0}; }
double InverseGamma::lpdf(double x) const {
  if (!(x > 0.0)) return -kInf;
  return a_ * std::log(b_) - std::lgamma(a_) - (a_ + 1.0) * std::log(x) - b_ / x;
}
double InverseGamma::dlpdf_dx(double x) const { return -(a_ + 1.0) / x + b_ / (x * x); }
std::vector<double> InverseGamma::dlpdf_dparams(double x) const {
  return {std::log(b_) - detail::digamma(a_) - std::log(x), a_ / b_ - 1.0 / x};
}
double InverseGamma::draw(Rng& rng) const { return b_ / rng.gamma(a_); }

// ---------------------------------------------------------------- Beta

Beta::Beta(double concentration1, double concentration0) : a_(concentration1), b_(concentration0) {
  check_positive("beta", "concentration1", concentration1);
  check_positive("beta", "concentration0", concentration0);
}
std::string Beta::name() const { return "beta"; }
std::vector<Param> Beta::params() const { return {{"concentration1", a_}, {"concentration0", b_}}; }
Support Beta::support() const { return {Support::Kind::interval, 0.0, 1.0}; }
double Beta::lpdf(double x) const {
  if (!(x > 0.0 && x < 1.0)) return -kInf;
  const double lbeta = std::lgamma(a_) + std::lgamma(b_) - std::lgamma(a_ + b_);
  return (a_ - 1.0) * std::log(x) + (b_ - 1.0) * std::log1p(-x) - lbeta;
}
double Beta::dlpdf_dx(double x) const { return (a_ - 1.0) / x - (b_ - 1.0) / (1.0 - x); }
std::vector<double> Beta::dlpdf_dparams(double x) const {
  const double dab = detail::digamma(a_ + b_);
  return {std::log(x) - detail::digamma(a_) + dab, std::log1p(-x) - detail::digamma(b_) + dab};
}
double Beta::draw(Rng& rng) const { return rng.beta(a_, b_); }

// ---------------------------------------------------------------- StudentT

StudentT::StudentT(double df, double loc, double scale) : df_(df), loc_(loc), scale_(scale) {
  check_positive("student_t", "df", df);
  check_finite("student_t", "loc", loc);
  check_positive("student_t", "scale", scale);
}
std::string StudentT::name() const { return "student_t"; }
std::vector<Param> StudentT::params() const {
  return {{"df", df_}, {"loc", loc_}, {"scale", scale_}};
}
Support StudentT::support() const { return {Support::Kind::real}; }
double StudentT::lpdf(double x) const {
  const double z = (x - loc_) / scale_;
  return std::lgamma(0.5 * (df_ + 1.0)) - std::lgamma(0.5 * df_) - 0.5 * (std::log(df_) + kLogPi) -
         std::log(scale_) - 0.5 * (df_ + 1.0) * std::log1p(z * z / df_);
}
double StudentT::dlpdf_dx(double x) const {
  const double z = (x - loc_) / scale_;
  return -(df_ + 1.0) * z / (scale_ * (df_ + z * z));
}
std::vector<double> StudentT::dlpdf_dparams(double x) const {
  const double z = (x - loc_) / scale_;
  const double q = z * z / df_;
  const double ddf = 0.5 * detail::digamma(0.5 * (df_ + 1.0)) - 0.5 * detail::digamma(0.5 * df_) -
                     0.5 / df_ - 0.5 * std::log1p(q) + 0.5 * (df_ + 1.0) * q / (df_ * (1.0 + q));
  const double dloc = (df_ + 1.0) * z / (scale_ * (df_ + z * z));
  const double dscale = -1.0 / scale_ + (df_ + 1.0) * z * z / (scale_ * (df_ + z * z));
  return {ddf, dloc, dscale};
}
double StudentT::draw(Rng& rng) const { return loc_ + scale_ * rng.student_t(df_); }

// ---------------------------------------------------------------- Cauchy / HalfCauchy

Cauchy::Cauchy(double loc, double scale) : loc_(loc), scale_(scale) {
  check_finite("cauchy", "loc", loc);
  check_positive("cauchy", "scale", scale);
}
std::string Cauchy::name() const { return "cauchy"; }
std::vector<Param> Cauchy::params() const { return {{"loc", loc_}, {"scale", scale_}}; }
Support Cauchy::support() const { return {Support::Kind::real}; }
double Cauchy::lpdf(double x) const {
  const double z = (x - loc_) / scale_;
  return -kLogPi - std::log(scale_) - std::log1p(z * z);
}
double Cauchy::dlpdf_dx(double x) const {
  const double z = (x - loc_) / scale_;
  return -2.0 * z / (scale_ * (1.0 + z * z));
}
std::vector<double> Cauchy::dlpdf_dparams(double x) const {
  const double z = (x - loc_) / scale_;
  return {2.0 * z / (scale_ * (1.0 + z * z)), (z * z - 1.0) / (scale_ * (1.0 + z * z))};
}
double Cauchy::draw(Rng& rng) const { return loc_ + scale_ * rng.cauchy(); }

HalfCauchy::HalfCauchy(double scale) : scale_(scale) {
  check_positive("half_cauchy", "scale", scale);
}
std::string HalfCauchy::name() const { return "half_cauchy"; }
std::vector<Param> HalfCauchy::params() const { return {{"scale", scale_}}; }
Support HalfCauchy::support() const { return {Support::Kind::positive, 0.0}; }
double HalfCauchy::lpdf(double x) const {
  if (x < 0.0) return -kInf;
  const double z = x / scale_;
  return kLog2 - kLogPi - std::log(scale_) - std::log1p(z * z);
}
double HalfCauchy::dlpdf_dx(double x) const {
  const double z = x / scale_;
  return -2.0 * z / (scale_ * (1.0 + z * z));
}
std::vector<double> HalfCauchy::dlpdf_dparams(double x) const {
  const double z = x / scale_;
  return {(z * z - 1.0) / (scale_ * (1.0 + z * z))};
}
double HalfCauchy::draw(Rng& rng) const { return std::fabs(scale_ * rng.cauchy()); }

// ---------------------------------------------------------------- Poisson

Poisson::Poisson(double rate) : rate_(rate) { check_nonnegative("poisson", "rate", rate); }
std::string Poisson::name() const { return "poisson"; }
std::vector<Param> Poisson::params() const { return {{"rate", rate_}}; }
Support Poisson::support() const { return {Support::Kind::integer, 0.0}; }
double Poisson::lpdf(double x) const {
  if (!(x >= 0.0) || std::floor(x) != x) return -kInf;
  if (rate_ == 0.0) return x == 0.0 ? 0.0 : -kInf;
  return x * std::log(rate_) - rate_ - std::lgamma(x + 1.0);
}
double Poisson::dlpdf_dx(double) const { return 0.0; }
std::vector<double> Poisson::dlpdf_dparams(double x) const { return {x / rate_ - 1.0}; }
double Poisson::draw(Rng& rng) const { return static_cast<double>(rng.poisson(rate_)); }

// ---------------------------------------------------------------- MultivariateNormal

MultivariateNormal::MultivariateNormal(RealVector loc, const RealMatrix& covariance) {
  const auto n = loc.size();
  if (covariance.rows() != n || covariance.cols() != n) {
    throw InvalidArgument(
        fmt::format("multivariate_normal: covariance: shape ({}, {}) does not match loc size {}",
                    covariance.rows(), covariance.cols(), n));
  }
  if (!loc.allFinite()) throw_invalid("multivariate_normal", "loc", "must be finite");
  if ((covariance - covariance.transpose()).cwiseAbs().maxCoeff() >
      1e-10 * (1.0 + covariance.cwiseAbs().maxCoeff())) {
    throw_invalid("multivariate_normal", "covariance", "must be symmetric");
  }
  Eigen::LLT<Eigen::MatrixXd> llt(covariance);
  if (llt.info() != Eigen::Success) {
    throw_invalid("multivariate_normal", "covariance", "must be positive definite");
  }
  *this = from_cholesky(std::move(loc), llt.matrixL().toDenseMatrix());
}

MultivariateNormal MultivariateNormal::from_cholesky(RealVector loc, RealMatrix scale_tril) {
  const auto n = loc.size();
  if (scale_tril.rows() != n || scale_tril.cols() != n) {
    throw_invalid("multivariate_normal", "scale_tril", "shape does not match loc");
  }
  MultivariateNormal d;
  d.loc_ = std::move(loc);
  d.l_ = scale_tril.triangularView<Eigen::Lower>();
  double log_det = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(d.l_(i, i) > 0.0) || !std::isfinite(d.l_(i, i))) {
      throw_invalid("multivariate_normal", "scale_tril", "diagonal must be finite and > 0");
    }
    log_det += std::log(d.l_(i, i));
  }
  d.log_norm_ = -static_cast<double>(n) * kHalfLog2Pi - log_det;
  return d;
}

double MultivariateNormal::log_prob(std::span<const double> x, std::span<double> grad_x) const {
  const auto n = loc_.size();
  Eigen::Map<const RealVector> xv(x.data(), n);
  const RealVector z = l_.triangularView<Eigen::Lower>().solve(xv - loc_);
  if (!grad_x.empty()) {
    const RealVector g = l_.transpose().triangularView<Eigen::Upper>().solve(z);
    Eigen::Map<RealVector>(grad_x.data(), n) -= g;
  }
  return log_norm_ - 0.5 * z.squaredNorm();
}

std::vector<double> MultivariateNormal::grad_params(std::span<const double> x) const {
  const auto n = loc_.size();
  Eigen::Map<const RealVector> xv(x.data(), n);
  const RealVector z = l_.triangularView<Eigen::Lower>().solve(xv - loc_);
  const RealVector g = l_.transpose().triangularView<Eigen::Upper>().solve(z);
  return {g.data(), g.data() + n};
}

void MultivariateNormal::sample(Rng& rng, std::span<double> out) const {
  const auto n = loc_.size();
  RealVector e(n);
  for (Eigen::Index i = 0; i < n; ++i) e[i] = rng.normal();
  Eigen::Map<RealVector>(out.data(), n) = loc_ + l_ * e;
}

}  // namespace airy::infer
