// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/tempered_target.hpp"

#include <vector>

#include "airy/core/error.hpp"

namespace airy::infer {

std::string TemperedTarget::prior_reference_issue() const {
  return "the target offers no sampler for its prior";
}

void TemperedTarget::sample_prior(Rng& /*rng*/, std::span<double> /*theta*/) const {
  throw Error("TemperedTarget::sample_prior: " + prior_reference_issue());
}

double TemperedTarget::log_density_gradient(std::span<const double> theta, std::span<double> grad,
                                            Workspace* ws) const {
  std::vector<double> grad_lik(grad.size());
  const SplitValue v = split_gradient(theta, grad, grad_lik, ws);
  for (std::size_t i = 0; i < grad.size(); ++i) grad[i] += grad_lik[i];
  return v.log_prior + v.log_likelihood;
}

}  // namespace airy::infer
