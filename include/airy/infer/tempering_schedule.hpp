// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The pieces of non-reversible parallel tempering that are pure bookkeeping: the
/// deterministic even-odd swap pattern, round-trip counting, the communication barrier and
/// the equal-rejection schedule (Syed, Bouchard-Cote, Deligiannidis & Doucet 2021, JRSS-B;
/// Pigeons.jl's tempering/adaptation.jl). Chains are indexed 0..N-1 with beta_0 = 0 (the
/// reference) < ... < beta_{N-1} = 1 (the posterior).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace airy::infer {

/// Fritsch & Carlson (1980) monotone piecewise-cubic Hermite interpolant through (x_k, y_k),
/// x strictly increasing. Slopes: the mean of the neighbouring secants, zero where they change
/// sign, then scaled by 3/sqrt(a^2 + b^2) where a^2 + b^2 > 9 (a, b: slope/secant at the two
/// ends of an interval). Monotone data give a monotone interpolant with no overshoot; other
/// data are interpolated shape-preservingly. Outside [x_0, x_{n-1}] the end values are held.
class MonotoneInterpolant {
 public:
  /// @throws airy::InvalidArgument unless x and y have the same size >= 2, x is strictly
  ///   increasing and every value is finite.
  MonotoneInterpolant(std::vector<double> x, std::vector<double> y);
  /// The interpolated value at t.
  [[nodiscard]] double operator()(double t) const;
  /// Its derivative at t (0 outside [x_0, x_{n-1}]).
  [[nodiscard]] double derivative(double t) const;

 private:
  [[nodiscard]] std::size_t interval(double t) const;
  std::vector<double> x_;
  std::vector<double> y_;
  std::vector<double> m_;  ///< slopes at the knots
};

/// True when the deterministic even-odd scheme proposes the pair (lower_chain,
/// lower_chain + 1) at scan `scan` (0-based, counted over the whole run): the pairs (0,1),
/// (2,3), ... at even scans and (1,2), (3,4), ... at odd scans.
[[nodiscard]] constexpr bool deo_proposes(int lower_chain, std::int64_t scan) {
  return ((static_cast<std::int64_t>(lower_chain) + scan) % 2) == 0;
}

/// A replica's tour between the reference (chain 0) and the target (chain N-1): a tempered
/// restart is a trip 0 -> N-1, a round trip 0 -> N-1 -> 0 (Pigeons' RoundTripRecorder).
/// States: 0 = reference not yet seen; 1 = seen the reference, target not reached since;
/// 2 = reached the target since the last visit of the reference. 1 -> 2 counts a restart,
/// 2 -> 1 a round trip.
class RoundTripCounter {
 public:
  /// Records the chain the replica holds after a scan's swaps (top_chain = N - 1).
  void observe(int chain, int top_chain);
  /// Zeroes the counts (the tour state is kept: a replica's history continues).
  void reset_counts() {
    restarts_ = 0;
    round_trips_ = 0;
  }
  /// Tempered restarts counted since the last reset_counts().
  [[nodiscard]] std::int64_t restarts() const { return restarts_; }
  /// Round trips counted since the last reset_counts().
  [[nodiscard]] std::int64_t round_trips() const { return round_trips_; }

 private:
  int state_ = 0;
  std::int64_t restarts_ = 0;
  std::int64_t round_trips_ = 0;
};

/// Lambda(beta_k) = sum_{i<k} r_i: the cumulative communication barrier at each of the N
/// chains from the N-1 pair rejection rates r_i = 1 - mean swap acceptance of (i, i+1).
[[nodiscard]] std::vector<double> cumulative_barrier(std::span<const double> rejection);

/// lambda(beta_k): the local barrier, the derivative at each beta_k of the monotone
/// interpolant of (beta_k, Lambda(beta_k)) (Pigeons' communication_barriers).
[[nodiscard]] std::vector<double> local_barrier(std::span<const double> betas,
                                                std::span<const double> rejection);

/// The schedule of `num_chains` points that equalises the estimated pair rejections: with
/// c_k = Lambda(beta_k)/Lambda and G the monotone interpolant of (c_k, beta_k),
/// beta'_j = G(j/(num_chains - 1)), beta'_0 = 0, beta'_{N-1} = 1. Rejections of exactly zero
/// would make c_k repeat; as Pigeons, 1e-6 is then added to every r_i.
/// @throws airy::InvalidArgument unless betas is a valid schedule (0 = beta_0 < ... <
///   beta_{N-1} = 1), rejection has N - 1 values in [0, 1] and num_chains >= 2.
[[nodiscard]] std::vector<double> equal_rejection_schedule(std::span<const double> betas,
                                                           std::span<const double> rejection,
                                                           int num_chains);

/// Round trips per scan under stationarity and independent exploration (Syed et al. 2021):
/// tau = 1 / (2 + 2 sum_i r_i / (1 - r_i)); 0 when some r_i = 1.
[[nodiscard]] double round_trip_rate(std::span<const double> rejection);

/// Throws airy::InvalidArgument unless betas starts at 0, ends at 1, is strictly increasing
/// and has at least two points. `where` names the caller in the message.
void check_schedule(std::span<const double> betas, const char* where);

}  // namespace airy::infer
