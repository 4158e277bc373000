// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/adaptation.hpp"

#include <cmath>

namespace airy::infer {

void DualAveraging::learn(double& epsilon, double accept_stat) {
  counter += 1.0;
  accept_stat = accept_stat > 1.0 ? 1.0 : accept_stat;
  const double eta = 1.0 / (counter + t0);
  s_bar = (1.0 - eta) * s_bar + eta * (delta - accept_stat);
  const double x = mu - s_bar * std::sqrt(counter) / gamma;
  const double x_eta = std::pow(counter, -kappa);
  x_bar = (1.0 - x_eta) * x_bar + x_eta * x;
  epsilon = std::exp(x);
}

void DualAveraging::complete(double& epsilon) const { epsilon = std::exp(x_bar); }

WindowSchedule::WindowSchedule(int num_warmup, int init_buffer, int term_buffer, int base_window) {
  if (num_warmup < 20) return;  // no metric estimation (Stan: "num_warmup < 20")
  num_warmup_ = num_warmup;
  if (init_buffer + base_window + term_buffer > num_warmup) {
    init_buffer_ = static_cast<int>(0.15 * num_warmup);
    term_buffer_ = static_cast<int>(0.1 * num_warmup);
    base_window_ = num_warmup - (init_buffer_ + term_buffer_);
  } else {
    init_buffer_ = init_buffer;
    term_buffer_ = term_buffer;
    base_window_ = base_window;
  }
  restart();
}

void WindowSchedule::restart() {
  counter_ = 0;
  window_size_ = base_window_;
  next_window_ = init_buffer_ + window_size_ - 1;
}

bool WindowSchedule::in_window() const {
  return counter_ >= init_buffer_ && counter_ < num_warmup_ - term_buffer_ &&
         counter_ != num_warmup_;
}

bool WindowSchedule::window_end() const {
  return num_warmup_ > 0 && counter_ == next_window_ && counter_ != num_warmup_;
}

void WindowSchedule::compute_next_window() {
  if (next_window_ == num_warmup_ - term_buffer_ - 1) return;
  window_size_ *= 2;
  next_window_ = counter_ + window_size_;
  if (next_window_ != num_warmup_ - term_buffer_ - 1) {
    const int boundary = next_window_ + 2 * window_size_;
    if (boundary >= num_warmup_ - term_buffer_) next_window_ = num_warmup_ - term_buffer_ - 1;
  }
}

void WindowSchedule::advance() {
  if (window_end()) compute_next_window();
  ++counter_;
}

std::vector<std::pair<int, int>> WindowSchedule::slow_windows() const {
  WindowSchedule s = *this;
  s.restart();
  std::vector<std::pair<int, int>> out;
  int start = -1;
  for (int i = 0; i < num_warmup_; ++i) {
    if (s.in_window() && start < 0) start = i;
    if (s.window_end()) {
      out.emplace_back(start, i);
      start = -1;
    }
    s.advance();
  }
  return out;
}

WelfordEstimator::WelfordEstimator(int dim, bool dense) : dim_(dim), dense_(dense) { restart(); }

void WelfordEstimator::restart() {
  n_ = 0;
  mean_ = RealVector::Zero(dim_);
  m2_ = dense_ ? RealMatrix::Zero(dim_, dim_) : RealMatrix::Zero(dim_, 1);
}

void WelfordEstimator::add_sample(const RealVector& q) {
  ++n_;
  const RealVector delta = q - mean_;
  mean_ += delta / n_;
  if (dense_) {
    m2_ += (q - mean_) * delta.transpose();
  } else {
    m2_.col(0).array() += delta.array() * (q - mean_).array();
  }
}

RealMatrix WelfordEstimator::regularized() const {
  const double n = n_;
  RealMatrix var = m2_ / (n - 1.0);
  var *= n / (n + 5.0);
  const double shrink = 1e-3 * (5.0 / (n + 5.0));
  if (dense_) {
    var.diagonal().array() += shrink;
  } else {
    var.array() += shrink;
  }
  return var;
}

}  // namespace airy::infer
