// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/image_posterior.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

/// Per-chain buffers, one set per exposure: the telescope workspace, the rendered image and
/// its cotangent, the exposure's parameters and their cotangents.
struct ExposureBuffers {
  std::unique_ptr<model::TelescopeWorkspace> telescope;
  RealImage image;
  RealImage image_bar;
  std::vector<double> params;
  std::vector<double> params_bar;
};
struct PosteriorWorkspace : infer::Workspace {
  std::vector<ExposureBuffers> exposures;
};

/// What the likelihood closure needs of one exposure (shared, immutable).
struct ExposureTerm {
  model::Telescope telescope;
  std::shared_ptr<const ImageLikelihood> likelihood;
  model::ParameterSet set;
  std::vector<int> global;
  int read_noise = -1;  ///< flat site coordinate of the sampled read-noise sigma, or -1
};

/// The open interval a continuous support spans, per coordinate.
std::pair<double, double> span_of(const infer::Support& s) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  using Kind = infer::Support::Kind;
  switch (s.kind) {
    case Kind::positive:
    case Kind::lower_bound:
    case Kind::integer:
      return {s.lower, inf};
    case Kind::upper_bound:
      return {-inf, s.upper};
    case Kind::interval:
      return {s.lower, s.upper};
    case Kind::simplex:
      return {0.0, 1.0};
    case Kind::real:
    case Kind::real_vector:
    case Kind::ordered:
      break;
  }
  return {-inf, inf};
}

/// A prior whose support leaves the parameter's domain would let the sampler draw values the
/// model is not defined at (a negative contrast, a negative separation): reject it here, with
/// the support in path units (site support x scale).
void check_support_in_domain(const ParameterSite& site, const Domain& domain) {
  const auto [lo, hi] = span_of(site.prior->support());
  if (domain.covers(site.scale * lo, site.scale * hi)) return;
  const std::string scaled = site.scale == 1.0 ? ""
                                               : fmt::format(" ({}, {} in the path's unit)",
                                                             site.scale * lo, site.scale * hi);
  throw InvalidArgument(fmt::format(
      "ImagePosterior: site '{}': prior {} has support {}{}, which leaves the parameter's domain "
      "{}: choose a prior inside it",
      site.path, site.prior->describe(), site.prior->support().describe(), scaled,
      domain.describe()));
}

bool is_read_noise(const ParameterSite& s) { return s.path == kReadNoisePath; }

std::string leaf(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

}  // namespace

ImagePosterior::ImagePosterior(model::Telescope telescope, std::vector<ParameterSite> sites,
                               ImageLikelihood likelihood)
    : ImagePosterior(
          [&] {
            std::vector<Exposure> one;
            one.push_back({"", std::move(telescope), std::move(likelihood)});
            return one;
          }(),
          std::move(sites)) {}

