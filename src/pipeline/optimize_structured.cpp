// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy optimize` for a posterior with a flat field at 10^3-10^6 parameters: L-BFGS on
/// coordinates scaled by the Laplace diagonal (posterior::maximize_scaled, no learning rate),
/// then every parameter's sd by the flat field's Schur complement (docs/calibration.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/core/stop.hpp"
#include "airy/io/fits.hpp"
#include "airy/posterior/large_map.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/optimize_structured.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {

StructuredOptimize structured_map(const config::Config& c, const posterior::ImagePosterior& post,
                                  int num_starts, bool from_config) {
  const infer::SiteModel& model = post.log_density();
  if (const std::string issue = model.prior_reference_issue(); num_starts > 0 && !issue.empty()) {
    throw InvalidArgument(fmt::format(
        "{}: optimize: the starts are drawn from the priors, which needs proper priors: {}",
        c.source_name, issue));
  }
  StructuredOptimize so;
  posterior::OptimizeResult& res = so.result;
  res.names = model.output_names();
  res.names.resize(static_cast<std::size_t>(model.site_dim()));
  res.units = post.output_units();
  const auto n = static_cast<std::size_t>(model.dim());
  std::vector<double> u(n), g(n), x(static_cast<std::size_t>(model.output_dim()));
  auto ws = model.make_workspace();
  so.table = fmt::format(
      "L-BFGS MAP (maximize_scaled: coordinates scaled by the Laplace diagonal at each start, "
      "NLopt LD_LBFGS), {} parameters, {}\n",
      model.site_dim(),
      from_config ? (num_starts > 0 ? fmt::format("from the configured values, then {} starts "
                                                  "from the priors",
                                                  num_starts)
                                    : std::string("from the configured values"))
                  : fmt::format("{} starts from the priors", num_starts));
  so.table +=
      fmt::format("{:>5} {:>16} {:>10} {:>10} {:>6} {:>6} {:>8}  {}\n", "start", "log posterior",
                  "|grad|", "max|s g|", "iters", "evals", "seconds", "stopped because");
  std::string csv =
      "start,objective,gradient_norm,scaled_gradient_max,iterations,evaluations,seconds,reason,"
      "best\n";
  std::vector<posterior::LargeMapResult> runs;
  double total = 0.0;
  for (int s = from_config ? -1 : 0; s < num_starts; ++s) {
    if (stop_requested()) {
      res.interrupted = true;
      break;
    }
    bool found = false;
    if (s < 0) {
      const std::vector<double> v = post.current_values();
      found = model.unconstrain(v, u) && std::isfinite(model.log_density_gradient(u, g, ws.get()));
      if (!found) {
        throw InvalidArgument(fmt::format(
            "{}: optimize --init config: the configured values are outside the priors' support "
            "or have a non-finite log density",
            c.source_name));
      }
    }
    Rng rng(c.sampler.seed, static_cast<std::uint64_t>(std::max(s, 0)));
    for (int t = 0; t < 100 && !found; ++t) {
      model.sample_prior(rng, u);
      found = std::isfinite(model.log_density_gradient(u, g, ws.get()));
    }
    if (!found) continue;
    posterior::OptimizeStart st;
    model.constrain(u, x);
    st.start.assign(x.begin(), x.begin() + model.site_dim());
    const FlatFieldPieces pieces = flat_field_pieces(post, u);
    const std::vector<double> scale = laplace_diagonal_scales(pieces, model.dim());
    posterior::LargeMapOptions lo;
    lo.gradient_tolerance = 1e-4;
    lo.max_evaluations = 5000;
    lo.stop = &stop_flag();
    posterior::LargeMapResult r = posterior::maximize_scaled(model, u, scale, lo);
    total += r.seconds;
    model.constrain(r.u, x);
    st.values.assign(x.begin(), x.begin() + model.site_dim());
    st.unconstrained = r.u;
    st.objective = r.objective;
    st.gradient_norm = r.gradient_norm;
    st.evaluations = r.evaluations;
    st.reason = r.reason;
    st.success = r.converged;
    res.starts.push_back(std::move(st));
    runs.push_back(std::move(r));
    if (runs.back().reason == "interrupted") {
      res.interrupted = true;
      break;
    }
  }
  res.seconds = total;
  double best = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < res.starts.size(); ++k) {
    if (std::isfinite(res.starts[k].objective) && res.starts[k].objective > best) {
      best = res.starts[k].objective;
      res.best = static_cast<int>(k);
    }
  }
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const auto& r = runs[k];
    const bool is_best = static_cast<int>(k) == res.best;
    so.table +=
        fmt::format("{:>5} {:>16.8g} {:>10.3g} {:>10.3g} {:>6} {:>6} {:>8.2f}  {}{}\n", k + 1,
                    r.objective, r.gradient_norm, r.scaled_gradient_max, r.iterations,
                    r.evaluations, r.seconds, r.reason, is_best ? "  <- best" : "");
    csv += fmt::format("{},{:.12g},{:.6g},{:.6g},{},{},{:.4f},{},{}\n", k + 1, r.objective,
                       r.gradient_norm, r.scaled_gradient_max, r.iterations, r.evaluations,
                       r.seconds, r.reason, is_best ? 1 : 0);
  }
  so.starts_csv = std::move(csv);
  for (const auto& r : runs) so.evaluations += r.evaluations;
  if (res.best < 0) {
    if (!res.interrupted) {
      throw Error(fmt::format("optimize: none of the {} starts reached a finite log density",
                              num_starts + (from_config ? 1 : 0)));
    }
    return so;
  }
  so.best_iterations = runs[static_cast<std::size_t>(res.best)].iterations;
  so.table +=
      fmt::format("MAP in {:.2f} s (all starts), best start: {} iterations, |grad| {:.3g}\n", total,
                  so.best_iterations, res.best_start().gradient_norm);
  return so;
}

