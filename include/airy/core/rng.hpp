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
  /// Poisson(rate): inversion by multiplication for rate < 10, Hormann's PTRS otherwise.
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

}  // namespace airy
