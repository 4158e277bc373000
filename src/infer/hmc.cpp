// SPDX-License-Identifier: BSD-3-Clause
#include "hmc.hpp"

#include <cmath>
#include <limits>

#include "airy/core/error.hpp"
#include "special_functions.hpp"

namespace airy::infer::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

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
  if (hook_ != nullptr) hook_(ws_, z);
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

void Hamiltonian::dtau_dp(const RealVector& p, RealVector& out) const {
  switch (metric_) {
    case Metric::unit_e:
      out = p;
      return;
    case Metric::diag_e:
      out = inv_diag_.cwiseProduct(p);
      return;
    case Metric::dense_e:
      out.noalias() = inv_dense_ * p;
      return;
  }
}

double Hamiltonian::kinetic(const RealVector& p) const {
  switch (metric_) {
    case Metric::unit_e:
      return 0.5 * p.squaredNorm();
    case Metric::diag_e:
      return 0.5 * (p.array().square() * inv_diag_.array()).sum();
    case Metric::dense_e:
      tmp_.resize(dim_);
      tmp_.noalias() = inv_dense_ * p;
      return 0.5 * p.dot(tmp_);
  }
  return 0.0;
}

double Hamiltonian::energy(const PhasePoint& z) const {
  const double h = -z.logp + kinetic(z.p);
  return std::isnan(h) ? kInf : h;
}

