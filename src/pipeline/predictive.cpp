// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief posterior.nc beyond the draws: observed images, parameter dims and units, per-pixel
/// log likelihood and posterior-predictive replicates.
#include "pipeline/predictive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <thread>

#include "airy/core/error.hpp"

namespace airy::pipeline {
namespace {

std::string leaf_of(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

long long square_side(int size) {
  const auto n = static_cast<long long>(std::llround(std::sqrt(static_cast<double>(size))));
  return n * n == size ? n : 0;
}

std::vector<long long> iota(long long n) {
  std::vector<long long> v(static_cast<std::size_t>(n));
  for (long long i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

/// The dims of one vector site from its path (see describe_parameters), or {} for the
/// writer's default `<name>_dim_0`.
std::vector<io::NamedDim> site_dims(const config::Config& c, const std::string& path, int size) {
  const std::string leaf = leaf_of(path);
  if (leaf == "coefficients" && c.optics.noll.size() == static_cast<std::size_t>(size)) {
    return {{"noll", std::vector<long long>(c.optics.noll.begin(), c.optics.noll.end()), {}}};
  }
  if (leaf == "positions" && size % 2 == 0) {
    return {{"star", iota(size / 2), {}}, {"axis", {}, {"x", "y"}}};
  }
  if ((leaf == "dither" || leaf == "angles") && size == 2) return {{"axis", {}, {"x", "y"}}};
  if ((leaf == "map" || leaf == "transmission") && square_side(size) > 1) {
    const long long n = square_side(size);
    return {{leaf + "_y", iota(n), {}}, {leaf + "_x", iota(n), {}}};
  }
  return {};
}

/// A parameter's unit as astropy.units / UDUNITS spell it: "photon", not the plural the
/// telescope's paths use ("photons": background, fluxes, read noise), as the images' BUNIT and
/// units already are; "log10 photons" likewise "log10 photon".
std::string netcdf_unit(std::string unit) {
  const auto at = unit.find("photons");
  if (at != std::string::npos && at + 7 == unit.size()) unit.pop_back();
  return unit;
}

}  // namespace

RealImage masked_as_nan(const posterior::ImageLikelihood& like, RealImage image) {
  if (image.rows() != like.mask().rows() || image.cols() != like.mask().cols()) {
    throw InvalidArgument(fmt::format("masked_as_nan: image is {}x{}, the likelihood's data {}x{}",
                                      image.rows(), image.cols(), like.mask().rows(),
                                      like.mask().cols()));
  }
  for (Eigen::Index i = 0; i < image.size(); ++i) {
    if (like.mask().data()[i] != 0) image.data()[i] = std::numeric_limits<double>::quiet_NaN();
  }
  return image;
}

std::string observed_name(const posterior::ImagePosterior& post, int e) {
  if (post.num_exposures() == 1) return "image";
  const std::string& label = post.exposure_name(e);
  return io::netcdf_name("image_" + (label.empty() ? std::to_string(e) : label));
}

void describe_parameters(const config::Config& c, const posterior::ImagePosterior& post,
                         io::InferenceDataOptions& nc) {
  // observed_data: every exposure; exposures of another shape than the first get their own dims.
  const int n = post.num_exposures();
  for (int e = 0; e < n; ++e) {
    io::ObservedImage o;
    o.name = observed_name(post, e);
    // Masked pixels are no data of the likelihood: NaN, so that az.plot_ppc and any
    // nan-aware statistic leave them out (a flagged pixel's raw value is not data).
    o.image = masked_as_nan(post.likelihood(e), post.likelihood(e).data());
    const RealImage& first = post.likelihood(0).data();
    if (o.image.rows() != first.rows() || o.image.cols() != first.cols()) {
      o.y_dim = "y_" + o.name;
      o.x_dim = "x_" + o.name;
    }
    nc.observed.push_back(std::move(o));
  }
  // Units and dims per site; a dim name met again with another size is made the site's own.
  const std::vector<std::string> units = post.output_units();
  const auto& sites = post.log_density().sites();
  const auto& slices = post.log_density().slices();
  std::map<std::string, std::size_t> dim_sizes;
  for (std::size_t s = 0; s < sites.size() && s < post.sites().size(); ++s) {
    const std::string base = io::netcdf_name(sites[s].name);
    const auto offset = static_cast<std::size_t>(slices[s].offset);
    if (offset < units.size() && !units[offset].empty())
      nc.units[base] = netcdf_unit(units[offset]);
    if (!sites[s].is_vector) continue;
    std::vector<io::NamedDim> dims = site_dims(c, post.sites()[s].path, sites[s].size);
    for (io::NamedDim& d : dims) {
      auto [it, fresh] = dim_sizes.emplace(d.name, d.size());
      if (!fresh && it->second != d.size()) d.name = base + "_" + d.name;
    }
    if (!dims.empty()) nc.dims[base] = std::move(dims);
  }
}

std::vector<std::string> structured_output_names(const config::Config& c,
                                                 const posterior::ImagePosterior& post) {
  std::vector<std::string> names = post.log_density().output_names();
  const auto& sites = post.log_density().sites();
  const auto& slices = post.log_density().slices();
  for (std::size_t s = 0; s < sites.size() && s < post.sites().size(); ++s) {
    if (!sites[s].is_vector) continue;
    const std::vector<io::NamedDim> dims = site_dims(c, post.sites()[s].path, sites[s].size);
    if (dims.size() != 2) continue;
    const std::size_t cols = dims[1].size();
    for (int k = 0; k < slices[s].size; ++k) {
      const auto i = static_cast<std::size_t>(slices[s].offset + k);
      const auto u = static_cast<std::size_t>(k);
      if (i < names.size())
        names[i] = fmt::format("{}[{},{}]", sites[s].name, u / cols + 1, u % cols + 1);
    }
  }
  return names;
}

void replicate(const posterior::ImageLikelihood& like, const RealImage& model, Rng& rng,
               double* out) {
  replicate(like, model, like.sigma(), rng, out);
}

PredictiveChoice choose_predictive(const config::OutputConfig& o,
                                   const posterior::ImagePosterior& post, std::size_t num_chains,
                                   std::size_t num_draws) {
  PredictiveChoice c;
  if (num_chains == 0 || num_draws == 0) {
    c.log_likelihood_reason = c.posterior_predictive_reason = "not written: no draws";
    return c;
  }
  double unmasked = 0.0, pixels = 0.0;
  for (int e = 0; e < post.num_exposures(); ++e) {
    const auto& like = post.likelihood(e);
    pixels += static_cast<double>(like.data().size());
    // Without masked pixels the group keeps the (y, x) layout of observed_data.
    unmasked += static_cast<double>(like.data().size() - like.num_masked());
  }
  // Several exposures: the joint variable `image` holds every unmasked pixel once more.
  if (post.num_exposures() > 1) unmasked *= 2.0;
  const auto per_chain = std::clamp<std::size_t>(
      static_cast<std::size_t>(o.posterior_predictive_draws) / num_chains, 1, num_draws);
  for (std::size_t j = 0; j < per_chain; ++j) {
    c.predictive_draws.push_back(static_cast<long long>(j * num_draws / per_chain));
  }
  const double limit = o.auto_max_megabytes;
  auto decide = [&](const char* key, const std::string& mode, double megabytes, bool* on,
                    std::string* why) {
    *on = mode == "true" || (mode == "auto" && megabytes <= limit);
    *why = fmt::format("{} ({} = {}{}: {:.4g} MB)", *on ? "written" : "not written", key,
                       mode == "auto" ? "\"auto\"" : mode,
                       mode == "auto" ? fmt::format(", limit {:.4g} MB", limit) : std::string(),
                       megabytes);
  };
  const double draws = static_cast<double>(num_chains * num_draws);
  decide("log_likelihood", o.log_likelihood, 8.0 * draws * unmasked / 1e6, &c.log_likelihood,
         &c.log_likelihood_reason);
  const double replicated = static_cast<double>(num_chains * per_chain);
  decide("posterior_predictive", o.posterior_predictive, 8.0 * replicated * pixels / 1e6,
         &c.posterior_predictive, &c.posterior_predictive_reason);
  return c;
}

void add_predictive_groups(const posterior::ImagePosterior& post, const infer::Run& run,
                           const PredictiveChoice& choice, std::uint64_t seed, int num_threads,
                           io::InferenceDataOptions& nc) {
  if ((!choice.log_likelihood && !choice.posterior_predictive) || run.chains.empty()) return;
  const std::size_t nchain = run.chains.size();
  std::size_t ndraw = std::numeric_limits<std::size_t>::max();
  for (const auto& ch : run.chains) {
    ndraw = std::min(ndraw, static_cast<std::size_t>(std::max(ch.num_draws(), 0)));
  }
  if (ndraw == 0) return;
  const int n_exp = post.num_exposures();
  const std::size_t site_dim = static_cast<std::size_t>(post.log_density().site_dim());
  std::vector<posterior::PointwiseLikelihood> pointwise;
  if (choice.log_likelihood) {
    for (int e = 0; e < n_exp; ++e) pointwise.emplace_back(post.likelihood(e));
  }
  std::vector<std::size_t> npix;
  for (int e = 0; e < n_exp; ++e) {
    npix.push_back(static_cast<std::size_t>(post.likelihood(e).data().size()));
  }
  // Which thinned index (or none) each post-warmup draw is in posterior_predictive.
  std::vector<int> thinned(ndraw, -1);
  const std::size_t k = choice.posterior_predictive ? choice.predictive_draws.size() : 0;
  for (std::size_t j = 0; j < k; ++j) {
    thinned[static_cast<std::size_t>(choice.predictive_draws[j])] = static_cast<int>(j);
  }
  // Full per-pixel arrays, (chain, draw, pixel) per exposure; compacted below.
  std::vector<std::vector<double>> ll(static_cast<std::size_t>(n_exp));
  std::vector<std::vector<double>> pp(static_cast<std::size_t>(n_exp));
  for (int e = 0; e < n_exp; ++e) {
    const auto ue = static_cast<std::size_t>(e);
    if (choice.log_likelihood) ll[ue].resize(nchain * ndraw * npix[ue]);
    if (k > 0) pp[ue].resize(nchain * k * npix[ue]);
  }
  // Every task (chain, draw) writes its own slots: threads share nothing mutable.
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::vector<double> values(site_dim);
    // This thread's renderers: one workspace per exposure for all its draws.
    std::vector<posterior::ExposureRenderer> renderers;
    for (int e = 0; e < n_exp; ++e) renderers.emplace_back(post, e);
    for (std::size_t t = next++; t < nchain * ndraw; t = next++) {
      const std::size_t c = t / ndraw, i = t % ndraw;
      const int j = thinned[i];
      if (!choice.log_likelihood && j < 0) continue;
      const infer::Chain& ch = run.chains[c];
      const auto row =
          static_cast<Eigen::Index>(ch.num_warmup_saved) + static_cast<Eigen::Index>(i);
      for (std::size_t v = 0; v < site_dim; ++v) {
        values[v] = ch.draws(row, static_cast<Eigen::Index>(v));
      }
      Rng rng(seed, (std::uint64_t{1} << 40) + c * k + static_cast<std::size_t>(std::max(j, 0)));
      for (int e = 0; e < n_exp; ++e) {
        const auto ue = static_cast<std::size_t>(e);
        const RealImage& model = renderers[ue].render(values);
        const double sigma = renderers[ue].sigma(values);
        if (choice.log_likelihood) pointwise[ue].evaluate(model, sigma, &ll[ue][t * npix[ue]]);
        if (j >= 0) {
          const std::size_t slot = (c * k + static_cast<std::size_t>(j)) * npix[ue];
          replicate(post.likelihood(e), model, sigma, rng, &pp[ue][slot]);
        }
      }
    }
  };
  unsigned threads = num_threads > 0 ? static_cast<unsigned>(num_threads)
                                     : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, nchain * ndraw));
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();

