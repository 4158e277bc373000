// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The CLI's commands as library functions: simulate data, fit (sample, summarise,
/// write chains, images and plots), re-summarise and re-plot a run directory.
///
/// Files of a run directory (docs/file_formats.md): config.toml (exact settings), data.fits,
/// psf.fits, model.fits, residual.fits, truth.toml (simulated runs), chain_<id>.csv (CmdStan,
/// streamed while sampling), posterior.nc (ArviZ InferenceData), summary.txt, summary.csv,
/// run_info.toml (status = "running" | "complete" | "interrupted", timings, counts), and
/// PNG + PDF figures. A run whose run_info.toml does not say "complete" is never reported
/// as complete.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/infer/summary.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/map_fit.hpp"

namespace airy::pipeline {

/// Command-line overrides of the [sampler] and [output] tables (unset = keep the file's).
struct Overrides {
  std::optional<int> num_chains, num_warmup, num_samples, num_threads;
  std::optional<unsigned> seed;
  std::optional<std::string> out;
  bool quiet = false;
};

/// Applies overrides to a config (validating them like the file's values).
void apply_overrides(config::Config& config, const Overrides& overrides);

/// Creates `dir` (and parents) and checks that a file can be written in it.
/// @throws InvalidArgument naming the directory and the system's reason.
void prepare_output_dir(const std::string& dir);

/// Result of simulate().
struct SimulateResult {
  std::string data_path;                ///< <out>/data.fits
  std::map<std::string, double> truth;  ///< output name -> true value (site units)
};

/// Renders the configured telescope, adds noise and writes psf.fits (noise-free model),
/// data.fits, truth.toml, config.toml and simulate.png/.pdf (PSF, PSF with photon noise,
/// data) into `out_dir`.
SimulateResult simulate(const config::Config& config, const std::string& out_dir);

/// Options of fit() beyond the config.
struct FitOptions {
  std::string data_path;     ///< FITS image of the data (required)
  std::string truth_path;    ///< truth.toml; "" = <data dir>/truth.toml if present
  bool quiet = false;        ///< no progress bars
  bool plots = true;         ///< draw the figures
  std::string command_line;  ///< recorded in run_info.toml
};

/// Result of fit().
struct FitResult {
  infer::Summary summary;
  bool complete = true;        ///< false when interrupted (SIGINT)
  std::string summary_text;    ///< the printed table
  int truths_outside_99 = -1;  ///< true values outside their central 99% interval (-1: none)
};

/// Samples the posterior of the config's priors given the data, streaming chains to CSV, then
/// writes posterior.nc, summary.txt/.csv, model/residual FITS, run_info.toml and the plots.
/// @throws InvalidArgument for a missing/invalid data file (not FITS, not 2-D, wrong size,
///   NaN/inf pixels, negative counts under Poisson) or an unwritable output directory.
FitResult fit(const config::Config& config, const FitOptions& options);

/// Re-reads a run directory's chains and prints nothing; returns the summary and its text
/// (with an "INCOMPLETE" banner if the run did not finish).
FitResult summarize_run(const std::string& run_dir);

/// `airy plot` flags: each one set replaces the run's [plot] value (config.md).
struct PlotOverrides {
  std::optional<double> width;                         ///< inches (3.5 column, 7 page)
  std::optional<std::vector<std::string>> parameters;  ///< corner/trace subset
  std::optional<std::vector<std::string>> formats;     ///< png, pdf, svg
  std::optional<std::string> stretch;                  ///< linear, sqrt, log, asinh
  std::optional<double> dpi;                           ///< PNG resolution
};

/// Applies `overrides` to `plot`, validating them as the [plot] table is.
/// @throws InvalidArgument naming the flag and the value.
void apply_plot_overrides(config::PlotConfig& plot, const PlotOverrides& overrides);

/// Redraws the figures of a run directory from its files, with its config.toml's [plot]
/// settings and `overrides`.
void plot_run(const std::string& run_dir, const PlotOverrides& overrides = {});

/// airy's version string.
const char* version();

/// Result of fisher_run().
struct FisherRunResult {
  posterior::FisherResult fisher;  ///< at the configured (true) values
  std::string table;               ///< parameter, truth, CRB, Laplace sd, unit
};

/// `airy fisher`: the Fisher information of the configured priors' parameters at their
/// configured values (noise-free image, the configured likelihood): prints nothing, writes
/// <out_dir>/crb.csv (parameter, unit, truth, crb, laplace_sd), fisher.csv (F, site units),
/// correlation.csv (F^-1 normalised), laplace_unconstrained.csv (the Fisher inverse metric)
/// and correlation.<[plot] formats> (when plots). docs/fisher.md.
/// @throws InvalidArgument for a config without priors or an unwritable directory.
FisherRunResult fisher_run(const config::Config& config, const std::string& out_dir,
                           bool plots = true);

/// Options of optimize_run().
struct OptimizeRunOptions {
  std::string data_path;          ///< FITS image of the data (required)
  std::string objective = "map";  ///< "map" or "ml"
  int num_starts = 16;            ///< L-BFGS starts drawn from the priors (seed: sampler.seed)
};

/// Result of optimize_run().
struct OptimizeRunResult {
  posterior::OptimizeResult result;
  std::string table;  ///< per start: objective, |grad|, evaluations, reason; best values
};

/// `airy optimize`: MAP or maximum-likelihood fit (NLopt L-BFGS, several starts) of the
/// config's priors given the data; writes <out>/optimize.csv (parameter, unit, value, and the
/// Cramér-Rao bound at the best fit), optimize_starts.csv, best_fit.fits, best_fit_residual.fits
/// (data - best fit), best_fit.<[plot] formats> (data / model / residual) and config.toml into
/// config.output_dir.
/// @throws InvalidArgument for a missing/invalid data file or bad options.
OptimizeRunResult optimize_run(const config::Config& config, const OptimizeRunOptions& options);

/// The Fisher metric for `airy fit --metric fisher`: the MAP (best of `num_starts` L-BFGS
/// starts from the priors, seeded with `seed`) and the Laplace covariance there in the
/// unconstrained space, C_u = (F_u - H_u)^-1 (the dense inverse metric).
struct MapLaplace {
  posterior::OptimizeResult map;
  posterior::FisherResult fisher;  ///< at the MAP
};
MapLaplace map_laplace(const posterior::ImagePosterior& posterior, int num_starts, unsigned seed);

}  // namespace airy::pipeline