ImagePosterior::ImagePosterior(std::vector<Exposure> exposures, std::vector<ParameterSite> sites)
    : sites_(std::move(sites)) {
  if (exposures.empty()) throw_invalid("ImagePosterior", "exposures", "at least one is needed");
  if (sites_.empty()) throw_invalid("ImagePosterior", "sites", "at least one site is needed");
  const int n_exp = static_cast<int>(exposures.size());
  for (int e = 0; e < n_exp; ++e) {
    Exposure& x = exposures[static_cast<std::size_t>(e)];
    const std::string name = x.name.empty() ? std::to_string(e) : x.name;
    const RealImage& data = x.likelihood.data();
    if (data.rows() != x.telescope.image_rows() || data.cols() != x.telescope.image_cols()) {
      throw InvalidArgument(fmt::format(
          "ImagePosterior: {}the data image is {}x{} pixels (ny x nx) but the telescope renders "
          "{}x{}: check psf_npix, oversample and detector downsampling",
          n_exp > 1 ? fmt::format("exposure {}: ", name) : "", data.rows(), data.cols(),
          x.telescope.image_rows(), x.telescope.image_cols()));
    }
    exposures_.push_back({name,
                          std::move(x.telescope),
                          std::make_shared<const ImageLikelihood>(std::move(x.likelihood)),
                          model::ParameterSet{},
                          {},
                          {}});
  }

  // Site sizes, checks and names.
  std::map<std::string, int> leaf_count;
  std::map<std::pair<std::string, int>, int> seen;
  {
    std::map<std::string, bool> counted;
    for (const auto& s : sites_) {
      if (!counted[s.path]) ++leaf_count[leaf(s.path)];
      counted[s.path] = true;
    }
  }
  int offset = 0;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    ParameterSite& s = sites_[i];
    if (!s.prior) throw_invalid("ImagePosterior", s.path, "has no prior");
    check_positive("ImagePosterior", s.path + ".scale", s.scale);
    if (s.exposure < -1 || s.exposure >= n_exp) {
      throw InvalidArgument(
          fmt::format("ImagePosterior: site '{}': exposure {} does not exist "
                      "({} exposure(s))",
                      s.path, s.exposure, n_exp));
    }
    if (!seen.emplace(std::make_pair(s.path, s.exposure), 1).second) {
      throw_invalid("ImagePosterior", s.path, "duplicate parameter path");
    }
    if (is_read_noise(s)) {
      // The likelihood's sigma, not a telescope parameter: every exposure it applies to must
      // have one (a Poisson likelihood has no read noise, a variance map fixes each pixel's).
      check_support_in_domain(s, Domain::positive());
      for (int e = 0; e < n_exp; ++e) {
        if (s.exposure >= 0 && s.exposure != e) continue;
        const ImageLikelihood& like = *exposures_[static_cast<std::size_t>(e)].likelihood;
        if (like.noise_parameter_names().empty()) {
          throw InvalidArgument(fmt::format(
              "ImagePosterior: site '{}'{}: the likelihood {}{} has no read-noise sigma to "
              "sample (use likelihood kind gaussian or poisson_gaussian without a variance map)",
              s.path,
              n_exp > 1
                  ? fmt::format(" (exposure {})", exposures_[static_cast<std::size_t>(e)].name)
                  : "",
              likelihood_name(like.kind()),
              like.variance().size() != 0 ? " with a variance map" : ""));
        }
      }
      if (s.name.empty()) {
        s.name = leaf_count[leaf(s.path)] == 1 ? leaf(s.path) : s.path;
        if (s.exposure >= 0) s.name += fmt::format("_e{}", s.exposure);
      }
      site_offsets_.push_back(offset);
      site_sizes_.push_back(1);
      scales_.push_back(s.scale);
      offset += 1;
      continue;
    }
    // A shared site must exist in every exposure; it takes exposure 0's size and domain.
    const int e0 = s.exposure < 0 ? 0 : s.exposure;
    const model::Telescope& t = exposures_[static_cast<std::size_t>(e0)].telescope;
    model::ParameterSet one;
    try {
      one = t.bind({s.path});  // throws naming the nearest path
    } catch (const InvalidArgument& err) {
      throw InvalidArgument(fmt::format(
          "ImagePosterior: site '{}'{}: {}", s.path,
          s.exposure >= 0 ? fmt::format(" (exposure {})", s.exposure) : std::string(), err.what()));
    }
    int size = one.size();
    for (const auto& info : t.parameters()) {
      if (info.path == s.path) check_support_in_domain(s, info.domain);
    }
    if (s.name.empty()) {
      // Short names read best in tables and plots; the full path disambiguates collisions.
      s.name = leaf_count[leaf(s.path)] == 1 ? leaf(s.path) : s.path;
      if (s.exposure >= 0) s.name += fmt::format("_e{}", s.exposure);
    }
    site_offsets_.push_back(offset);
    site_sizes_.push_back(size);
    for (int k = 0; k < size; ++k) scales_.push_back(s.scale);
    offset += size;
  }

  // Each exposure binds the shared sites and its own, in site order.
  for (int e = 0; e < n_exp; ++e) {
    Bound& b = exposures_[static_cast<std::size_t>(e)];
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < sites_.size(); ++i) {
      const ParameterSite& s = sites_[i];
      if (s.exposure != -1 && s.exposure != e) continue;
      if (is_read_noise(s)) {
        if (b.read_noise >= 0) {
          throw InvalidArgument(fmt::format(
              "ImagePosterior: '{}' is both shared and exposure {}'s own parameter", s.path, e));
        }
        b.read_noise = site_offsets_[i];
        continue;
      }
      if (std::find(paths.begin(), paths.end(), s.path) != paths.end()) {
        throw InvalidArgument(fmt::format(
            "ImagePosterior: '{}' is both shared and exposure {}'s own parameter", s.path, e));
      }
      paths.push_back(s.path);
      b.sites.push_back(static_cast<int>(i));
    }
    try {
      b.set = b.telescope.bind(paths);
    } catch (const InvalidArgument& err) {
      throw InvalidArgument(fmt::format("ImagePosterior: exposure {}: {}", b.name, err.what()));
    }
    for (std::size_t j = 0; j < b.sites.size(); ++j) {
      const int site = b.sites[j];
      if (b.set.size(j) != site_sizes_[static_cast<std::size_t>(site)]) {
        throw InvalidArgument(
            fmt::format("ImagePosterior: exposure {}: '{}' has {} values, exposure 0's has {}",
                        b.name, sites_[static_cast<std::size_t>(site)].path, b.set.size(j),
                        site_sizes_[static_cast<std::size_t>(site)]));
      }
      for (int k = 0; k < b.set.size(j); ++k) {
        b.global.push_back(site_offsets_[static_cast<std::size_t>(site)] + k);
      }
    }
  }

  std::vector<infer::Site> infer_sites;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const ParameterSite& s = sites_[i];
    const int n = site_sizes_[i];
    const int e0 = s.exposure < 0 ? 0 : s.exposure;
    // A vector-valued path stays a vector site even with one entry (name[1]).
    const bool is_vector =
        !is_read_noise(s) &&
        (exposures_[static_cast<std::size_t>(e0)].telescope.get(s.path).size() > 1 || n > 1);
    infer_sites.push_back(is_vector ? infer::Site::vector(s.name, n, s.prior)
                                    : infer::Site::scalar(s.name, s.prior));
  }

  // The likelihood closure captures shared, immutable state only; per-chain buffers live in
  // the PosteriorWorkspace.
  auto terms = std::make_shared<std::vector<ExposureTerm>>();
  for (const Bound& b : exposures_) {
    terms->push_back({b.telescope, b.likelihood, b.set, b.global, b.read_noise});
  }
  auto scales = std::make_shared<const std::vector<double>>(scales_);
  std::shared_ptr<const std::vector<ExposureTerm>> cterms = terms;
  infer::LogLikelihood loglik = [cterms, scales](std::span<const double> x,
                                                 std::span<double> grad_x,
                                                 infer::Workspace* ws_base) {
    auto& ws = static_cast<PosteriorWorkspace&>(*ws_base);
    double total = 0.0;
    for (std::size_t e = 0; e < cterms->size(); ++e) {
      const ExposureTerm& term = (*cterms)[e];
      ExposureBuffers& buf = ws.exposures[e];
      const std::size_t n = term.global.size();
      for (std::size_t k = 0; k < n; ++k) {
        const auto g = static_cast<std::size_t>(term.global[k]);
        buf.params[k] = (*scales)[g] * x[g];
      }
      term.telescope.render(term.set, buf.params, *buf.telescope, buf.image);
      double value = 0.0;
      if (term.read_noise < 0) {
        value = term.likelihood->log_likelihood(buf.image, buf.image_bar);
      } else {
        // The sampled read noise s = scale x (photons): d log L/d x = scale d log L/d s.
        const auto g = static_cast<std::size_t>(term.read_noise);
        const double sigma = (*scales)[g] * x[g];
        double sigma_bar = 0.0;
        value =
            term.likelihood->log_likelihood(buf.image, buf.image_bar, {&sigma, 1}, {&sigma_bar, 1});
        if (std::isfinite(value)) grad_x[g] += (*scales)[g] * sigma_bar;
      }
      if (!std::isfinite(value)) return -std::numeric_limits<double>::infinity();
      term.telescope.pullback(term.set, buf.image_bar, *buf.telescope, buf.params_bar);
      for (std::size_t k = 0; k < n; ++k) {
        const auto g = static_cast<std::size_t>(term.global[k]);
        grad_x[g] += (*scales)[g] * buf.params_bar[k];
      }
      total += value;
    }
    return total;
  };
  infer::WorkspaceFactory factory = [cterms]() -> std::unique_ptr<infer::Workspace> {
    auto ws = std::make_unique<PosteriorWorkspace>();
    for (const ExposureTerm& term : *cterms) {
      ExposureBuffers buf;
      buf.telescope = term.telescope.make_workspace(term.set);
      buf.image.resize(term.telescope.image_rows(), term.telescope.image_cols());
      buf.image_bar.resize(term.telescope.image_rows(), term.telescope.image_cols());
      buf.params.assign(term.global.size(), 0.0);
      buf.params_bar.assign(term.global.size(), 0.0);
      ws->exposures.push_back(std::move(buf));
    }
    return ws;
  };
  model_ = std::make_shared<const infer::SiteModel>(std::move(infer_sites), std::move(loglik),
                                                    std::move(factory));
}

