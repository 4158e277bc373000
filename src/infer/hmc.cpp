// SPDX-License-Identifier: BSD-3-Clause
#include "hmc.hpp"

#include <cmath>
#include <limits>

#include "airy/core/error.hpp"
#include "special_functions.hpp"

namespace airy::infer::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Stan's compute_criterion: continue iff p#+ . rho > 0 and p#- . rho > 0.
bool criterion(const RealVector& p_sharp_minus, const RealVector& p_sharp_plus,
               const RealVector& rho) {
  return p_sharp_plus.dot(rho) > 0 && p_sharp_minus.dot(rho) > 0;
}
}  // namespace

// ------------------------------------------------------------------------- Hamiltonian

Hamiltonian::Hamiltonian(const LogDensity& target, Workspace* ws, Metric metric)
    : target_(target), ws_(ws), metric_(metric), dim_(target.dim()) {
  inv_diag_ = RealVector::Ones(dim_);
  if (metric_ == Metric::dense_e) {
    inv_dense_ = Eigen::MatrixXd::Identity(dim_, dim_);
    llt_.compute(inv_dense_);
  }
}

void Hamiltonian::set_inv_metric(const RealMatrix& m) {
  if (metric_ == Metric::unit_e || m.size() == 0) return;
  if (metric_ == Metric::diag_e) {
    inv_diag_ = m.cols() == 1 ? RealVector(m.col(0)) : RealVector(m.diagonal());
  } else {
    inv_dense_ = m.cols() == 1 ? Eigen::MatrixXd(m.col(0).asDiagonal()) : Eigen::MatrixXd(m);
    llt_.compute(inv_dense_);
  }
}

RealMatrix Hamiltonian::inv_metric() const {
  if (metric_ == Metric::dense_e) return inv_dense_;
  return inv_diag_;
}

void Hamiltonian::evaluate(PhasePoint& z) {
  ++n_grad_;
  z.g.resize(dim_);
  const double lp = target_.log_density_gradient(std::span<const double>(z.q.data(), dim_),
                                                 std::span<double>(z.g.data(), dim_), ws_);
  z.raw_logp = lp;
  z.logp = (std::isfinite(lp) && z.g.allFinite()) ? lp : -kInf;
}

void Hamiltonian::sample_p(PhasePoint& z, Rng& rng) const {
  z.p.resize(dim_);
  for (int i = 0; i < dim_; ++i) z.p[i] = rng.normal();
  if (metric_ == Metric::diag_e) {
    z.p.array() /= inv_diag_.array().sqrt();
  } else if (metric_ == Metric::dense_e) {
    z.p = llt_.matrixU().solve(z.p);
  }
}

RealVector Hamiltonian::dtau_dp(const RealVector& p) const {
  switch (metric_) {
    case Metric::unit_e:
      return p;
    case Metric::diag_e:
      return inv_diag_.cwiseProduct(p);
    case Metric::dense_e:
      return inv_dense_ * p;
  }
  return p;
}

double Hamiltonian::kinetic(const RealVector& p) const { return 0.5 * p.dot(dtau_dp(p)); }

double Hamiltonian::energy(const PhasePoint& z) const {
  const double h = -z.logp + kinetic(z.p);
  return std::isnan(h) ? kInf : h;
}

void Hamiltonian::leapfrog(PhasePoint& z, double eps) {
  z.p += 0.5 * eps * z.g;
  z.q += eps * dtau_dp(z.p);
  evaluate(z);
  z.p += 0.5 * eps * z.g;
}

// ------------------------------------------------------------------------- HmcKernel

HmcKernel::HmcKernel(Hamiltonian& h, const SamplerOptions& o)
    : nominal_stepsize(o.stepsize),
      h_(h),
      engine_(o.engine),
      max_depth_(o.max_depth),
      int_time_(o.int_time),
      jitter_(o.stepsize_jitter),
      max_delta_h_(o.max_energy_error) {}

TransitionInfo HmcKernel::transition(PhasePoint& z, Rng& rng) {
  epsilon_ = nominal_stepsize;
  if (jitter_ > 0.0) epsilon_ *= 1.0 + jitter_ * (2.0 * rng.uniform01() - 1.0);
  TransitionInfo info = engine_ == Engine::nuts ? nuts(z, rng) : static_hmc(z, rng);
  info.stepsize = epsilon_;
  return info;
}

