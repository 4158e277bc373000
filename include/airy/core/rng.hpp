// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Counter-based random numbers: Philox4x32-10 (Random123) with one stream per chain.
///
/// A generator is fully determined by (seed, stream): the key is the 64-bit seed, the counter's
/// high 64 bits are the stream id and its low 64 bits count blocks of four 32-bit outputs. Two
/// chains with the same seed and different stream ids never overlap, and a chain's draws do not
/// depend on which thread runs it (Salmon et al. 2011, "Parallel random numbers: as easy as
/// 1, 2, 3").
#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace airy {

/// Philox4x32-10 generator with samplers for the common distributions.
/// Satisfies std::uniform_random_bit_generator (64-bit outputs).
class Rng {
 public:
  using result_type = std::uint64_t;

  /// Stream `stream` of the family keyed by `seed`.
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0);

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  /// Next 64 uniformly distributed bits.
  result_type operator()();
  /// Next 32 uniformly distributed bits.
  std::uint32_t next_u32();

  /// Uniform on the open interval (0, 1): (k + 0.5) 2^-53 with k uniform on [0, 2^53).
  double uniform01();
  /// Uniform on (lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  /// Standard normal N(0, 1) by the Box-Muller transform (the second variate is cached).
  double normal();
  /// N(mean, sd^2).
  double normal(double mean, double sd) { return mean + sd * normal(); }
  /// Exponential with rate 1: -log U.
  double exponential();
  /// Gamma(shape, rate 1) by Marsaglia & Tsang (2000); shape < 1 via U^(1/shape) boosting.
  double gamma(double shape);
  /// Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
  double beta(double a, double b);
  /// Student-t with df degrees of freedom: Z / sqrt(G / df), G ~ Gamma(df/2, rate 1/2).
  double student_t(double df);
  /// Standard Cauchy: tan(pi (U - 1/2)).
  double cauchy();
  /// Largest mean poisson() draws from: 2^52 ~ 4.5e15 counts. Up to it every draw, at most
  /// rate + 2 sqrt(rate) + 1 on PTRS's fast path, is an integer below 2^53 and so exact in a
  /// double; beyond it the double grid is coarser than one count and the draw is no longer a
  /// Poisson variate (and from 9.2e18 on it does not fit in an int64 at all).
  static constexpr double kMaxPoissonRate = 0x1.0p52;

  /// Poisson(rate): inversion by multiplication for rate < 10, Hormann's PTRS otherwise (its
  /// acceptance test evaluates poisson_log_pmf, exact at any rate up to kMaxPoissonRate).
  /// Throws InvalidArgument naming `rate` unless 0 <= rate <= kMaxPoissonRate.
  std::int64_t poisson(double rate);
  /// Uniform integer on [0, n) (n > 0), by Lemire's unbiased multiply-and-reject.
  std::uint64_t uniform_int(std::uint64_t n);
  /// Bernoulli(p).
  bool bernoulli(double p) { return uniform01() < p; }

  [[nodiscard]] std::uint64_t seed() const { return seed_; }
  [[nodiscard]] std::uint64_t stream() const { return stream_; }

 private:
  void refill();

  std::uint64_t seed_;
  std::uint64_t stream_;
  std::uint64_t block_ = 0;             ///< counter of the next block to generate
  std::array<std::uint32_t, 4> buf_{};  ///< current block of outputs
  int pos_ = 4;                         ///< next unused word of buf_ (4: empty)
  double cached_normal_ = 0.0;
  bool has_cached_normal_ = false;
};

/// log P(K = k) for K ~ Poisson(rate), k >= 0, rate > 0, without the cancellation of
/// -rate + k log(rate) - lgamma(k + 1) (three terms of size k log k whose sum is O(log k)):
/// Loader's saddle-point form -stirlerr(k) - bd0(k, rate) - log(2 pi k) / 2, where
/// stirlerr(k) = lgamma(k + 1) - (k + 1/2) log k + k - log(2 pi) / 2 and
/// bd0(k, rate) = k log(k / rate) + rate - k (Loader 2000, "Fast and accurate computation of
/// binomial probabilities"). Accurate to a few ulps of the result for k and rate up to 2^53.
double poisson_log_pmf(double k, double rate);

}  // namespace airy
