// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/structured_laplace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "airy/core/error.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/large_map.hpp"

namespace airy::pipeline {
namespace {

/// Bijectors that map each coordinate on its own (identity, bounds, intervals).
bool elementwise_bijector(const infer::Bijector& b) {
  const std::string name = b.name();
  for (const char* prefix :
       {"identity", "lower_bound(", "upper_bound(", "interval(", "elementwise_interval("}) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

/// Rows of dx/du of one site's bijector at u_s: row k = pullback(e_k) - pullback(0) (the
/// log-Jacobian gradient cancels). Shape (size, unconstrained_size).
RealMatrix site_dxdu(const infer::Bijector& b, std::span<const double> u,
                     std::span<const double> x) {
  const auto n = x.size(), m = u.size();
  std::vector<double> gx(n, 0.0), g0(m, 0.0), gk(m, 0.0);
  b.pullback(u, x, gx, g0);
  RealMatrix out(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(m));
  for (std::size_t k = 0; k < n; ++k) {
    std::fill(gk.begin(), gk.end(), 0.0);
    gx[k] = 1.0;
    b.pullback(u, x, gx, gk);
    gx[k] = 0.0;
    for (std::size_t j = 0; j < m; ++j) {
      out(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = gk[j] - g0[j];
    }
  }
  return out;
}

}  // namespace

LaplaceMethod parse_laplace_method(const std::string& name, const std::string& field) {
  if (name == "auto") return LaplaceMethod::kAuto;
  if (name == "dense") return LaplaceMethod::kDense;
  if (name == "structured") return LaplaceMethod::kStructured;
  throw InvalidArgument(
      fmt::format("{} = \"{}\": must be \"auto\", \"dense\" or \"structured\"", field, name));
}

int flat_field_site(const posterior::ImagePosterior& post) {
  const auto& sites = post.sites();
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].path == kFlatFieldPath && sites[i].exposure == -1) return static_cast<int>(i);
  }
  return -1;
}

bool use_structured(const config::Config& c, const posterior::ImagePosterior& post,
                    LaplaceMethod method) {
  const int fs = flat_field_site(post);
  const infer::SiteModel& model = post.log_density();
  if (method == LaplaceMethod::kDense) return false;
  if (fs < 0) {
    if (method == LaplaceMethod::kStructured) {
      throw InvalidArgument(fmt::format(
          "{}: --laplace structured needs a prior on \"{}\" (a flat field shared by the "
          "exposures); this config has none",
          c.source_name, kFlatFieldPath));
    }
    return false;
  }
  if (method == LaplaceMethod::kAuto && model.site_dim() <= kStructuredAbove) return false;
  // The flat field's Jacobian must be diagonal: nothing after pixel_response may mix pixels.
  bool after = false;
  for (std::size_t i = 0; i < c.detector.size(); ++i) {
    const std::string& t = c.detector[i].type;
    if (t == "pixel_response") {
      after = true;
    } else if (after && t != "background" && t != "saturation") {
      throw InvalidArgument(fmt::format(
          "{}: detector.layers[{}].type = \"{}\" after the pixel_response layer mixes pixels: "
          "the structured Laplace path needs the flat field on the final detector grid (put "
          "pixel_response after jitter and downsample, or use --laplace dense)",
          c.source_name, i, t));
    }
  }
  const auto& site = model.sites()[static_cast<std::size_t>(fs)];
  const bool separable = elementwise_bijector(*site.bijector) &&
                         (site.prior->event_size() == 1 ||
                          dynamic_cast<const infer::IndependentVector*>(site.prior.get()));
  if (!separable) {
    throw InvalidArgument(
        fmt::format("{}: priors.\"{}\": the structured Laplace path needs a prior per pixel (an "
                    "elementwise prior, not {})",
                    c.source_name, kFlatFieldPath, site.prior->describe()));
  }
  const auto& t = post.telescope(0);
  if (site.size != t.image_rows() * t.image_cols()) {
    throw InvalidArgument(fmt::format("{}: \"{}\" has {} entries but the detector has {}x{} pixels",
                                      c.source_name, kFlatFieldPath, site.size, t.image_rows(),
                                      t.image_cols()));
  }
  return true;
}

