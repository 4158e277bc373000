// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/pointwise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "airy/core/error.hpp"

namespace airy::posterior {

PointwiseLikelihood::PointwiseLikelihood(const ImageLikelihood& like)
    : size_(static_cast<std::size_t>(like.data().size())),
      has_sigma_(!like.noise_parameter_names().empty()) {
  const RealImage& d = like.data();
  const PixelMask& mask = like.mask();
  for (std::size_t i = 0; i < size_; ++i) {
    if (mask.data()[i] != 0) continue;
    PixelMaps maps;
    if (like.variance().size() != 0) {
      maps.variance = RealImage::Constant(1, 1, like.variance().data()[i]);
    }
    pixels_.emplace_back(like.kind(), RealImage::Constant(1, 1, d.data()[i]), like.sigma(),
                         std::move(maps));
    unmasked_.push_back(i);
  }
}

void PointwiseLikelihood::evaluate(const RealImage& model, double* out) const {
  evaluate(model, std::numeric_limits<double>::quiet_NaN(), out, false);
}

void PointwiseLikelihood::evaluate(const RealImage& model, double sigma, double* out) const {
  evaluate(model, sigma, out, has_sigma_);
}

void PointwiseLikelihood::evaluate(const RealImage& model, double sigma, double* out,
                                   bool with_sigma) const {
  if (static_cast<std::size_t>(model.size()) != size_) {
    throw InvalidArgument(
        fmt::format("PointwiseLikelihood: model has {} pixels, the data {}", model.size(), size_));
  }
  std::fill(out, out + size_, std::numeric_limits<double>::quiet_NaN());
  RealImage one(1, 1), bar;
  // Each one-pixel likelihood holds the exposure's own sigma: without a sampled one the
  // two-argument form is the fixed-sigma term, bit for bit the noise form at sigma().
  const std::span<const double> noise(&sigma, with_sigma ? 1 : 0);
  for (std::size_t k = 0; k < pixels_.size(); ++k) {
    one(0, 0) = model.data()[unmasked_[k]];
    out[unmasked_[k]] = with_sigma ? pixels_[k].log_likelihood(one, bar, noise, {})
                                   : pixels_[k].log_likelihood(one, bar);
  }
}

namespace {
int checked_exposure(const ImagePosterior& post, int e) {
  if (e < 0 || e >= post.num_exposures()) {
    throw InvalidArgument(fmt::format("ExposureRenderer: exposure {} does not exist ({} exposures)",
                                      e, post.num_exposures()));
  }
  return e;
}
}  // namespace

ExposureRenderer::ExposureRenderer(const ImagePosterior& post, int e)
    : post_(&post),
      e_(checked_exposure(post, e)),
      ws_(post.telescope(e).make_workspace(post.parameter_set(e))),
      x_(post.global_indices(e).size(), 0.0),
      mu_(post.telescope(e).image_rows(), post.telescope(e).image_cols()) {}

const RealImage& ExposureRenderer::render(std::span<const double> values) {
  const std::vector<double>& scales = post_->scales();
  if (values.size() != scales.size()) {
    throw InvalidArgument(fmt::format("ExposureRenderer: {} values for {} site coordinates",
                                      values.size(), scales.size()));
  }
  // Telescope value of bound coordinate j = scale_g * site value g, g = global_indices[j].
  const std::vector<int>& global = post_->global_indices(e_);
  for (std::size_t j = 0; j < global.size(); ++j) {
    const auto g = static_cast<std::size_t>(global[j]);
    x_[j] = scales[g] * values[g];
  }
  post_->telescope(e_).render(post_->parameter_set(e_), x_, *ws_, mu_);
  return mu_;
}

double ExposureRenderer::sigma(std::span<const double> values) const {
  const int r = post_->read_noise_index(e_);
  if (r < 0) return post_->likelihood(e_).sigma();
  const auto g = static_cast<std::size_t>(r);
  return post_->scales().at(g) * values[g];
}

void replicate(const ImageLikelihood& like, const RealImage& model, double sigma, Rng& rng,
               double* out) {
  const Eigen::Index n = model.size();
  const bool map = like.variance().size() != 0;
  auto variance = [&](Eigen::Index i) { return map ? like.variance().data()[i] : sigma * sigma; };
  for (Eigen::Index i = 0; i < n; ++i) {
    if (like.mask().data()[i] != 0) {
      out[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const double mu = model.data()[i];
    const double pos = std::min(std::max(mu, 0.0), Rng::kMaxPoissonRate);
    switch (like.kind()) {
      case LikelihoodKind::kPoisson:
        out[i] = static_cast<double>(rng.poisson(pos));
        break;
      case LikelihoodKind::kGaussian:
        out[i] = rng.normal(mu, std::sqrt(variance(i)));
        break;
      case LikelihoodKind::kPoissonGaussian:
        out[i] = rng.normal(mu, std::sqrt(pos + variance(i)));
        break;
      case LikelihoodKind::kPoissonGaussianExact:
        out[i] = static_cast<double>(rng.poisson(pos)) + rng.normal(0.0, std::sqrt(variance(i)));
        break;
    }
  }
}

void replicate_draws(const ImagePosterior& post, int e, std::span<const double> draws,
                     std::size_t num_draws, std::uint64_t seed, std::uint64_t first_stream,
                     double* out) {
  ExposureRenderer renderer(post, e);
  const std::size_t dim = post.scales().size();
  if (draws.size() != num_draws * dim) {
    throw InvalidArgument(
        fmt::format("replicate_draws: {} values for {} draws of {} site coordinates", draws.size(),
                    num_draws, dim));
  }
  const auto npix = static_cast<std::size_t>(post.likelihood(e).data().size());
  for (std::size_t i = 0; i < num_draws; ++i) {
    const std::span<const double> v = draws.subspan(i * dim, dim);
    Rng rng(seed, first_stream + i);
    replicate(post.likelihood(e), renderer.render(v), renderer.sigma(v), rng, out + i * npix);
  }
}

void pointwise_log_likelihood(const ImagePosterior& post, int e, std::span<const double> draws,
                              std::size_t num_draws, double* out) {
  ExposureRenderer renderer(post, e);
  const std::size_t dim = post.scales().size();
  if (draws.size() != num_draws * dim) {
    throw InvalidArgument(
        fmt::format("pointwise_log_likelihood: {} values for {} draws of {} site coordinates",
                    draws.size(), num_draws, dim));
  }
  const PointwiseLikelihood pointwise(post.likelihood(e));
  const std::size_t npix = pointwise.size();
  for (std::size_t i = 0; i < num_draws; ++i) {
    const std::span<const double> v = draws.subspan(i * dim, dim);
    pointwise.evaluate(renderer.render(v), renderer.sigma(v), out + i * npix);
  }
}

}  // namespace airy::posterior