StructuredOptimize optimize_structured(const config::Config& c,
                                       const posterior::ImagePosterior& post, int num_starts,
                                       const std::string& out, bool from_config,
                                       const std::map<std::string, double>& truth) {
  StructuredOptimize so = structured_map(c, post, num_starts, from_config);
  const posterior::OptimizeResult& res = so.result;
  write_text(path_in(out, "optimize_starts.csv"), so.starts_csv);
  if (res.best < 0 || res.interrupted) return so;
  const infer::SiteModel& model = post.log_density();
  const posterior::OptimizeStart& b = res.best_start();
  const StructuredLaplace lap = structured_laplace(post, b.values);
  so.table += structured_table(lap, "MAP");
  write_text(path_in(out, "optimize.csv"), structured_csv(lap, "value"));
  write_flat_field_outputs(c, lap, out);
  // The MAP flat field as its (rows, cols) map.
  const int fs = flat_field_site(post);
  const infer::SiteSlice& sl = model.slices()[static_cast<std::size_t>(fs)];
  RealImage flat(lap.flat_sd.rows(), lap.flat_sd.cols());
  for (Eigen::Index i = 0; i < flat.size(); ++i) {
    flat.data()[i] = b.values[static_cast<std::size_t>(sl.offset + i)];
  }
  io::FitsHeader h = image_header(c, "FLAT_MAP", "1");
  h.history.push_back("MAP flat field (detector.pixel_response.map), airy optimize");
  io::write_fits(path_in(out, "flat_field.fits"), flat, h);
  std::optional<RealImage> true_flat;
  if (truth.contains(lap.names[static_cast<std::size_t>(sl.offset)])) {
    true_flat = RealImage(flat.rows(), flat.cols());
    for (Eigen::Index i = 0; i < flat.size(); ++i) {
      const auto it = truth.find(lap.names[static_cast<std::size_t>(sl.offset + i)]);
      true_flat->data()[i] = it == truth.end() ? std::nan("") : it->second;
    }
    if (!true_flat->isFinite().all()) true_flat.reset();  // a partial truth: no comparison
  }
  so.table +=
      truth_coverage(lap, truth, static_cast<int>(sl.offset), static_cast<int>(flat.size()));
  draw_flat_field_figure(c, flat, lap.flat_sd, true_flat, out, "MAP");
  return so;
}

std::string truth_coverage(const StructuredLaplace& s, const std::map<std::string, double>& truth,
                           int flat_offset, int flat_size) {
  int n = 0, in1 = 0, in2 = 0;
  double abs_error = 0.0;
  std::string globals;
  for (std::size_t i = 0; i < s.names.size(); ++i) {
    const auto it = truth.find(s.names[i]);
    if (it == truth.end()) continue;
    const double z = (s.values[i] - it->second) / s.laplace_sd[i];
    const auto k = static_cast<int>(i);
    if (k >= flat_offset && k < flat_offset + flat_size) {
      ++n;
      in1 += std::fabs(z) <= 1.0 ? 1 : 0;
      in2 += std::fabs(z) <= 2.0 ? 1 : 0;
      abs_error += std::fabs(s.values[i] - it->second);
    } else {
      globals += fmt::format("  {:<28} {:>14.6g} {:>14.6g} {:>8.2f}\n", s.names[i], it->second,
                             s.values[i], z);
    }
  }
  std::string text;
  if (n > 0) {
    // Under a correct Gaussian approximation each pixel's |z| <= 1 with p = 0.683 (<= 2: 0.954),
    // so the fraction inside has binomial sd sqrt(p (1 - p) / n).
    const double f1 = static_cast<double>(in1) / n, f2 = static_cast<double>(in2) / n;
    text += fmt::format(
        "truth: flat field: {:.1f} % of {} true values inside their 68.3 % Laplace intervals "
        "(binomial sd {:.1f} %), {:.1f} % inside 95.4 % (sd {:.1f} %); mean |MAP - true| {:.3g}\n",
        100.0 * f1, n, 100.0 * std::sqrt(0.683 * 0.317 / n), 100.0 * f2,
        100.0 * std::sqrt(0.954 * 0.046 / n), abs_error / n);
  }
  if (!globals.empty()) {
    text += fmt::format("truth: {:<28} {:>14} {:>14} {:>8}\n{}", "parameter", "true", "MAP",
                        "(MAP-true)/sd", globals);
  }
  return text;
}

}  // namespace airy::pipeline
