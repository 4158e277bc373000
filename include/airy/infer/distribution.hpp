// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The polymorphic probability distribution a site's prior (or a likelihood term) holds.
///
/// Every log density keeps its normalising constant (as NumPyro's log_prob), so a model's
/// lp differs from Stan's `~`-statement lp__ only by a constant.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "airy/core/rng.hpp"

namespace airy::infer {

/// Where a distribution puts its mass: the set a bijector must map R^n onto.
struct Support {
  enum class Kind {
    real,         ///< (-inf, inf)
    positive,     ///< (lower, inf) with lower = 0 (or any lower bound)
    lower_bound,  ///< (lower, inf)
    upper_bound,  ///< (-inf, upper)
    interval,     ///< (lower, upper)
    integer,      ///< {lower, lower + 1, ...} (discrete: not samplable by HMC)
    real_vector,  ///< R^n
    simplex,      ///< {x_i > 0, sum x = 1}
    ordered,      ///< x_1 < x_2 < ... < x_n
  };
  Kind kind = Kind::real;
  double lower = 0.0;
  double upper = 0.0;

  /// True when x (one scalar coordinate) is in the support (for vector kinds: finite).
  [[nodiscard]] bool contains(double x) const;
  /// Human-readable form, e.g. "real", "interval(0, 1)", "lower_bound(0)".
  [[nodiscard]] std::string describe() const;
  /// True for supports of continuous distributions.
  [[nodiscard]] bool continuous() const { return kind != Kind::integer; }
};

class Bijector;

/// A named distribution parameter as printed and as accepted by make_distribution().
using Param = std::pair<std::string, double>;

/// A probability distribution over R^event_size() (event_size 1: a scalar distribution).
///
/// Implementations are immutable and thread-safe. Scalar distributions also offer the
/// double-valued helpers log_prob(x), grad_log_prob(x), sample(rng).
class Distribution {
 public:
  virtual ~Distribution() = default;

  /// Short lower-case name, e.g. "normal" (what make_distribution() accepts).
  [[nodiscard]] virtual std::string name() const = 0;
  /// Parameters in a fixed order (the order of grad_params()). Vector parameters are not
  /// listed (see the concrete class).
  [[nodiscard]] virtual std::vector<Param> params() const = 0;
  /// Dimension of one draw; 1 for scalar distributions.
  [[nodiscard]] virtual int event_size() const { return 1; }
  /// The support of one coordinate (or of the whole event for vector kinds).
  [[nodiscard]] virtual Support support() const = 0;

  /// log p(x) with its normalising constant; -inf outside the support.
  /// If grad_x is non-empty, *adds* d log p / dx into it (size event_size()).
  virtual double log_prob(std::span<const double> x, std::span<double> grad_x) const = 0;
  /// d log p(x) / d params(), in the order of params() (for hierarchical models).
  [[nodiscard]] virtual std::vector<double> grad_params(std::span<const double> x) const = 0;
  /// One draw into out (size event_size()).
  virtual void sample(Rng& rng, std::span<double> out) const = 0;

  /// A bijector of its own for a site with this prior, where support() cannot describe the
  /// support (per-element bounds of an IndependentVector); null (the default): the site uses
  /// default_bijector(support()).
  [[nodiscard]] virtual std::shared_ptr<const Bijector> site_bijector() const { return nullptr; }

  /// "normal(loc=0, scale=2e-08)".
  [[nodiscard]] std::string describe() const;

  /// Scalar helpers (event_size() == 1).
  [[nodiscard]] double log_prob(double x) const;
  /// d log p / dx for a scalar distribution.
  [[nodiscard]] double grad_log_prob(double x) const;
  /// One scalar draw.
  double sample(Rng& rng) const;
};

using DistributionPtr = std::shared_ptr<const Distribution>;

/// Builds a scalar distribution by name, as a config file names it. Names and parameters
/// (NumPyro's, with Stan aliases in brackets):
///   uniform(low, high), normal(loc [mu], scale [sigma]), half_normal(scale),
///   log_normal(loc, scale), exponential(rate), gamma(concentration [shape, alpha], rate [beta]),
///   inverse_gamma(concentration, rate), beta(concentration1 [alpha], concentration0 [beta]),
///   student_t(df [nu], loc, scale), cauchy(loc, scale), half_cauchy(scale), poisson(rate).
/// Every parameter is required (no defaults: a forgotten scale must not become 1).
/// @throws airy::InvalidArgument naming the distribution and field for an unknown name,
///   a missing or unknown parameter, or an invalid value (scale <= 0: "... scale = -1: must be
///   finite and > 0"; uniform low >= high: "prior has no support").
[[nodiscard]] DistributionPtr make_distribution(std::string_view name,
                                                const std::map<std::string, double>& params);

/// Names make_distribution() accepts.
[[nodiscard]] std::vector<std::string> distribution_names();

}  // namespace airy::infer