FlatFieldPieces flat_field_pieces(const posterior::ImagePosterior& post,
                                  std::span<const double> u) {
  const infer::SiteModel& model = post.log_density();
  const int fs = flat_field_site(post);
  if (fs < 0) throw InvalidArgument("flat_field_pieces: the posterior has no flat-field site");
  if (static_cast<int>(u.size()) != model.dim()) {
    throw InvalidArgument(
        fmt::format("flat_field_pieces: {} values for dimension {}", u.size(), model.dim()));
  }
  std::vector<double> x(static_cast<std::size_t>(model.output_dim()));
  model.constrain(u, x);
  FlatFieldPieces pc;
  const RealImage& data0 = post.likelihood(0).data();
  pc.rows = static_cast<int>(data0.rows());
  pc.cols = static_cast<int>(data0.cols());

  // Index sets and dx/du, site by site (sites are independent a priori and their bijectors
  // act on their own coordinates).
  std::vector<int> site_of_u(static_cast<std::size_t>(model.dim()), -1);
  std::vector<RealMatrix> blocks;
  for (std::size_t s = 0; s < model.sites().size(); ++s) {
    const infer::SiteSlice& sl = model.slices()[s];
    const auto us = u.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                              static_cast<std::size_t>(sl.unconstrained_size));
    const auto xs = std::span<const double>(x).subspan(static_cast<std::size_t>(sl.offset),
                                                       static_cast<std::size_t>(sl.size));
    for (int k = 0; k < sl.unconstrained_size; ++k) {
      site_of_u[static_cast<std::size_t>(sl.unconstrained_offset + k)] = static_cast<int>(s);
    }
    const infer::Bijector& b = *model.sites()[s].bijector;
    if (static_cast<int>(s) == fs) {
      // Elementwise: J^T 1 - J^T 0 is the diagonal.
      std::vector<double> ones(static_cast<std::size_t>(sl.size), 1.0),
          zeros(static_cast<std::size_t>(sl.size), 0.0), g1(us.size(), 0.0), g0(us.size(), 0.0);
      b.pullback(us, xs, ones, g1);
      b.pullback(us, xs, zeros, g0);
      pc.flat_dxdu.resize(sl.size);
      for (int k = 0; k < sl.size; ++k) {
        pc.flat_u.push_back(sl.unconstrained_offset + k);
        pc.flat_x.push_back(sl.offset + k);
        pc.flat_dxdu[k] = g1[static_cast<std::size_t>(k)] - g0[static_cast<std::size_t>(k)];
      }
      continue;
    }
    for (int k = 0; k < sl.size; ++k) pc.global_x.push_back(sl.offset + k);
    for (int k = 0; k < sl.unconstrained_size; ++k)
      pc.global_u.push_back(sl.unconstrained_offset + k);
    blocks.push_back(site_dxdu(b, us, xs));
  }
  const auto ngx = static_cast<Eigen::Index>(pc.global_x.size());
  const auto ngu = static_cast<Eigen::Index>(pc.global_u.size());
  pc.global_dxdu = RealMatrix::Zero(ngx, ngu);
  {
    Eigen::Index r = 0, col = 0;
    for (const RealMatrix& b : blocks) {
      pc.global_dxdu.block(r, col, b.rows(), b.cols()) = b;
      r += b.rows();
      col += b.cols();
    }
  }
  const auto npix = static_cast<Eigen::Index>(pc.flat_u.size());
  if (npix != data0.size()) {
    throw InvalidArgument(fmt::format(
        "flat_field_pieces: the flat field has {} entries for {} pixels", npix, data0.size()));
  }

  // Priors in u: the flat field's curvature diagonal, the globals' dense block.
  const std::vector<double> curvature = posterior::prior_curvature_diagonal(model, u);
  pc.flat_prior.resize(npix);
  for (Eigen::Index p = 0; p < npix; ++p) {
    pc.flat_prior[p] =
        std::max(0.0, curvature[static_cast<std::size_t>(pc.flat_u[static_cast<std::size_t>(p)])]);
  }
  pc.global_prior = RealMatrix::Zero(ngu, ngu);
  {
    std::vector<double> up(u.begin(), u.end()), gp(u.size()), gm(u.size());
    for (Eigen::Index j = 0; j < ngu; ++j) {
      const auto i = static_cast<std::size_t>(pc.global_u[static_cast<std::size_t>(j)]);
      const double h = 1e-5 * std::max(1.0, std::abs(u[i]));
      up[i] = u[i] + h;
      (void)model.log_prior_gradient(up, gp);
      up[i] = u[i] - h;
      (void)model.log_prior_gradient(up, gm);
      up[i] = u[i];
      for (Eigen::Index k = 0; k < ngu; ++k) {
        const auto r = static_cast<std::size_t>(pc.global_u[static_cast<std::size_t>(k)]);
        pc.global_prior(k, j) = -(gp[r] - gm[r]) / (2.0 * h);
      }
    }
    pc.global_prior = (0.5 * (pc.global_prior + pc.global_prior.transpose())).eval();
  }

  // Finite-difference steps of the globals in u.
  std::vector<double> step(static_cast<std::size_t>(ngu));
  for (Eigen::Index j = 0; j < ngu; ++j) {
    const auto i = static_cast<std::size_t>(pc.global_u[static_cast<std::size_t>(j)]);
    const double c = curvature[i];
    step[static_cast<std::size_t>(j)] =
        c > 0.0 && std::isfinite(c) ? 1e-3 / std::sqrt(c) : 1e-3 * std::max(1.0, std::abs(u[i]));
  }

  const std::vector<double>& scale = post.scales();
  for (int e = 0; e < post.num_exposures(); ++e) {
    const model::Telescope& t = post.telescope(e);
    const model::ParameterSet& set = post.parameter_set(e);
    const std::vector<int>& global = post.global_indices(e);
    // k of each site coordinate in this exposure's parameter vector (-1: not bound here).
    std::vector<int> k_of_x(x.size(), -1);
    for (std::size_t k = 0; k < global.size(); ++k)
      k_of_x[static_cast<std::size_t>(global[k])] = static_cast<int>(k);
    std::vector<double> p(global.size()), p_bar(global.size());
    for (std::size_t k = 0; k < global.size(); ++k) {
      const auto g = static_cast<std::size_t>(global[k]);
      p[k] = scale[g] * x[g];
    }
    auto ws = t.make_workspace(set);
    RealImage mu, bar;
    t.render(set, p, *ws, mu);
    posterior::FlatFieldExposure fe;
    const RealImage w = posterior::fisher_weights(post.likelihood(e), mu);
    fe.weight = Eigen::Map<const RealVector>(w.data(), w.size());
    bar = RealImage::Ones(mu.rows(), mu.cols());
    t.pullback(set, bar, *ws, p_bar);
    fe.flat_jacobian.resize(npix);
    for (Eigen::Index q = 0; q < npix; ++q) {
      const auto xi = static_cast<std::size_t>(pc.flat_x[static_cast<std::size_t>(q)]);
      const int k = k_of_x[xi];
      fe.flat_jacobian[q] =
          k < 0 ? 0.0 : scale[xi] * p_bar[static_cast<std::size_t>(k)] * pc.flat_dxdu[q];
    }
    // J_g by 5-point central differences in u, one site's x recomputed per step.
    fe.global_jacobian = RealMatrix::Zero(npix, ngu);
    RealImage img;
    std::vector<double> us, xs;
    for (Eigen::Index j = 0; j < ngu; ++j) {
      const auto ui = static_cast<std::size_t>(pc.global_u[static_cast<std::size_t>(j)]);
      const auto s = static_cast<std::size_t>(site_of_u[ui]);
      const infer::SiteSlice& sl = model.slices()[s];
      bool bound = false;
      for (int k = 0; k < sl.size; ++k)
        bound |= k_of_x[static_cast<std::size_t>(sl.offset + k)] >= 0;
      if (!bound) continue;  // another exposure's own parameter
      us.assign(u.begin() + sl.unconstrained_offset,
                u.begin() + sl.unconstrained_offset + sl.unconstrained_size);
      xs.assign(static_cast<std::size_t>(sl.size), 0.0);
      const double h = step[static_cast<std::size_t>(j)];
      const auto local = ui - static_cast<std::size_t>(sl.unconstrained_offset);
      auto column = fe.global_jacobian.col(j);
      for (const auto& [mult, weight] : {std::pair{-2.0, 1.0}, std::pair{-1.0, -8.0},
                                         std::pair{1.0, 8.0}, std::pair{2.0, -1.0}}) {
        us[local] = u[ui] + mult * h;
        (void)model.sites()[s].bijector->forward(us, xs);
        // The site's entries of p at the step, restored after the render (no copy of p).
        for (int k = 0; k < sl.size; ++k) {
          const int kk = k_of_x[static_cast<std::size_t>(sl.offset + k)];
          if (kk >= 0)
            p[static_cast<std::size_t>(kk)] =
                scale[static_cast<std::size_t>(sl.offset + k)] * xs[static_cast<std::size_t>(k)];
        }
        t.render(set, p, *ws, img);
        for (int k = 0; k < sl.size; ++k) {
          const int kk = k_of_x[static_cast<std::size_t>(sl.offset + k)];
          if (kk >= 0)
            p[static_cast<std::size_t>(kk)] = scale[static_cast<std::size_t>(sl.offset + k)] *
                                              x[static_cast<std::size_t>(sl.offset + k)];
        }
        column += (weight / (12.0 * h)) * Eigen::Map<const RealVector>(img.data(), img.size());
      }
    }
    const int rn = post.read_noise_index(e);
    if (rn < 0) {
      pc.exposures.push_back(std::move(fe));
      continue;
    }
    // A sampled read noise s changes only the variance. Pixel p's information for N(m, v) is
    // (1/v) g g^T + (1/(2 v^2)) h h^T with g = dm/du and h = dv/du = [photon, mu > 0] g +
    // 2 s ds/du e_s (v = max(mu, 0) + s^2; the Gaussian kind's v = s^2 ignores mu): two rank-one
    // terms per pixel, i.e. two "exposures" of flat_field_laplace with the same pixels.
    const posterior::ImageLikelihood& like = post.likelihood(e);
    const auto g = static_cast<std::size_t>(rn);
    const double sigma = scale[g] * x[g];
    const bool photon = like.kind() != posterior::LikelihoodKind::kGaussian;
    posterior::FlatFieldExposure var;
    var.weight.resize(npix);
    var.flat_jacobian.resize(npix);
    var.global_jacobian = fe.global_jacobian;
    for (Eigen::Index q = 0; q < npix; ++q) {
      const double m = mu.data()[q];
      const bool gate = photon && m > 0.0;
      const double v = (gate ? m : 0.0) + sigma * sigma;
      const bool masked = like.mask().data()[q] != 0;
      fe.weight[q] = masked ? 0.0 : 1.0 / v;
      var.weight[q] = masked ? 0.0 : 1.0 / (2.0 * v * v);
      var.flat_jacobian[q] = gate ? fe.flat_jacobian[q] : 0.0;
      if (!gate) var.global_jacobian.row(q).setZero();
    }
    // ds/du from the globals' dx/du: the read noise is a scalar site (one x, one u).
    Eigen::Index row = -1, col = -1;
    for (const infer::SiteSlice& sl : model.slices()) {
      if (sl.offset != rn) continue;
      for (std::size_t j = 0; j < pc.global_x.size(); ++j) {
        if (pc.global_x[j] == rn) row = static_cast<Eigen::Index>(j);
      }
      for (std::size_t j = 0; j < pc.global_u.size(); ++j) {
        if (pc.global_u[j] == sl.unconstrained_offset) col = static_cast<Eigen::Index>(j);
      }
    }
    if (row < 0 || col < 0) {
      throw InvalidArgument("flat_field_pieces: the read-noise site is not among the globals");
    }
    var.global_jacobian.col(col).setConstant(2.0 * sigma * scale[g] * pc.global_dxdu(row, col));
    pc.exposures.push_back(std::move(fe));
    pc.exposures.push_back(std::move(var));
  }
  return pc;
}

