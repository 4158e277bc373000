// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy optimize`: MAP / maximum-likelihood fit with NLopt's L-BFGS from several
/// prior draws; best-fit image, residuals, values and Cramér-Rao bounds.
#include <fmt/format.h>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/init_grid.hpp"
#include "pipeline/optimize_structured.hpp"
#include "pipeline/predictive.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {

namespace {

/// best_fit.fits / best_fit_residual.fits, or best_fit_<label>.fits and
/// best_fit_residual_<label>.fits per exposure.
void write_best_fit_images(const config::Config& c, const RunData& data,
                           const std::vector<double>& values, const OptimizeRunOptions& o) {
  const posterior::ImagePosterior& post = data.posterior;
  const std::string& out = c.output_dir;
  std::vector<RealImage> models;
  for (int e = 0; e < post.num_exposures(); ++e) {
    const RealImage model = post.telescope_at(values, e).model();
    io::FitsHeader mh = image_header(c, "BESTFIT", "photon");
    mh.history.push_back(fmt::format("image at the {} estimate (L-BFGS)", o.objective));
    io::write_fits(path_in(out, config::exposure_file_name(c, e, "best_fit")), model, mh);
    io::FitsHeader rh = image_header(c, "RESIDUAL", "photon");
    rh.history.push_back("data - best-fit model (NaN: pixel left out of the likelihood)");
    const RealImage& d = data.exposures[static_cast<std::size_t>(e)].image;
    io::write_fits(path_in(out, config::exposure_file_name(c, e, "best_fit_residual")),
                   masked_as_nan(post.likelihood(e), d - model), rh);
    models.push_back(model);
  }
  // One figure per exposure: best_fit.<format>, or best_fit_<label>.<format>.
  const bool map =
      posterior::parse_objective(o.objective, "--objective") == posterior::FitObjective::kMap;
  draw_exposure_fit_images(c, post, models, out, static_cast<int>(values.size()), "best_fit",
                           map ? "MAP model" : "best-fit model (ML)");
}

}  // namespace