void Hamiltonian::leapfrog(PhasePoint& z, double eps) {
  z.p += 0.5 * eps * z.g;
  tmp_.resize(dim_);
  dtau_dp(z.p, tmp_);
  z.q += eps * tmp_;
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

void HmcKernel::ensure_buffers() {
  const int n = h_.dim();
  if (static_cast<int>(scratch_.size()) == max_depth_ + 1 && top_.rho.size() == n) return;
  auto zeros = [n](RealVector& v) { v = RealVector::Zero(n); };
  auto point = [&](PhasePoint& z) {
    zeros(z.q);
    zeros(z.p);
    zeros(z.g);
  };
  scratch_.assign(static_cast<std::size_t>(max_depth_ + 1), Scratch{});
  for (auto& sc : scratch_) {
    for (RealVector* v : {&sc.p_init_end, &sc.p_sharp_init_end, &sc.rho_init, &sc.p_final_beg,
                          &sc.p_sharp_final_beg, &sc.rho_final, &sc.rho_subtree, &sc.tmp}) {
      zeros(*v);
    }
    point(sc.z_propose_final);
  }
  for (PhasePoint* z : {&top_.z, &top_.z_fwd, &top_.z_bck, &top_.z_sample, &top_.z_propose}) {
    point(*z);
  }
  for (RealVector* v :
       {&top_.p_fwd_fwd, &top_.p_sharp_fwd_fwd, &top_.p_fwd_bck, &top_.p_sharp_fwd_bck,
        &top_.p_bck_fwd, &top_.p_sharp_bck_fwd, &top_.p_bck_bck, &top_.p_sharp_bck_bck, &top_.rho,
        &top_.rho_fwd, &top_.rho_bck, &top_.tmp}) {
    zeros(*v);
  }
}

bool HmcKernel::criterion(const RealVector& p_sharp_minus, const RealVector& p_sharp_plus,
                          const RealVector& a, const RealVector* b, RealVector& tmp) const {
  const RealVector* rho = &a;
  if (b != nullptr) {
    tmp = a + *b;
    rho = &tmp;
  }
  // Stan's compute_criterion: continue iff p#+ . rho > 0 and p#- . rho > 0.
  return p_sharp_plus.dot(*rho) > 0 && p_sharp_minus.dot(*rho) > 0;
}

TransitionInfo HmcKernel::nuts(PhasePoint& z0, Rng& rng) {
  ensure_buffers();
  h_.sample_p(z0, rng);
  auto& t = top_;
  t.z = z0;
  t.z_fwd = z0;
  t.z_bck = z0;
  t.z_sample = z0;
  t.z_propose = z0;

  t.p_fwd_fwd = z0.p;
  h_.dtau_dp(z0.p, t.p_sharp_fwd_fwd);
  t.p_fwd_bck = z0.p;
  t.p_sharp_fwd_bck = t.p_sharp_fwd_fwd;
  t.p_bck_fwd = z0.p;
  t.p_sharp_bck_fwd = t.p_sharp_fwd_fwd;
  t.p_bck_bck = z0.p;
  t.p_sharp_bck_bck = t.p_sharp_fwd_fwd;

  t.rho = z0.p;
  double log_sum_weight = 0.0;
  const double H0 = h_.energy(z0);
  int n_leapfrog = 0;
  double sum_metro_prob = 0.0;
  int depth = 0;
  divergent_ = false;

  while (depth < max_depth_) {
    t.rho_fwd.setZero();
    t.rho_bck.setZero();
    bool valid = false;
    double log_sum_weight_subtree = -kInf;
    if (rng.uniform01() > 0.5) {
      t.z = t.z_fwd;
      t.rho_bck = t.rho;
      t.p_bck_fwd = t.p_fwd_bck;
      t.p_sharp_bck_fwd = t.p_sharp_fwd_bck;
      valid = build_tree(depth, t.z, t.z_propose, t.p_sharp_fwd_bck, t.p_sharp_fwd_fwd, t.rho_fwd,
                         t.p_fwd_bck, t.p_fwd_fwd, H0, 1.0, n_leapfrog, log_sum_weight_subtree,
                         sum_metro_prob, rng);
      t.z_fwd = t.z;
    } else {
      t.z = t.z_bck;
      t.rho_fwd = t.rho;
      t.p_fwd_bck = t.p_bck_fwd;
      t.p_sharp_fwd_bck = t.p_sharp_bck_fwd;
      valid = build_tree(depth, t.z, t.z_propose, t.p_sharp_bck_fwd, t.p_sharp_bck_bck, t.rho_bck,
                         t.p_bck_fwd, t.p_bck_bck, H0, -1.0, n_leapfrog, log_sum_weight_subtree,
                         sum_metro_prob, rng);
      t.z_bck = t.z;
    }
    if (!valid) break;
    ++depth;
    if (log_sum_weight_subtree > log_sum_weight) {
      t.z_sample = t.z_propose;
    } else if (rng.uniform01() < std::exp(log_sum_weight_subtree - log_sum_weight)) {
      t.z_sample = t.z_propose;
    }
    log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
    t.rho = t.rho_bck + t.rho_fwd;
    bool persist = criterion(t.p_sharp_bck_bck, t.p_sharp_fwd_fwd, t.rho, nullptr, t.tmp);
    persist =
        persist && criterion(t.p_sharp_bck_bck, t.p_sharp_fwd_bck, t.rho_bck, &t.p_fwd_bck, t.tmp);
    persist =
        persist && criterion(t.p_sharp_bck_fwd, t.p_sharp_fwd_fwd, t.rho_fwd, &t.p_bck_fwd, t.tmp);
    if (!persist) break;
  }

  TransitionInfo info;
  info.n_leapfrog = n_leapfrog;
  info.treedepth = depth;
  info.divergent = divergent_;
  info.accept_stat = n_leapfrog > 0 ? sum_metro_prob / n_leapfrog : 0.0;
  z0 = t.z_sample;
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
    h_.dtau_dp(z.p, p_sharp_beg);
    p_sharp_end = p_sharp_beg;
    rho += z.p;
    p_beg = z.p;
    p_end = p_beg;
    return !divergent_;
  }
  Scratch& sc = scratch_[static_cast<std::size_t>(depth)];
  double log_sum_weight_init = -kInf;
  sc.rho_init.setZero();
  if (!build_tree(depth - 1, z, z_propose, p_sharp_beg, sc.p_sharp_init_end, sc.rho_init, p_beg,
                  sc.p_init_end, H0, sign, n_leapfrog, log_sum_weight_init, sum_metro_prob, rng)) {
    return false;
  }
  sc.z_propose_final = z;
  double log_sum_weight_final = -kInf;
  sc.rho_final.setZero();
  if (!build_tree(depth - 1, z, sc.z_propose_final, sc.p_sharp_final_beg, p_sharp_end, sc.rho_final,
                  sc.p_final_beg, p_end, H0, sign, n_leapfrog, log_sum_weight_final, sum_metro_prob,
                  rng)) {
    return false;
  }
  const double log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
  log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
  if (log_sum_weight_final > log_sum_weight_subtree) {
    z_propose = sc.z_propose_final;
  } else if (rng.uniform01() < std::exp(log_sum_weight_final - log_sum_weight_subtree)) {
    z_propose = sc.z_propose_final;
  }
  sc.rho_subtree = sc.rho_init + sc.rho_final;
  rho += sc.rho_subtree;
  bool persist = criterion(p_sharp_beg, p_sharp_end, sc.rho_subtree, nullptr, sc.tmp);
  persist =
      persist && criterion(p_sharp_beg, sc.p_sharp_final_beg, sc.rho_init, &sc.p_final_beg, sc.tmp);
  persist =
      persist && criterion(sc.p_sharp_init_end, p_sharp_end, sc.rho_final, &sc.p_init_end, sc.tmp);
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