TransitionInfo HmcKernel::static_hmc(PhasePoint& z, Rng& rng) {
  const int steps = std::max(1, static_cast<int>(int_time_ / epsilon_));
  PhasePoint z0 = z;
  h_.sample_p(z, rng);
  const double H0 = h_.energy(z);
  PhasePoint z1 = z;
  for (int i = 0; i < steps; ++i) h_.leapfrog(z1, epsilon_);
  const double h = h_.energy(z1);
  TransitionInfo info;
  info.n_leapfrog = steps;
  info.divergent = (h - H0) > max_delta_h_;
  const double accept = std::isfinite(h) ? std::min(1.0, std::exp(H0 - h)) : 0.0;
  info.accept_stat = accept;
  if (rng.uniform01() < accept) {
    z = z1;
  } else {
    z.q = z0.q;
    z.g = z0.g;
    z.logp = z0.logp;
  }
  info.energy = h_.energy(z);
  return info;
}

TransitionInfo HmcKernel::nuts(PhasePoint& z0, Rng& rng) {
  h_.sample_p(z0, rng);
  PhasePoint z = z0;
  PhasePoint z_fwd = z0;
  PhasePoint z_bck = z0;
  PhasePoint z_sample = z0;
  PhasePoint z_propose = z0;

  RealVector p_fwd_fwd = z.p;
  RealVector p_sharp_fwd_fwd = h_.dtau_dp(z.p);
  RealVector p_fwd_bck = z.p;
  RealVector p_sharp_fwd_bck = p_sharp_fwd_fwd;
  RealVector p_bck_fwd = z.p;
  RealVector p_sharp_bck_fwd = p_sharp_fwd_fwd;
  RealVector p_bck_bck = z.p;
  RealVector p_sharp_bck_bck = p_sharp_fwd_fwd;

  RealVector rho = z.p;
  double log_sum_weight = 0.0;
  const double H0 = h_.energy(z);
  int n_leapfrog = 0;
  double sum_metro_prob = 0.0;
  int depth = 0;
  divergent_ = false;
  const int n = h_.dim();

  while (depth < max_depth_) {
    RealVector rho_fwd = RealVector::Zero(n);
    RealVector rho_bck = RealVector::Zero(n);
    bool valid = false;
    double log_sum_weight_subtree = -kInf;
    if (rng.uniform01() > 0.5) {
      z = z_fwd;
      rho_bck = rho;
      p_bck_fwd = p_fwd_bck;
      p_sharp_bck_fwd = p_sharp_fwd_bck;
      valid =
          build_tree(depth, z, z_propose, p_sharp_fwd_bck, p_sharp_fwd_fwd, rho_fwd, p_fwd_bck,
                     p_fwd_fwd, H0, 1.0, n_leapfrog, log_sum_weight_subtree, sum_metro_prob, rng);
      z_fwd = z;
    } else {
      z = z_bck;
      rho_fwd = rho;
      p_fwd_bck = p_bck_fwd;
      p_sharp_fwd_bck = p_sharp_bck_fwd;
      valid =
          build_tree(depth, z, z_propose, p_sharp_bck_fwd, p_sharp_bck_bck, rho_bck, p_bck_fwd,
                     p_bck_bck, H0, -1.0, n_leapfrog, log_sum_weight_subtree, sum_metro_prob, rng);
      z_bck = z;
    }
    if (!valid) break;
    ++depth;
    if (log_sum_weight_subtree > log_sum_weight) {
      z_sample = z_propose;
    } else if (rng.uniform01() < std::exp(log_sum_weight_subtree - log_sum_weight)) {
      z_sample = z_propose;
    }
    log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
    rho = rho_bck + rho_fwd;
    bool persist = criterion(p_sharp_bck_bck, p_sharp_fwd_fwd, rho);
    persist = persist && criterion(p_sharp_bck_bck, p_sharp_fwd_bck, rho_bck + p_fwd_bck);
    persist = persist && criterion(p_sharp_bck_fwd, p_sharp_fwd_fwd, rho_fwd + p_bck_fwd);
    if (!persist) break;
  }

  TransitionInfo info;
  info.n_leapfrog = n_leapfrog;
  info.treedepth = depth;
  info.divergent = divergent_;
  info.accept_stat = n_leapfrog > 0 ? sum_metro_prob / n_leapfrog : 0.0;
  z0 = z_sample;
  info.energy = h_.energy(z0);
  return info;
}