const model::Telescope& ImagePosterior::telescope(int e) const {
  return exposures_.at(static_cast<std::size_t>(e)).telescope;
}
const ImageLikelihood& ImagePosterior::likelihood(int e) const {
  return *exposures_.at(static_cast<std::size_t>(e)).likelihood;
}
const std::string& ImagePosterior::exposure_name(int e) const {
  return exposures_.at(static_cast<std::size_t>(e)).name;
}
const model::ParameterSet& ImagePosterior::parameter_set(int e) const {
  return exposures_.at(static_cast<std::size_t>(e)).set;
}
const std::vector<int>& ImagePosterior::global_indices(int e) const {
  return exposures_.at(static_cast<std::size_t>(e)).global;
}
int ImagePosterior::read_noise_index(int e) const {
  return exposures_.at(static_cast<std::size_t>(e)).read_noise;
}

std::vector<double> ImagePosterior::current_values() const {
  std::vector<double> out(scales_.size(), 0.0);
  // Exposure order: a shared site's value is exposure 0's (every exposure starts from the
  // same configured value); a per-exposure site's is its own exposure's.
  for (std::size_t e = exposures_.size(); e-- > 0;) {
    const Bound& b = exposures_[e];
    const RealVector v = b.telescope.values(b.set);
    for (Eigen::Index k = 0; k < v.size(); ++k) {
      const auto g = static_cast<std::size_t>(b.global[static_cast<std::size_t>(k)]);
      out[g] = v[k] / scales_[g];
    }
    if (b.read_noise >= 0) {
      const auto g = static_cast<std::size_t>(b.read_noise);
      out[g] = b.likelihood->sigma() / scales_[g];
    }
  }
  return out;
}

