// SPDX-License-Identifier: BSD-3-Clause
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include "airy/core/error.hpp"
#include "airy/infer/bijector.hpp"
#include "airy/infer/distributions.hpp"
#include "special_functions.hpp"

namespace airy::infer {
namespace {

/// x_i = lo_i + (hi_i - lo_i) sigma(u_i): interval_bijector's map with per-element bounds
/// (log|J| = sum_i log(hi_i - lo_i) - softplus(u_i) - softplus(-u_i)).
class ElementwiseInterval final : public Bijector {
 public:
  ElementwiseInterval(RealVector lo, RealVector hi) : lo_(std::move(lo)), hi_(std::move(hi)) {}
  [[nodiscard]] std::string name() const override {
    return fmt::format("elementwise_interval(n={})", lo_.size());
  }
  double forward(std::span<const double> u, std::span<double> x) const override {
    double lj = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      lj += detail::interval_forward(u[i], lo_[k], hi_[k], x[i]);
    }
    return lj;
  }
  bool inverse(std::span<const double> x, std::span<double> u) const override {
    bool ok = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      ok = detail::interval_inverse(x[i], lo_[k], hi_[k], u[i]) && ok;
    }
    return ok;
  }
  void pullback(std::span<const double> u, std::span<const double>, std::span<const double> gx,
                std::span<double> gu) const override {
    for (std::size_t i = 0; i < u.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      gu[i] += detail::interval_pullback(u[i], lo_[k], hi_[k], gx[i]);
    }
  }

 private:
  RealVector lo_, hi_;
};

/// The IndependentVector of scalar class D, element i built by Make(row i of the parameters).
/// Building a D per element and evaluation keeps the scalar class's arithmetic exactly.
template <class D, auto Make>
class IndependentOf final : public IndependentVector {
 public:
  /// @throws InvalidArgument naming the element whose parameters the scalar class rejects.
  IndependentOf(std::string family, std::vector<std::string> names, RealMatrix values)
      : IndependentVector(std::move(family), std::move(names), std::move(values)) {
    const auto n = values_.rows();
    RealVector lo(n), hi(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      try {
        const Support s = at(static_cast<int>(i)).support();
        if (i == 0) support_ = s;
        lo[i] = s.lower;
        hi[i] = s.upper;
      } catch (const InvalidArgument& e) {
        throw InvalidArgument(
            fmt::format("make_independent({}): element {}: {}", family_, i, e.what()));
      }
    }
    if (support_.kind == Support::Kind::interval) {
      // Uniform / beta: the hull; per-element bounds need their own bijector when they differ.
      support_.lower = lo.minCoeff();
      support_.upper = hi.maxCoeff();
      if (lo.maxCoeff() != support_.lower || hi.minCoeff() != support_.upper) {
        bijector_ = std::make_shared<ElementwiseInterval>(std::move(lo), std::move(hi));
      }
    }
  }
  [[nodiscard]] Support support() const override { return support_; }
  [[nodiscard]] std::shared_ptr<const Bijector> site_bijector() const override { return bijector_; }
  double log_prob(std::span<const double> x, std::span<double> grad_x) const override {
    double lp = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const D d = at(static_cast<int>(i));
      lp += d.lpdf(x[i]);
      if (!grad_x.empty()) grad_x[i] += d.dlpdf_dx(x[i]);
    }
    return lp;
  }
  void sample(Rng& rng, std::span<double> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = at(static_cast<int>(i)).draw(rng);
  }
  /// Element i as its scalar class.
  [[nodiscard]] D at(int i) const { return Make(values_.row(i).data()); }

 private:
  Support support_;
  std::shared_ptr<const Bijector> bijector_;
};

using Builder = std::function<DistributionPtr(std::string, std::vector<std::string>, RealMatrix)>;

