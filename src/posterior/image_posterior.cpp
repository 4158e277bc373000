// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/image_posterior.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "airy/core/error.hpp"
#include "airy/model/telescope_impl.hpp"
#include "posterior/task_pool.hpp"

namespace airy::posterior {
namespace {

/// Per-chain buffers, one set per exposure: the telescope workspace, the rendered image and
/// its cotangent, the exposure's parameters and their cotangents, and its results (log L_e and
/// d log L_e / d sigma) until they are summed in exposure order.
struct ExposureBuffers {
  std::unique_ptr<model::TelescopeWorkspace> telescope;
  RealImage image;
  RealImage image_bar;
  std::vector<double> params;
  std::vector<double> params_bar;
  double value = 0.0;
  double sigma_bar = 0.0;
};
/// Per-chain buffers of a shared-PSF group: the wide telescope's workspace, its PSF and the
/// PSF's cotangent (the sum of the members' windows), its parameters and their cotangents.
struct GroupBuffers {
  std::unique_ptr<model::TelescopeWorkspace> telescope;
  RealImage psf;
  RealImage psf_bar;
  std::vector<double> params;
  std::vector<double> params_bar;
};
struct PosteriorWorkspace : infer::Workspace {
  std::vector<ExposureBuffers> exposures;
  std::vector<GroupBuffers> groups;
  std::unique_ptr<detail::TaskPool> pool;  // null: one thread
};

/// What the likelihood closure needs of one exposure (shared, immutable).
struct ExposureTerm {
  model::Telescope telescope;
  std::shared_ptr<const ImageLikelihood> likelihood;
  model::ParameterSet set;
  std::vector<int> global;
  int read_noise = -1;  ///< flat site coordinate of the sampled read-noise sigma, or -1
  int group = -1;       ///< its shared-PSF group, or -1
  int member = -1;      ///< its index among the group's members
};
struct GroupTerm {
  std::shared_ptr<const model::SharedPsf> shared;
  model::ParameterSet set;
  std::vector<int> global;
  std::vector<int> members;
};
/// Units of work: unit u >= 0 is exposure u alone, u < 0 is group -u - 1.
struct Terms {
  std::vector<ExposureTerm> exposures;
  std::vector<GroupTerm> groups;
  std::vector<int> units;
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

/// The source and optics paths bound in `set` with their flat site coordinates (what enters
/// the PSF), or nullopt when the dither is bound (a sampled dither is no fixed crop).
std::optional<std::vector<std::pair<std::string, std::vector<int>>>> psf_binding(
    const model::Telescope& t, const model::ParameterSet& set, const std::vector<int>& global) {
  std::vector<std::pair<std::string, std::vector<int>>> out;
  for (std::size_t i = 0; i < set.paths().size(); ++i) {
    const model::ParameterEntry& e = t.impl().entries()[set.handles()[i]];
    if (e.path == "exposure.dither") return std::nullopt;
    if (e.component != model::Component::kSource && e.component != model::Component::kOptics)
      continue;
    std::vector<int> g(global.begin() + set.offset(i),
                       global.begin() + set.offset(i) + set.size(i));
    out.emplace_back(e.path, std::move(g));
  }
  return out;
}

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

ImagePosterior::ImagePosterior(std::vector<Exposure> exposures, std::vector<ParameterSite> sites,
                               PosteriorOptions options)
    : sites_(std::move(sites)) {
  if (exposures.empty()) throw_invalid("ImagePosterior", "exposures", "at least one is needed");
  if (options.threads < 1) {
    throw InvalidArgument(fmt::format(
        "ImagePosterior: threads = {}: must be >= 1 (threads per log-density evaluation)",
        options.threads));
  }

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

  // Shared-PSF groups: each exposure with the later ones that see its PSF shifted by whole
  // pixels and bind the same sites to its source and optics.
  if (options.share_psf) {
    std::vector<bool> grouped(exposures_.size(), false);
    for (std::size_t e = 0; e < exposures_.size(); ++e) {
      if (grouped[e]) continue;
      const Bound& a = exposures_[e];
      const auto bind_a = psf_binding(a.telescope, a.set, a.global);
      if (!bind_a) continue;
      std::vector<int> members = {static_cast<int>(e)};
      std::vector<model::Telescope> telescopes = {a.telescope};
      for (std::size_t f = e + 1; f < exposures_.size(); ++f) {
        const Bound& b = exposures_[f];
        if (grouped[f] || !model::shares_psf(a.telescope, b.telescope)) continue;
        if (psf_binding(b.telescope, b.set, b.global) != bind_a) continue;
        members.push_back(static_cast<int>(f));
        telescopes.push_back(b.telescope);
      }
      if (members.size() < 2) continue;
      Group g;
      g.shared = std::make_shared<const model::SharedPsf>(telescopes);
      std::vector<std::string> paths;
      for (const auto& [path, global] : *bind_a) {
        paths.push_back(path);
        g.global.insert(g.global.end(), global.begin(), global.end());
      }
      g.set = g.shared->wide().bind(paths);
      g.members = members;
      for (const int m : members) grouped[static_cast<std::size_t>(m)] = true;
      groups_.push_back(std::move(g));
    }
    num_units_ = n_exp;
    for (const Group& g : groups_) num_units_ -= static_cast<int>(g.members.size()) - 1;
  } else {
    num_units_ = n_exp;
  }
  threads_ = std::min(options.threads, num_units_);

  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const ParameterSite& s = sites_[i];
    const int n = site_sizes_[i];
    const int e0 = s.exposure < 0 ? 0 : s.exposure;
    // A vector-valued path stays a vector site even with one entry (name[1]).
    const bool is_vector =
        !is_read_noise(s) &&
        (exposures_[static_cast<std::size_t>(e0)].telescope.get(s.path).size() > 1 || n > 1);
    infer_sites_.push_back(is_vector ? infer::Site::vector(s.name, n, s.prior)
                                     : infer::Site::scalar(s.name, s.prior));
  }
  build_model();
}

ImagePosterior ImagePosterior::with_threads(int threads) const {
  if (threads < 1) {
    throw InvalidArgument(fmt::format(
        "ImagePosterior: threads = {}: must be >= 1 (threads per log-density evaluation)",
        threads));
  }
  ImagePosterior copy = *this;
  copy.threads_ = std::min(threads, num_units_);
  copy.build_model();
  return copy;
}

void ImagePosterior::build_model() {
  // The likelihood closure captures shared, immutable state only; per-chain buffers (and the
  // thread pool) live in the PosteriorWorkspace.
  auto terms = std::make_shared<Terms>();
  for (const Bound& b : exposures_) {
    terms->exposures.push_back({b.telescope, b.likelihood, b.set, b.global, b.read_noise});
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const Group& grp = groups_[g];
    terms->groups.push_back({grp.shared, grp.set, grp.global, grp.members});
    for (std::size_t k = 0; k < grp.members.size(); ++k) {
      ExposureTerm& t = terms->exposures[static_cast<std::size_t>(grp.members[k])];
      t.group = static_cast<int>(g);
      t.member = static_cast<int>(k);
    }
  }
  for (std::size_t e = 0; e < terms->exposures.size(); ++e) {
    const ExposureTerm& t = terms->exposures[e];
    if (t.group < 0) terms->units.push_back(static_cast<int>(e));
    if (t.member == 0) terms->units.push_back(-t.group - 1);
  }
  auto scales = std::make_shared<const std::vector<double>>(scales_);
  std::shared_ptr<const Terms> cterms = terms;
  infer::LogLikelihood loglik = [cterms, scales](std::span<const double> x,
                                                 std::span<double> grad_x,
                                                 infer::Workspace* ws_base) {
    auto& ws = static_cast<PosteriorWorkspace&>(*ws_base);
    auto fill = [&](const std::vector<int>& global, std::vector<double>& params) {
      for (std::size_t k = 0; k < global.size(); ++k) {
        const auto g = static_cast<std::size_t>(global[k]);
        params[k] = (*scales)[g] * x[g];
      }
    };
    // log L_e and d log L_e / d image into e's buffers (the read-noise cotangent too).
    auto likelihood = [&](const ExposureTerm& term, ExposureBuffers& buf) {
      if (term.read_noise < 0) {
        buf.value = term.likelihood->log_likelihood(buf.image, buf.image_bar);
      } else {
        // The sampled read noise s = scale x (photons): d log L/d x = scale d log L/d s.
        const auto g = static_cast<std::size_t>(term.read_noise);
        const double sigma = (*scales)[g] * x[g];
        buf.sigma_bar = 0.0;
        buf.value = term.likelihood->log_likelihood(buf.image, buf.image_bar, {&sigma, 1},
                                                    {&buf.sigma_bar, 1});
      }
    };
    // One unit's values and cotangents, into its own buffers only (any thread).
    auto one = [&](int ui) {
      const int unit = cterms->units[static_cast<std::size_t>(ui)];
      if (unit >= 0) {
        const auto e = static_cast<std::size_t>(unit);
        const ExposureTerm& term = cterms->exposures[e];
        ExposureBuffers& buf = ws.exposures[e];
        fill(term.global, buf.params);
        term.telescope.render(term.set, buf.params, *buf.telescope, buf.image);
        likelihood(term, buf);
        if (!std::isfinite(buf.value)) return;
        term.telescope.pullback(term.set, buf.image_bar, *buf.telescope, buf.params_bar);
        return;
      }
      // A shared-PSF group: one wide PSF, a window per member, one pullback of their sum.
      const auto gi = static_cast<std::size_t>(-unit - 1);
      const GroupTerm& grp = cterms->groups[gi];
      GroupBuffers& gb = ws.groups[gi];
      const model::Telescope& wide = grp.shared->wide();
      fill(grp.global, gb.params);
      wide.render(grp.set, gb.params, *gb.telescope, gb.psf);
      gb.psf_bar.setZero();
      bool finite = true;
      for (std::size_t k = 0; k < grp.members.size(); ++k) {
        const auto e = static_cast<std::size_t>(grp.members[k]);
        const ExposureTerm& term = cterms->exposures[e];
        ExposureBuffers& buf = ws.exposures[e];
        const int r0 = grp.shared->row0(static_cast<int>(k));
        const int c0 = grp.shared->col0(static_cast<int>(k));
        fill(term.global, buf.params);
        term.telescope.render_detector(term.set, buf.params, gb.psf, r0, c0, *buf.telescope,
                                       buf.image);
        likelihood(term, buf);
        if (!std::isfinite(buf.value)) {
          finite = false;
          continue;
        }
        term.telescope.pullback_detector(term.set, buf.image_bar, *buf.telescope, buf.params_bar,
                                         gb.psf_bar, r0, c0);
      }
      // No source or optics site: nothing upstream of the PSF needs its cotangent.
      if (finite && grp.set.size() > 0) {
        wide.pullback(grp.set, gb.psf_bar, *gb.telescope, gb.params_bar);
      }
    };
    const int n_units = static_cast<int>(cterms->units.size());
    if (ws.pool) {
      ws.pool->for_each(n_units, one);
    } else {
      for (int u = 0; u < n_units; ++u) one(u);
    }
    // The sums, in exposure order on this thread: the same bits for every thread count. A
    // group's PSF cotangent enters at its first member.
    auto scatter = [&](const std::vector<int>& global, const std::vector<double>& bar) {
      for (std::size_t k = 0; k < global.size(); ++k) {
        const auto g = static_cast<std::size_t>(global[k]);
        grad_x[g] += (*scales)[g] * bar[k];
      }
    };
    double total = 0.0;
    for (std::size_t e = 0; e < cterms->exposures.size(); ++e) {
      const ExposureTerm& term = cterms->exposures[e];
      const ExposureBuffers& buf = ws.exposures[e];
      if (!std::isfinite(buf.value)) return -std::numeric_limits<double>::infinity();
      if (term.read_noise >= 0) {
        const auto g = static_cast<std::size_t>(term.read_noise);
        grad_x[g] += (*scales)[g] * buf.sigma_bar;
      }
      scatter(term.global, buf.params_bar);
      if (term.member == 0) {
        const auto gi = static_cast<std::size_t>(term.group);
        scatter(cterms->groups[gi].global, ws.groups[gi].params_bar);
      }
      total += buf.value;
    }
    return total;
  };
  const int threads = threads_;
  infer::WorkspaceFactory factory = [cterms, threads]() -> std::unique_ptr<infer::Workspace> {
    auto ws = std::make_unique<PosteriorWorkspace>();
    for (const ExposureTerm& term : cterms->exposures) {
      ExposureBuffers buf;
      // A group member renders only its detector stages (no PSF engine buffers).
      buf.telescope = term.group < 0 ? term.telescope.make_workspace(term.set)
                                     : term.telescope.make_detector_workspace(term.set);
      buf.image.resize(term.telescope.image_rows(), term.telescope.image_cols());
      buf.image_bar.resize(term.telescope.image_rows(), term.telescope.image_cols());
      buf.params.assign(term.global.size(), 0.0);
      buf.params_bar.assign(term.global.size(), 0.0);
      ws->exposures.push_back(std::move(buf));
    }
    for (const GroupTerm& grp : cterms->groups) {
      const model::Telescope& wide = grp.shared->wide();
      GroupBuffers gb;
      gb.telescope = wide.make_workspace(grp.set);
      gb.psf.resize(wide.image_rows(), wide.image_cols());
      gb.psf_bar.resize(wide.image_rows(), wide.image_cols());
      gb.params.assign(grp.global.size(), 0.0);
      gb.params_bar.assign(grp.global.size(), 0.0);
      ws->groups.push_back(std::move(gb));
    }
    if (threads > 1) ws->pool = std::make_unique<detail::TaskPool>(threads);
    return ws;
  };
  model_ =
      std::make_shared<const infer::SiteModel>(infer_sites_, std::move(loglik), std::move(factory));
}

std::vector<std::vector<int>> ImagePosterior::shared_psf_groups() const {
  std::vector<std::vector<int>> out;
  for (const Group& g : groups_) out.push_back(g.members);
  return out;
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
