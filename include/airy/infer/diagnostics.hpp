// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Convergence diagnostics of Vehtari, Gelman, Simpson, Carpenter & Burkner (2021,
/// Bayesian Analysis 16(2) 667-718), computed exactly as ArviZ 0.x (arviz/stats/diagnostics.py).
///
/// Every function takes the draws of one scalar as an Eigen matrix of shape
/// (num_draws N, num_chains M), one column per chain. Definitions:
///   split(x): the first and last floor(N/2) draws of each chain as 2M chains;
///   z(x) = Phi^-1((rank - 3/8)/(S + 1/4)), average ranks over all S pooled values;
///   R(x) = sqrt(((N-1)/N W + B/N)/W), W = mean within-chain variance, B = N var(chain means);
///   ESS(x) = S / tau, tau = -1 + 2 sum rho_t (Geyer initial positive + monotone sequence,
///   autocovariances by FFT, tau >= 1/log10(S)).
/// NaN is returned when a quantity is undefined (fewer than 4 draws, non-finite draws, R-hat
/// with a single chain as ArviZ does).
#pragma once

#include <span>

#include <Eigen/Core>

#include "airy/infer/draws.hpp"

namespace airy::infer {

/// Draws of one scalar: (num_draws, num_chains), column-major, one column per chain.
using ChainDraws = Eigen::MatrixXd;

/// Column `column` of each chain's post-warmup draws (chains truncated to the shortest).
[[nodiscard]] ChainDraws chain_draws(const Run& run, int column);

/// split(x): (floor(N/2), 2M).
[[nodiscard]] ChainDraws split_chains(const ChainDraws& x);
/// z(x): rank-normalised values (Blom's offsets, average ranks for ties).
[[nodiscard]] ChainDraws rank_normalize(const ChainDraws& x);
/// Type-7 (linear interpolation) quantile of the pooled draws; NaN when there are none or any
/// is NaN.
[[nodiscard]] double quantile(const ChainDraws& x, double p);
/// Median of the pooled draws.
[[nodiscard]] double median(const ChainDraws& x);

/// Basic potential scale reduction R(x) on the chains as given (no split).
[[nodiscard]] double rhat_basic(const ChainDraws& x);
/// Split R-hat on the raw draws: R(split(x)).
[[nodiscard]] double rhat_split(const ChainDraws& x);
/// R(z(split(x))).
[[nodiscard]] double rhat_bulk(const ChainDraws& x);
/// R(z(|split(x) - median(split(x))|)) (the folded "tail" R-hat).
[[nodiscard]] double rhat_tail(const ChainDraws& x);
/// Rank-normalised split R-hat: max(rhat_bulk, rhat_tail). Flag values > 1.01.
[[nodiscard]] double rhat(const ChainDraws& x);

/// Geyer ESS of the chains as given (no split, no ranks): ArviZ's _ess.
[[nodiscard]] double ess_basic(const ChainDraws& x);
/// ESS(z(split(x))).
[[nodiscard]] double ess_bulk(const ChainDraws& x);
/// min(ess_quantile(0.05), ess_quantile(0.95)).
[[nodiscard]] double ess_tail(const ChainDraws& x);
/// ESS(split(x)).
[[nodiscard]] double ess_mean(const ChainDraws& x);
/// ESS(split((x - mean)^2)).
[[nodiscard]] double ess_sd(const ChainDraws& x);
/// ESS(split(I[x <= quantile(x, p)])).
[[nodiscard]] double ess_quantile(const ChainDraws& x, double p);

/// sd(x) / sqrt(ess_mean(x)).
[[nodiscard]] double mcse_mean(const ChainDraws& x);
/// sqrt((mean(c^4) - mean(c^2)^2) / ESS(split(c^2)) / mean(c^2) / 4), c = x - mean(x).
[[nodiscard]] double mcse_sd(const ChainDraws& x);
/// Half the width of the +-1 sigma interval of the p-quantile from Beta(e p + 1, e (1-p) + 1),
/// e = ess_quantile(x, p) (ArviZ's index rounding).
[[nodiscard]] double mcse_quantile(const ChainDraws& x, double p);

/// Energy Bayesian fraction of missing information of one chain (ArviZ's bfmi):
/// mean((E_n - E_{n-1})^2) / var(E) (variance with denominator n). Flag values < 0.3.
[[nodiscard]] double ebfmi(std::span<const double> energy);
/// E-BFMI of each chain's post-warmup energy__.
[[nodiscard]] std::vector<double> ebfmi(const Run& run);

/// Biased autocovariance acov(t) = (1/n) sum (x_i - m)(x_{i+t} - m), t = 0..n-1, by a
/// radix-2 FFT with zero padding to a power of two >= 2n.
[[nodiscard]] Eigen::VectorXd autocovariance(const Eigen::VectorXd& x);

}  // namespace airy::infer