model::Telescope ImagePosterior::telescope_at(const std::vector<double>& values, int e) const {
  if (values.size() != scales_.size()) {
    throw InvalidArgument(fmt::format("ImagePosterior::telescope_at: {} values for {} coordinates",
                                      values.size(), scales_.size()));
  }
  const Bound& b = exposures_.at(static_cast<std::size_t>(e));
  model::Telescope t = b.telescope;
  for (std::size_t i = 0; i < b.sites.size(); ++i) {
    RealVector v(b.set.size(i));
    for (int k = 0; k < b.set.size(i); ++k) {
      const auto g =
          static_cast<std::size_t>(b.global[static_cast<std::size_t>(b.set.offset(i) + k)]);
      v[k] = scales_[g] * values[g];
    }
    t = t.set(b.set.paths()[i], v);
  }
  return t;
}

std::vector<std::string> ImagePosterior::output_units() const {
  // A site without its own sampling unit is in its path's unit ("arcsec", "deg", ...).
  std::vector<std::string> units;
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    std::string unit = sites_[i].unit;
    if (unit.empty() && is_read_noise(sites_[i])) unit = "photons";
    if (unit.empty()) {
      const int e0 = sites_[i].exposure < 0 ? 0 : sites_[i].exposure;
      for (const auto& info : exposures_[static_cast<std::size_t>(e0)].telescope.parameters()) {
        if (info.path == sites_[i].path) unit = info.unit;
      }
    }
    for (int k = 0; k < site_sizes_[i]; ++k) units.push_back(unit);
  }
  return units;
}

}  // namespace airy::posterior
