// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fisher`: Cramér-Rao bounds, correlations and the Laplace approximation of the
/// configured posterior at the configured values; and the MAP + Laplace metric of `fit`.
#include <fmt/format.h>

#include <cmath>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"
#include "pipeline/structured_laplace.hpp"

namespace airy::pipeline {
namespace {

/// A square matrix as CSV with the parameter names as header row and first column.
std::string matrix_csv(const RealMatrix& m, const std::vector<std::string>& names) {
  std::string s = "parameter";
  for (const auto& n : names) s += "," + n;
  s += "\n";
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    s += names[static_cast<std::size_t>(i)];
    for (Eigen::Index j = 0; j < m.cols(); ++j) s += fmt::format(",{:.10g}", m(i, j));
    s += "\n";
  }
  return s;
}

std::string unit_or_dash(const std::string& u) { return u.empty() ? "-" : u; }

}  // namespace

void write_flat_field_outputs(const config::Config& c, const StructuredLaplace& s,
                              const std::string& out) {
  const auto header = [&](const std::string& extname, const std::string& what) {
    io::FitsHeader h = image_header(c, extname, "1");
    h.history.push_back(what);
    return h;
  };
  io::write_fits(path_in(out, "flat_field_sd.fits"), s.flat_sd,
                 header("FLAT_SD", "Laplace sd of each flat-field pixel (Schur complement)"));
  io::write_fits(path_in(out, "flat_field_crb.fits"), s.flat_crb,
                 header("FLAT_CRB", "Cramer-Rao bound of each flat-field pixel (NaN: singular)"));
  write_text(path_in(out, "global_covariance.csv"), global_covariance_csv(s));
}

std::string crb_table(const posterior::FisherResult& f, const std::string& value_label) {
  std::string t = fmt::format("{:>18} {:>14} {:>12} {:>12} {:>10}  {}\n", "parameter", value_label,
                              "CRB", "Laplace sd", "CRB/|val|", "unit");
  for (std::size_t i = 0; i < f.names.size(); ++i) {
    const double v = f.values[i];
    t += fmt::format("{:>18} {:>14.6g} {:>12.4g} {:>12.4g} {:>10.3g}  {}\n", f.names[i], v,
                     f.crb[i], f.laplace_sd[i], v != 0.0 ? f.crb[i] / std::fabs(v) : 0.0,
                     unit_or_dash(f.units[i]));
  }
  return t;
}

FisherRunResult fisher_run(const config::Config& c, const std::string& out, bool plots,
                           bool overwrite, const std::string& laplace) {
  const LaplaceMethod method = parse_laplace_method(laplace, "--laplace");
  if (c.priors.empty()) {
    throw InvalidArgument(fmt::format(
        "{}: fisher: no [priors]: nothing to compute the information of", c.source_name));
  }
  const std::vector<model::Telescope> telescopes = config::build_exposure_telescopes(c);
  // The data do not enter the Fisher information; the noise-free images stand in for them.
  // An exposure's configured variance and mask maps do (they set each pixel's weight).
  std::vector<RealImage> images;
  std::vector<posterior::PixelMaps> maps;
  double photons = 0.0;
  for (std::size_t e = 0; e < telescopes.size(); ++e) {
    images.push_back(telescopes[e].model());
    photons += images.back().sum();
    const std::string data_file = c.exposures.empty() ? std::string() : c.exposures[e].data;
    maps.push_back(config::load_pixel_maps(c, static_cast<int>(e), data_file, images.back().rows(),
                                           images.back().cols()));
  }
  const posterior::ImagePosterior post =
      config::build_posterior(c, telescopes, std::move(images), std::move(maps));
  const bool structured = use_structured(c, post, method);
  prepare_run_dir(out, overwrite);
  const std::vector<double> truth = post.current_values();
  FisherRunResult r;
  if (structured) {
    const StructuredLaplace s = structured_laplace(post, truth);
    r.structured = true;
    r.fisher.names = s.names;
    r.fisher.units = s.units;
    r.fisher.values = s.values;
    r.fisher.crb = s.crb;
    r.fisher.laplace_sd = s.laplace_sd;
    r.table = fmt::format(
        "Fisher information of {} parameters at the configured values ({} likelihood, {:.4g} "
        "photons{})\n",
        s.names.size(), c.likelihood.kind, photons,
        telescopes.size() > 1 ? fmt::format(" in {} exposures", telescopes.size()) : "");
    r.table += structured_table(s, "truth");
    write_flat_field_outputs(c, s, out);
    write_text(path_in(out, "crb.csv"), structured_csv(s, "truth"));
    return r;
  }
  r.fisher = posterior::fisher_information(post, truth);
  const auto& f = r.fisher;
  r.table = fmt::format(
      "Fisher information of {} parameters at the configured values ({} "
      "likelihood, {:.4g} photons{})\n",
      f.names.size(), c.likelihood.kind, photons,
      telescopes.size() > 1 ? fmt::format(" in {} exposures", telescopes.size()) : "");
  r.table += crb_table(f, "truth");
  r.table += "CRB = sqrt(diag F^-1); Laplace sd adds the priors (docs/fisher.md)\n";

  std::string crb = "parameter,unit,truth,crb,laplace_sd\n";
  for (std::size_t i = 0; i < f.names.size(); ++i) {
    crb += fmt::format("{},{},{:.12g},{:.10g},{:.10g}\n", f.names[i], f.units[i], f.values[i],
                       f.crb[i], f.laplace_sd[i]);
  }
  write_text(path_in(out, "crb.csv"), crb);
  write_text(path_in(out, "fisher.csv"), matrix_csv(f.fisher, f.names));
  write_text(path_in(out, "correlation.csv"), matrix_csv(f.correlation, f.names));
  write_text(path_in(out, "laplace_unconstrained.csv"),
             matrix_csv(f.laplace_unconstrained, f.names));
  if (plots) draw_correlation_figure(c, f, out);
  return r;
}

MapLaplace map_laplace(const posterior::ImagePosterior& post, int num_starts, std::uint64_t seed) {
  posterior::OptimizeOptions o;
  o.objective = posterior::FitObjective::kMap;
  o.num_starts = num_starts;
  o.seed = seed;
  MapLaplace m;
  m.map = posterior::optimize(post, o);
  if (!m.map.interrupted) m.fisher = posterior::fisher_information(post, m.map.best_start().values);
  return m;
}

}  // namespace airy::pipeline