OptimizeRunResult optimize_run(const config::Config& c, const OptimizeRunOptions& o) {
  if (o.num_starts < 1) {
    throw InvalidArgument(format_invalid("optimize", "--starts", o.num_starts, "must be >= 1"));
  }
  const posterior::FitObjective objective = posterior::parse_objective(o.objective, "--objective");
  const LaplaceMethod method = parse_laplace_method(o.laplace, "--laplace");
  if (o.init != "prior" && o.init != "config") {
    throw InvalidArgument(
        fmt::format("optimize: --init = \"{}\": must be \"prior\" or \"config\"", o.init));
  }
  const bool from_config = o.init == "config";
  GridSpec grid;
  if (!o.grid.empty()) {
    grid = parse_grid_flag(o.grid, "--grid");
    grid.starts = o.grid_starts;
  } else if (!c.sampler.map_grid.empty()) {
    grid = config_grid(c.sampler.map_grid, c.sampler.map_grid_starts);
  }
  if (!grid.axes.empty() && from_config) {
    throw InvalidArgument(fmt::format(
        "optimize: {}: a grid gives starts of its own; it is not used with --init config",
        grid.field));
  }
  if (!grid.axes.empty() && grid.starts < 1) {
    throw InvalidArgument(format_invalid("optimize", "--grid-starts", grid.starts, "must be >= 1"));
  }
  const std::string& out = c.output_dir;
  const StopSignalScope signals;
  const RunData data = load_run_data(c, o.data_path, /*concurrent=*/1);  // one MAP at a time
  const posterior::ImagePosterior& post = data.posterior;
  const bool structured = use_structured(c, post, method);
  if (structured && !grid.axes.empty()) {
    throw InvalidArgument(fmt::format(
        "optimize: {}: the flat-field (structured) path has no grid initialisation; use "
        "--laplace dense",
        grid.field));
  }
  if (structured && objective != posterior::FitObjective::kMap) {
    throw InvalidArgument(fmt::format(
        "optimize: --objective {}: the flat-field (structured) path maximises the posterior "
        "only (a flat field without its prior is degenerate with the fluxes); use --objective "
        "map, or --laplace dense",
        o.objective));
  }
  if (!grid.axes.empty()) check_grid(post, grid);
  prepare_run_dir(out, o.overwrite, inputs_in(out, data.files()));
  write_text(path_in(out, "config.toml"), config::to_toml(c));

  if (structured) {
    OptimizeRunResult r;
    r.structured = true;
    r.table = masked_report(post);
    // The truth the data's simulation wrote, when these are exactly its files: the flat-field
    // figure and the coverage line compare the MAP and its sds with it.
    std::string why;
    const std::map<std::string, double> truth = truth_written_for(data.files(), &why);
    StructuredOptimize so =
        optimize_structured(c, post, from_config ? 0 : o.num_starts, out, from_config, truth);
    r.result = std::move(so.result);
    r.table += so.table;
    if (r.result.interrupted) {
      r.stop_signal = stop_signal();
      r.table += fmt::format("INTERRUPTED ({}): the best fit so far, no sds\n",
                             r.stop_signal != 0 ? signal_name(r.stop_signal) : "a stop request");
    }
    write_text(path_in(out, "optimize.txt"), r.table);
    if (r.result.best >= 0) write_best_fit_images(c, data, r.result.best_start().values, o);
    return r;
  }

  posterior::OptimizeOptions oo;
  oo.objective = objective;
  oo.num_starts = from_config ? 0 : o.num_starts;
  if (from_config) oo.starts.push_back(post.current_values());
  oo.seed = c.sampler.seed;
  OptimizeRunResult r;
  r.table = masked_report(post);
  GridMap gm;
  if (!grid.axes.empty()) {
    gm = grid_map(post, grid, oo);
    r.table += grid_text(gm.grid, grid.starts);
    r.result = gm.map;
  } else {
    r.result = posterior::optimize(post, oo);
    gm.modes = distinct_modes(post, r.result);
  }
  r.num_modes = static_cast<int>(gm.modes.size());
  const posterior::OptimizeResult& res = r.result;
  if (res.interrupted) {
    r.stop_signal = stop_signal();
    r.table += fmt::format("INTERRUPTED ({}) after {} of {} starts: the best fit so far\n",
                           r.stop_signal != 0 ? signal_name(r.stop_signal) : "a stop request",
                           res.starts.size(), o.num_starts);
    if (res.best < 0) {
      r.table += "no start had finished: nothing to report\n";
      write_text(path_in(out, "optimize.txt"), r.table);
      return r;
    }
  }
  const posterior::OptimizeStart& best = res.best_start();
  const char* what = objective == posterior::FitObjective::kMap ? "log posterior (unconstrained)"
                                                                : "log likelihood";
  r.table += fmt::format(
      "L-BFGS (NLopt LD_LBFGS) {} fit, {} starts ({} from the grid, the others from the "
      "priors), {:.2f} s\n",
      objective == posterior::FitObjective::kMap ? "MAP" : "maximum-likelihood", res.starts.size(),
      gm.grid_starts, res.seconds);
  r.table += fmt::format("{:>5} {:>16} {:>10} {:>6}  {}\n", "start", what, "|grad|", "evals",
                         "stopped because");
  std::string starts_csv = "start,objective,gradient_norm,evaluations,reason,best\n";
  for (std::size_t k = 0; k < res.starts.size(); ++k) {
    const auto& s = res.starts[k];
    const bool is_best = static_cast<int>(k) == res.best;
    r.table += fmt::format("{:>5} {:>16.8g} {:>10.3g} {:>6}  {}{}\n", k + 1, s.objective,
                           s.gradient_norm, s.evaluations, s.reason, is_best ? "  <- best" : "");
    starts_csv += fmt::format("{},{:.12g},{:.6g},{},{},{}\n", k + 1, s.objective, s.gradient_norm,
                              s.evaluations, s.reason, is_best ? 1 : 0);
  }
  r.table += modes_text(res, gm.modes, gm.grid_starts);
  // Cramér-Rao bounds at the best fit: the expected scatter of the estimate.
  const posterior::FisherResult f = posterior::fisher_information(post, best.values);
  r.table += crb_table(f, "best fit");
  std::string values = "parameter,unit,value,crb,laplace_sd\n";
  for (std::size_t i = 0; i < f.names.size(); ++i) {
    values += fmt::format("{},{},{:.12g},{:.10g},{:.10g}\n", f.names[i], f.units[i], f.values[i],
                          f.crb[i], f.laplace_sd[i]);
  }
  write_text(path_in(out, "optimize.csv"), values);
  write_text(path_in(out, "optimize_starts.csv"), starts_csv);
  write_text(path_in(out, "optimize.txt"), r.table);
  write_best_fit_images(c, data, best.values, o);
  return r;
}

}  // namespace airy::pipeline