  if (choice.log_likelihood) {
    io::DrawGroup g;
    g.draws = iota(static_cast<long long>(ndraw));
    if (n_exp > 1) {
      // ArviZ's loo/waic/compare take one variable (var_name): the joint model's pointwise
      // log likelihood is every exposure's unmasked pixels in one dim, exposure by exposure
      // (in each, row-major), written first so that it is the group's first variable.
      io::DrawArray a;
      a.name = "image";
      std::string offsets;
      std::size_t total = 0;
      for (int e = 0; e < n_exp; ++e) {
        offsets += fmt::format("{}{}:{}", e == 0 ? "" : ",", observed_name(post, e), total);
        total += pointwise[static_cast<std::size_t>(e)].num_unmasked();
      }
      a.long_name =
          "log likelihood of each unmasked pixel of every exposure (the joint model; pixel "
          "ranges start at " +
          offsets + ")";
      a.dims = {{"pixel", iota(static_cast<long long>(total)), {}}};
      a.values.reserve(nchain * ndraw * total);
      for (std::size_t t = 0; t < nchain * ndraw; ++t) {
        for (int e = 0; e < n_exp; ++e) {
          const auto ue = static_cast<std::size_t>(e);
          for (std::size_t p : pointwise[ue].unmasked())
            a.values.push_back(ll[ue][t * npix[ue] + p]);
        }
      }
      g.arrays.push_back(std::move(a));
    }
    for (int e = 0; e < n_exp; ++e) {
      const auto ue = static_cast<std::size_t>(e);
      const auto& like = post.likelihood(e);
      io::DrawArray a;
      a.name = observed_name(post, e);
      a.long_name = "log likelihood of each pixel's data (natural log of the " +
                    posterior::likelihood_name(like.kind()) + " density of the data in photons)";
      const io::ObservedImage& o = nc.observed.at(ue);
      if (like.num_masked() == 0) {
        a.dims = {{o.y_dim, iota(like.data().rows()), {}}, {o.x_dim, iota(like.data().cols()), {}}};
        a.values = std::move(ll[ue]);
      } else {
        // Masked pixels are not in the likelihood, so not in the group (az.loo sums it all).
        const std::vector<std::size_t>& keep = pointwise[ue].unmasked();
        std::vector<long long> coords(keep.begin(), keep.end());
        a.dims = {{"pixel_" + a.name, coords, {}}};
        a.values.reserve(nchain * ndraw * keep.size());
        for (std::size_t t = 0; t < nchain * ndraw; ++t) {
          for (std::size_t p : keep) a.values.push_back(ll[ue][t * npix[ue] + p]);
        }
      }
      g.arrays.push_back(std::move(a));
    }
    nc.log_likelihood = std::move(g);
  }
  if (k > 0) {
    io::DrawGroup g;
    g.draws = choice.predictive_draws;
    for (int e = 0; e < n_exp; ++e) {
      const auto ue = static_cast<std::size_t>(e);
      const auto& like = post.likelihood(e);
      const io::ObservedImage& o = nc.observed.at(ue);
      io::DrawArray a;
      a.name = observed_name(post, e);
      a.units = "photon";
      a.long_name = "replicated data: the model of the draw plus " +
                    posterior::likelihood_name(like.kind()) + " noise (NaN: masked pixel)";
      a.dims = {{o.y_dim, iota(like.data().rows()), {}}, {o.x_dim, iota(like.data().cols()), {}}};
      a.values = std::move(pp[ue]);
      g.arrays.push_back(std::move(a));
    }
    nc.posterior_predictive = std::move(g);
  }
}

}  // namespace airy::pipeline