bool HmcKernel::build_tree(int depth, PhasePoint& z, PhasePoint& z_propose, RealVector& p_sharp_beg,
                           RealVector& p_sharp_end, RealVector& rho, RealVector& p_beg,
                           RealVector& p_end, double H0, double sign, int& n_leapfrog,
                           double& log_sum_weight, double& sum_metro_prob, Rng& rng) {
  if (depth == 0) {
    h_.leapfrog(z, sign * epsilon_);
    ++n_leapfrog;
    const double h = h_.energy(z);
    if (h - H0 > max_delta_h_) divergent_ = true;
    log_sum_weight = log_sum_exp(log_sum_weight, H0 - h);
    sum_metro_prob += H0 - h > 0 ? 1.0 : std::exp(H0 - h);
    z_propose = z;
    p_sharp_beg = h_.dtau_dp(z.p);
    p_sharp_end = p_sharp_beg;
    rho += z.p;
    p_beg = z.p;
    p_end = p_beg;
    return !divergent_;
  }
  const int n = h_.dim();
  double log_sum_weight_init = -kInf;
  RealVector p_init_end(n);
  RealVector p_sharp_init_end(n);
  RealVector rho_init = RealVector::Zero(n);
  if (!build_tree(depth - 1, z, z_propose, p_sharp_beg, p_sharp_init_end, rho_init, p_beg,
                  p_init_end, H0, sign, n_leapfrog, log_sum_weight_init, sum_metro_prob, rng)) {
    return false;
  }
  PhasePoint z_propose_final = z;
  double log_sum_weight_final = -kInf;
  RealVector p_final_beg(n);
  RealVector p_sharp_final_beg(n);
  RealVector rho_final = RealVector::Zero(n);
  if (!build_tree(depth - 1, z, z_propose_final, p_sharp_final_beg, p_sharp_end, rho_final,
                  p_final_beg, p_end, H0, sign, n_leapfrog, log_sum_weight_final, sum_metro_prob,
                  rng)) {
    return false;
  }
  const double log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
  log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
  if (log_sum_weight_final > log_sum_weight_subtree) {
    z_propose = z_propose_final;
  } else if (rng.uniform01() < std::exp(log_sum_weight_final - log_sum_weight_subtree)) {
    z_propose = z_propose_final;
  }
  const RealVector rho_subtree = rho_init + rho_final;
  rho += rho_subtree;
  bool persist = criterion(p_sharp_beg, p_sharp_end, rho_subtree);
  persist = persist && criterion(p_sharp_beg, p_sharp_final_beg, rho_init + p_final_beg);
  persist = persist && criterion(p_sharp_init_end, p_sharp_end, rho_final + p_init_end);
  return persist;
}

void HmcKernel::init_stepsize(const PhasePoint& z_init, Rng& rng) {
  if (h_.dim() == 0) return;
  if (nominal_stepsize == 0 || nominal_stepsize > 1e7 || std::isnan(nominal_stepsize)) return;
  const double log08 = std::log(0.8);
  PhasePoint z = z_init;
  h_.sample_p(z, rng);
  double H0 = h_.energy(z);
  h_.leapfrog(z, nominal_stepsize);
  double delta_h = H0 - h_.energy(z);
  const int direction = delta_h > log08 ? 1 : -1;
  for (;;) {
    z = z_init;
    h_.sample_p(z, rng);
    H0 = h_.energy(z);
    h_.leapfrog(z, nominal_stepsize);
    delta_h = H0 - h_.energy(z);
    if (direction == 1 && !(delta_h > log08)) break;
    if (direction == -1 && !(delta_h < log08)) break;
    nominal_stepsize *= direction == 1 ? 2.0 : 0.5;
    if (nominal_stepsize > 1e7) {
      throw Error(
          "sample: step size search: Posterior is improper (step size > 1e7). Please "
          "check your model.");
    }
    if (nominal_stepsize == 0) {
      throw Error(
          "sample: step size search: no acceptably small step size could be found. "
          "Perhaps the posterior is not continuous?");
    }
  }
}

}  // namespace airy::infer::detail