template <class D, auto Make>
Builder builder() {
  return [](std::string family, std::vector<std::string> names, RealMatrix values) {
    return std::make_shared<const IndependentOf<D, Make>>(std::move(family), std::move(names),
                                                          std::move(values));
  };
}

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table = {
      {"uniform", builder<Uniform, [](const double* p) { return Uniform(p[0], p[1]); }>()},
      {"normal", builder<Normal, [](const double* p) { return Normal(p[0], p[1]); }>()},
      {"half_normal", builder<HalfNormal, [](const double* p) { return HalfNormal(p[0]); }>()},
      {"log_normal", builder<LogNormal, [](const double* p) { return LogNormal(p[0], p[1]); }>()},
      {"exponential", builder<Exponential, [](const double* p) { return Exponential(p[0]); }>()},
      {"gamma", builder<Gamma, [](const double* p) { return Gamma(p[0], p[1]); }>()},
      {"inverse_gamma",
       builder<InverseGamma, [](const double* p) { return InverseGamma(p[0], p[1]); }>()},
      {"beta", builder<Beta, [](const double* p) { return Beta(p[0], p[1]); }>()},
      {"student_t",
       builder<StudentT, [](const double* p) { return StudentT(p[0], p[1], p[2]); }>()},
      {"cauchy", builder<Cauchy, [](const double* p) { return Cauchy(p[0], p[1]); }>()},
      {"half_cauchy", builder<HalfCauchy, [](const double* p) { return HalfCauchy(p[0]); }>()},
  };
  return table;
}

}  // namespace

std::vector<double> IndependentVector::grad_params(std::span<const double> x) const {
  const auto n = values_.rows();
  const auto k = values_.cols();
  std::vector<double> g(static_cast<std::size_t>(n * k));
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::vector<double> gi = element(static_cast<int>(i))->grad_params(x.subspan(i, 1));
    for (Eigen::Index j = 0; j < k; ++j) g[static_cast<std::size_t>(j * n + i)] = gi[j];
  }
  return g;
}

DistributionPtr IndependentVector::element(int i) const {
  std::map<std::string, double> p;
  for (std::size_t k = 0; k < names_.size(); ++k) p[names_[k]] = values_(i, k);
  return make_distribution(family_, p);
}

std::string IndependentVector::describe_elements() const {
  std::string s = family_ + "(";
  for (Eigen::Index k = 0; k < values_.cols(); ++k) {
    const double lo = values_.col(k).minCoeff(), hi = values_.col(k).maxCoeff();
    s += k > 0 ? ", " : "";
    s += lo == hi ? fmt::format("{} = {}", names_[k], lo)
                  : fmt::format("{} in [{}, {}]", names_[k], lo, hi);
  }
  return s + fmt::format(") x {}", values_.rows());
}

DistributionPtr make_independent(std::string_view family,
                                 const std::map<std::string, std::vector<double>>& params,
                                 int size) {
  const std::string where = fmt::format("make_independent({})", family);
  // Array lengths: n from the longest (or `size`), every array n or 1 values long.
  std::size_t n = size > 0 ? static_cast<std::size_t>(size) : 0;
  if (size < 0) throw InvalidArgument(format_invalid(where, "size", size, "must be >= 0"));
  for (const auto& [name, v] : params) {
    if (v.empty()) throw_invalid(where, name, "no values");
    if (size == 0) n = std::max(n, v.size());
  }
  if (n == 0) {
    throw_invalid(where, "size", "give size > 0 when no parameter array sets the length");
  }
  for (const auto& [name, v] : params) {
    if (v.size() != 1 && v.size() != n) {
      throw InvalidArgument(
          fmt::format("{}: {} has {} values: give one per element ({}) or one for all", where, name,
                      v.size(), n));
    }
  }
  // The scalar factory checks the family and parameter names and fills in the defaults.
  std::map<std::string, double> first;
  for (const auto& [name, v] : params) first[name] = v[0];
  const DistributionPtr scalar = make_distribution(family, first);
  const auto it = builders().find(scalar->name());
  if (it == builders().end()) {
    throw InvalidArgument(fmt::format("{}: a {} prior is discrete: HMC needs continuous parameters",
                                      where, scalar->name()));
  }
  std::vector<std::string> names;
  for (const auto& [name, value] : scalar->params()) names.push_back(name);
  for (const auto& [name, v] : params) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw InvalidArgument(fmt::format("{}: parameter '{}': unknown here (expected {})", where,
                                        name, fmt::join(names, ", ")));
    }
  }
  const auto nn = static_cast<Eigen::Index>(n);
  RealMatrix values(nn, static_cast<Eigen::Index>(names.size()));
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto p = params.find(names[k]);
    for (Eigen::Index i = 0; i < nn; ++i) {
      values(i, static_cast<Eigen::Index>(k)) = p == params.end() ? scalar->params()[k].second
                                                : p->second.size() == 1
                                                    ? p->second[0]
                                                    : p->second[static_cast<std::size_t>(i)];
    }
  }
  // The concrete class validates every element with the scalar class's own checks.
  return it->second(scalar->name(), std::move(names), std::move(values));
}

}  // namespace airy::infer