std::vector<double> laplace_diagonal_scales(const FlatFieldPieces& pc, int dim) {
  std::vector<double> c(static_cast<std::size_t>(dim), 0.0);
  for (std::size_t q = 0; q < pc.flat_u.size(); ++q) {
    double a = pc.flat_prior[static_cast<Eigen::Index>(q)];
    for (const auto& e : pc.exposures) {
      const auto i = static_cast<Eigen::Index>(q);
      a += e.weight[i] * e.flat_jacobian[i] * e.flat_jacobian[i];
    }
    c[static_cast<std::size_t>(pc.flat_u[q])] = a;
  }
  for (std::size_t j = 0; j < pc.global_u.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    double d = pc.global_prior(jj, jj);
    for (const auto& e : pc.exposures) {
      d += (e.weight.array() * e.global_jacobian.col(jj).array().square()).sum();
    }
    c[static_cast<std::size_t>(pc.global_u[j])] = d;
  }
  return posterior::scale_from_curvature(c);
}

StructuredLaplace structured_laplace(const posterior::ImagePosterior& post,
                                     std::span<const double> values) {
  const auto t0 = std::chrono::steady_clock::now();
  const infer::SiteModel& model = post.log_density();
  const int n = model.site_dim();
  if (static_cast<int>(values.size()) != n) {
    throw InvalidArgument(
        fmt::format("structured_laplace: {} values given for {} parameters", values.size(), n));
  }
  std::vector<double> u(static_cast<std::size_t>(model.dim()));
  if (!model.unconstrain(values, u)) {
    throw InvalidArgument("structured_laplace: values outside the priors' support");
  }
  const FlatFieldPieces pc = flat_field_pieces(post, u);
  StructuredLaplace s;
  s.names = model.output_names();
  s.names.resize(static_cast<std::size_t>(n));
  s.units = post.output_units();
  s.values.assign(values.begin(), values.end());
  s.global_x = pc.global_x;
  s.laplace_sd.assign(static_cast<std::size_t>(n), 0.0);
  s.crb.assign(static_cast<std::size_t>(n), std::numeric_limits<double>::quiet_NaN());

  const posterior::FlatFieldLaplace lap =
      posterior::flat_field_laplace(pc.exposures, pc.flat_prior, pc.global_prior);
  s.global_covariance = pc.global_dxdu * lap.global_covariance * pc.global_dxdu.transpose();
  s.flat_sd.resize(pc.rows, pc.cols);
  s.flat_crb = RealImage::Constant(pc.rows, pc.cols, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t q = 0; q < pc.flat_x.size(); ++q) {
    const auto i = static_cast<Eigen::Index>(q);
    const double sd = std::abs(pc.flat_dxdu[i]) * lap.flat_sd[i];
    s.laplace_sd[static_cast<std::size_t>(pc.flat_x[q])] = sd;
    s.flat_sd.data()[i] = sd;  // row-major (y, x) as the map's path
  }
  for (std::size_t j = 0; j < pc.global_x.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    s.laplace_sd[static_cast<std::size_t>(pc.global_x[j])] = std::sqrt(s.global_covariance(jj, jj));
  }
  s.unconstrained_variance.assign(static_cast<std::size_t>(model.dim()), 0.0);
  for (std::size_t q = 0; q < pc.flat_u.size(); ++q) {
    s.unconstrained_variance[static_cast<std::size_t>(pc.flat_u[q])] =
        lap.flat_variance[static_cast<Eigen::Index>(q)];
  }
  for (std::size_t j = 0; j < pc.global_u.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    s.unconstrained_variance[static_cast<std::size_t>(pc.global_u[j])] =
        lap.global_covariance(jj, jj);
  }
  for (const double sc : laplace_diagonal_scales(pc, model.dim())) {
    s.unconstrained_conditional_variance.push_back(sc * sc);
  }
  // The Cramér-Rao bounds: the same with no priors, when the data alone determine every
  // parameter (a free flux and a flat field without prior do not: f -> s f, flux -> flux / s).
  try {
    const posterior::FlatFieldLaplace crb = posterior::flat_field_laplace(
        pc.exposures, RealVector::Zero(pc.flat_prior.size()),
        RealMatrix::Zero(pc.global_prior.rows(), pc.global_prior.cols()));
    const RealMatrix cov = pc.global_dxdu * crb.global_covariance * pc.global_dxdu.transpose();
    for (std::size_t q = 0; q < pc.flat_x.size(); ++q) {
      const auto i = static_cast<Eigen::Index>(q);
      const double sd = std::abs(pc.flat_dxdu[i]) * crb.flat_sd[i];
      s.crb[static_cast<std::size_t>(pc.flat_x[q])] = sd;
      s.flat_crb.data()[i] = sd;
    }
    for (std::size_t j = 0; j < pc.global_x.size(); ++j) {
      const auto jj = static_cast<Eigen::Index>(j);
      s.crb[static_cast<std::size_t>(pc.global_x[j])] = std::sqrt(cov(jj, jj));
    }
  } catch (const InvalidArgument& e) {
    s.crb_note = fmt::format("no Cramér-Rao bounds (the Fisher information alone is singular: {})",
                             e.what());
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

std::string structured_csv(const StructuredLaplace& s, const std::string& value_label) {
  std::string out = fmt::format("parameter,unit,{},crb,laplace_sd\n", value_label);
  for (std::size_t i = 0; i < s.names.size(); ++i) {
    out += fmt::format("{},{},{:.12g},{:.10g},{:.10g}\n", s.names[i], s.units[i], s.values[i],
                       s.crb[i], s.laplace_sd[i]);
  }
  return out;
}

std::string structured_table(const StructuredLaplace& s, const std::string& value_label) {
  std::string t = fmt::format("{:>18} {:>14} {:>12} {:>12}  {}\n", "parameter", value_label, "CRB",
                              "Laplace sd", "unit");
  for (const int i : s.global_x) {
    const auto k = static_cast<std::size_t>(i);
    t += fmt::format("{:>18} {:>14.6g} {:>12.4g} {:>12.4g}  {}\n", s.names[k], s.values[k],
                     s.crb[k], s.laplace_sd[k], s.units[k].empty() ? "-" : s.units[k]);
  }
  const auto& f = s.flat_sd;
  std::vector<double> v(f.data(), f.data() + f.size());
  std::sort(v.begin(), v.end());
  t += fmt::format(
      "flat field ({}x{} = {} pixels): Laplace sd min {:.4g}, median {:.4g}, max {:.4g} "
      "(flat_field_sd.fits)\n",
      f.rows(), f.cols(), f.size(), v.front(), v[v.size() / 2], v.back());
  if (!s.crb_note.empty()) t += s.crb_note + "\n";
  t += fmt::format(
      "Laplace sds of all {} parameters by the Schur complement of the flat field "
      "(docs/fisher.md section 8), {:.2f} s\n",
      s.names.size(), s.seconds);
  return t;
}

std::string global_covariance_csv(const StructuredLaplace& s) {
  std::string out = "parameter";
  for (const int i : s.global_x) out += "," + s.names[static_cast<std::size_t>(i)];
  out += "\n";
  for (Eigen::Index r = 0; r < s.global_covariance.rows(); ++r) {
    out += s.names[static_cast<std::size_t>(s.global_x[static_cast<std::size_t>(r)])];
    for (Eigen::Index c = 0; c < s.global_covariance.cols(); ++c) {
      out += fmt::format(",{:.10g}", s.global_covariance(r, c));
    }
    out += "\n";
  }
  return out;
}

}  // namespace airy::pipeline
