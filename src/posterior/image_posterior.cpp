// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/image_posterior.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

/// Per-chain buffers: the telescope workspace, the rendered image and its cotangent.
struct PosteriorWorkspace : infer::Workspace {
  std::unique_ptr<model::TelescopeWorkspace> telescope;
  RealImage image;
  RealImage image_bar;
  std::vector<double> params;
  std::vector<double> params_bar;
};

std::string leaf(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

}  // namespace

ImagePosterior::ImagePosterior(model::Telescope telescope, std::vector<ParameterSite> sites,
                               ImageLikelihood likelihood)
    : telescope_(std::move(telescope)),
      sites_(std::move(sites)),
      likelihood_(std::make_shared<const ImageLikelihood>(std::move(likelihood))) {
  if (sites_.empty()) throw_invalid("ImagePosterior", "sites", "at least one site is needed");
  const RealImage& data = likelihood_->data();
  if (data.rows() != telescope_.image_rows() || data.cols() != telescope_.image_cols()) {
    throw InvalidArgument(fmt::format(
        "ImagePosterior: the data image is {}x{} pixels (ny x nx) but the telescope renders "
        "{}x{}: check psf_npix, oversample and detector downsampling",
        data.rows(), data.cols(), telescope_.image_rows(), telescope_.image_cols()));
  }
  std::vector<std::string> paths;
  std::map<std::string, int> leaf_count;
  for (const auto& s : sites_) {
    paths.push_back(s.path);
    ++leaf_count[leaf(s.path)];
    if (!s.prior) throw_invalid("ImagePosterior", s.path, "has no prior");
    check_positive("ImagePosterior", s.path + ".scale", s.scale);
  }
  set_ = telescope_.bind(paths);  // throws for unknown or duplicate paths

  std::vector<infer::Site> infer_sites;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    ParameterSite& s = sites_[i];
    if (s.name.empty()) {
      // Short names read best in tables and plots; the full path disambiguates collisions.
      s.name = leaf_count[leaf(s.path)] == 1 ? leaf(s.path) : s.path;
    }
    const int n = set_.size(i);
    for (int k = 0; k < n; ++k) scales_.push_back(s.scale);
    // A vector-valued path stays a vector site even with one entry (name[1]).
    const bool is_vector = telescope_.get(s.path).size() > 1 || n > 1;
    infer_sites.push_back(is_vector ? infer::Site::vector(s.name, n, s.prior)
                                    : infer::Site::scalar(s.name, s.prior));
  }

  // The likelihood closure captures shared, immutable state only; per-chain buffers live in
  // the PosteriorWorkspace.
  auto like = likelihood_;
  auto tel = std::make_shared<const model::Telescope>(telescope_);
  auto set = std::make_shared<const model::ParameterSet>(set_);
  auto scales = std::make_shared<const std::vector<double>>(scales_);
  infer::LogLikelihood loglik = [like, tel, set, scales](std::span<const double> x,
                                                         std::span<double> grad_x,
                                                         infer::Workspace* ws_base) {
    auto& ws = static_cast<PosteriorWorkspace&>(*ws_base);
    const std::size_t n = x.size();
    for (std::size_t i = 0; i < n; ++i) ws.params[i] = (*scales)[i] * x[i];
    tel->render(*set, ws.params, *ws.telescope, ws.image);
    const double value = like->log_likelihood(ws.image, ws.image_bar);
    if (!std::isfinite(value)) return -std::numeric_limits<double>::infinity();
    tel->pullback(*set, ws.image_bar, *ws.telescope, ws.params_bar);
    for (std::size_t i = 0; i < n; ++i) grad_x[i] += (*scales)[i] * ws.params_bar[i];
    return value;
  };
  infer::WorkspaceFactory factory = [tel, set]() -> std::unique_ptr<infer::Workspace> {
    auto ws = std::make_unique<PosteriorWorkspace>();
    ws->telescope = tel->make_workspace(*set);
    ws->image.resize(tel->image_rows(), tel->image_cols());
    ws->image_bar.resize(tel->image_rows(), tel->image_cols());
    ws->params.assign(static_cast<std::size_t>(set->size()), 0.0);
    ws->params_bar.assign(static_cast<std::size_t>(set->size()), 0.0);
    return ws;
  };
  model_ = std::make_shared<const infer::SiteModel>(std::move(infer_sites), std::move(loglik),
                                                    std::move(factory));
}

std::vector<double> ImagePosterior::current_values() const {
  const RealVector v = telescope_.values(set_);
  std::vector<double> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[i] = v[i] / scales_[i];
  return out;
}

model::Telescope ImagePosterior::telescope_at(const std::vector<double>& values) const {
  if (static_cast<int>(values.size()) != set_.size()) {
    throw InvalidArgument(fmt::format("ImagePosterior::telescope_at: {} values for {} coordinates",
                                      values.size(), set_.size()));
  }
  model::Telescope t = telescope_;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    RealVector v(set_.size(i));
    for (int k = 0; k < set_.size(i); ++k) {
      const int j = set_.offset(i) + k;
      v[k] = scales_[j] * values[j];
    }
    t = t.set(sites_[i].path, v);
  }
  return t;
}

std::vector<std::string> ImagePosterior::output_units() const {
  // A site without its own sampling unit is in its path's unit ("arcsec", "deg", ...).
  std::map<std::string, std::string> path_units;
  for (const auto& info : telescope_.parameters()) path_units[info.path] = info.unit;
  std::vector<std::string> units;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const std::string& unit = sites_[i].unit.empty() ? path_units[sites_[i].path] : sites_[i].unit;
    for (int k = 0; k < set_.size(i); ++k) units.push_back(unit);
  }
  return units;
}

}  // namespace airy::posterior
