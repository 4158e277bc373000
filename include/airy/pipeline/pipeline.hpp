// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The CLI's commands as library functions: simulate data, fit (sample, summarise,
/// write chains, images and plots), re-summarise and re-plot a run directory.
///
/// Files of a run directory (docs/file_formats.md): config.toml (exact settings), data.fits,
/// psf.fits, model.fits, residual.fits, truth.toml (simulated runs), chain_<id>.csv (CmdStan,
/// streamed while sampling), posterior.nc (ArviZ InferenceData), summary.txt, summary.csv,
/// run_info.toml (status = "running" | "complete" | "interrupted" | "failed", timings,
/// counts), and PNG + PDF figures. A run whose run_info.toml does not say "complete" is never
/// reported as complete.
///
/// A run directory holds one run: every command refuses a directory that already holds files
/// of another run unless `overwrite` (then they are removed first; files airy never writes
/// are kept); `fit` may add to the directory of the simulation whose data.fits it fits. Every file
/// is written atomically (airy/core/atomic_file.hpp); the chains are appended whole lines at a
/// time. SIGINT, SIGTERM and SIGHUP stop the MAP and the sampler (airy/core/stop.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/core/arrays.hpp"
#include "airy/infer/summary.hpp"
#include "airy/infer/tempering.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/map_fit.hpp"

namespace airy::pipeline {

/// Command-line overrides of the [sampler] and [output] tables (unset = keep the file's).
struct Overrides {
  std::optional<int> num_chains, num_warmup, num_samples, num_threads;
  std::optional<int> threads_per_chain;  ///< sampler.threads_per_chain (>= 0)
  std::optional<std::uint64_t> seed;     ///< must fit sampler.seed's type
  std::optional<std::string> out;
  bool quiet = false;
};

/// Applies overrides to a config (validating them like the file's values).
void apply_overrides(config::Config& config, const Overrides& overrides);

/// `--grid NAME=POINTS,...` (and `--grid-starts K`, 0 = keep the config's): sets
/// sampler.map_grid (docs/inference.md "Grid initialisation"); a NUTS config that runs no MAP
/// (init = "random" without a Fisher or Laplace metric) gets init = "map", since the grid
/// seeds the MAP. @throws InvalidArgument naming `--grid` for a bad entry, or under parallel
/// tempering (sampler.method = "pt": its chains start from the prior).
void apply_grid(config::Config& config, const std::string& grid, int grid_starts = 0);

/// The default output directory of `command` ("fisher", "optimize") when --out is not
/// given: "<output.dir>-<command>", never the directory of a fit (e.g. airy-demo).
std::string command_output_dir(const config::Config& config, const std::string& command);

/// Records the command line of this process (the CLI's main sets it once, before any
/// command): every FITS header a run writes carries it as COMMAND, also where the command
/// (simulate, optimize, fisher) passes none of its own.
void set_process_command_line(std::string command_line);

/// Result of simulate().
struct SimulateResult {
  std::string data_path;                ///< <out>/data.fits (with [[exposures]]: exposure 0's)
  std::vector<std::string> data_paths;  ///< every exposure's data file, in order
  std::map<std::string, double> truth;  ///< output name -> true value (site units)
  std::vector<std::string> written;     ///< the file names written, in order
};

/// Renders the configured telescope, adds noise and writes psf.fits (noise-free model),
/// data.fits, truth.toml (only with [priors]: the true value of each sampled parameter, and
/// data.fits's checksum), config.toml and simulate.png/.pdf (PSF, PSF with photon noise,
/// data) into `out_dir`, which must be empty unless `overwrite`. With [[exposures]] each
/// exposure e gets psf_<label>.fits and data_<label>.fits (label = its name, else its index;
/// noise from Philox stream 1 + e), truth.toml names every data file, and the config.toml
/// written there points each exposure's `data` at its file (so `airy fit <out>/config.toml`
/// fits the simulation); the figure shows exposure 0.
/// @throws InvalidArgument for a bad config or a non-empty directory; airy::Error naming the
///   file that could not be written.
SimulateResult simulate(const config::Config& config, const std::string& out_dir,
                        bool overwrite = false);

/// Options of fit() beyond the config.
struct FitOptions {
  /// FITS image of the data: required without [[exposures]]; with them, the file of the
  /// exposures that name no `data` (their `hdu`, else HDU <index>).
  std::string data_path;
  /// truth.toml of known values; "" = the truth.toml beside the data when it was written for
  /// that very file (its name and checksum are recorded in it), else none.
  std::string truth_path;
  bool quiet = false;          ///< no progress bars
  bool plots = true;           ///< draw the figures
  bool overwrite = false;      ///< replace airy's files in a non-empty output directory
  bool handle_signals = true;  ///< install the SIGINT/SIGTERM/SIGHUP handlers for the fit
  std::string command_line;    ///< recorded in run_info.toml
  /// Processes that share parallel tempering's replicas (`mpirun -np K airy fit --pt`;
  /// infer/replica_comm.hpp); null: this process alone. Every process calls fit() with the
  /// same config and data; rank 0 does everything fit() does, the others only load the data
  /// and run their replicas, write nothing and return a FitResult without summary. With more
  /// than one process sampler.method must be "pt".
  infer::ReplicaComm* comm = nullptr;
};

/// Result of fit().
struct FitResult {
  infer::Summary summary;
  bool complete = true;        ///< false when interrupted (a signal or a stop request)
  int stop_signal = 0;         ///< the signal that interrupted the run (0: none / no signal)
  std::string stopped_by;      ///< e.g. "SIGTERM during sampling" ("" when complete)
  std::string summary_text;    ///< the printed table
  int truths_outside_99 = -1;  ///< true values outside their central 99% interval (-1: none)
};

/// Samples the posterior of the config's priors given the data, streaming chains to CSV, then
/// writes posterior.nc, summary.txt/.csv, model/residual FITS, run_info.toml and the plots.
/// A first SIGINT/SIGTERM/SIGHUP (or airy::request_stop()) ends the MAP or the sampling at
/// its next step and the files are written from what exists (complete = false, run_info
/// status "interrupted"); an exception leaves status "failed" with its text.
/// @throws InvalidArgument for a missing/invalid data file (not FITS, not 2-D, wrong size,
///   NaN/inf pixels, negative counts under Poisson), a non-empty or unwritable output
///   directory; airy::Error naming a file that could not be written.
FitResult fit(const config::Config& config, const FitOptions& options);

/// Re-reads a run directory's chains and prints nothing; returns the summary and its text
/// (with an "INCOMPLETE" banner naming run_info.toml's status if the run did not finish:
/// "running" means the process never finished, e.g. it was killed).
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
  /// At the configured (true) values. On the structured path only names, units, values,
  /// unconstrained, crb (NaN when the Fisher matrix alone is singular) and laplace_sd are
  /// filled: no n x n matrix is formed.
  posterior::FisherResult fisher;
  std::string table;        ///< parameter, truth, CRB, Laplace sd, unit
  bool structured = false;  ///< the flat field's Schur complement was used
};

/// `airy fisher`: the Fisher information of the configured priors' parameters at their
/// configured values (noise-free image, the configured likelihood): prints nothing, writes
/// <out_dir>/crb.csv (parameter, unit, truth, crb, laplace_sd), fisher.csv (F, site units),
/// correlation.csv (F^-1 normalised), laplace_unconstrained.csv (the Fisher inverse metric)
/// and correlation.<[plot] formats> (when plots). docs/fisher.md. `out_dir` must be empty
/// unless `overwrite`.
///
/// `laplace` = "dense", "structured" or "auto" (structured when the posterior has a flat
/// field, detector.pixel_response.map, and more than 1000 parameters): the structured path
/// gives every parameter's CRB and Laplace sd by the Schur complement of the flat field
/// (docs/calibration.md) and writes crb.csv, global_covariance.csv (the other parameters'
/// Laplace covariance, site units), flat_field_sd.fits and flat_field_crb.fits (the maps of
/// the flat field's sds), never an n x n matrix.
/// @throws InvalidArgument for a config without priors or a non-empty/unwritable directory.
FisherRunResult fisher_run(const config::Config& config, const std::string& out_dir,
                           bool plots = true, bool overwrite = false,
                           const std::string& laplace = "auto");

/// Options of optimize_run().
struct OptimizeRunOptions {
  std::string data_path;          ///< the data, as FitOptions::data_path
  std::string objective = "map";  ///< "map" or "ml"
  int num_starts = 16;            ///< L-BFGS starts drawn from the priors (seed: sampler.seed)
  bool overwrite = false;         ///< replace airy's files in a non-empty output directory
  /// "auto", "dense" or "structured", as fisher_run: the structured path maximises with
  /// posterior::maximize_scaled (L-BFGS scaled by the Laplace diagonal, MAP only) and gives
  /// the sds by the flat field's Schur complement.
  std::string laplace = "auto";
  /// "prior": num_starts starts drawn from the priors; "config": one start at the configured
  /// values (an initial guess; in a simulation's config.toml, the truth).
  std::string init = "prior";
  /// A grid searched before L-BFGS, "NAME=POINTS,..." (e.g. "separation=8,position_angle=12";
  /// "" = the config's sampler.map_grid, if any): the best `grid_starts` grid points are
  /// started first (docs/inference.md "Grid initialisation").
  std::string grid;
  int grid_starts = 4;
};

/// Result of optimize_run().
struct OptimizeRunResult {
  posterior::OptimizeResult result;
  std::string table;        ///< per start: objective, |grad|, evaluations, reason; best values
  int stop_signal = 0;      ///< the signal that interrupted the fit (result.interrupted)
  bool structured = false;  ///< the large-scale path (maximize_scaled + Schur complement)
  int num_modes = 0;        ///< distinct modes among the L-BFGS ends (dense path)
};

/// `airy optimize`: MAP or maximum-likelihood fit (NLopt L-BFGS, several starts) of the
/// config's priors given the data; writes <out>/optimize.csv (parameter, unit, value, and the
/// Cramér-Rao bound at the best fit), optimize_starts.csv, best_fit.fits, best_fit_residual.fits
/// (data - best fit), best_fit.<[plot] formats> (data / MAP model / residual) and config.toml
/// into config.output_dir (empty unless overwrite). A signal ends it early with the best point
/// so far (result.interrupted). On the structured path (OptimizeRunOptions::laplace) also
/// flat_field.fits (the MAP flat field), flat_field_sd.fits, flat_field_crb.fits and
/// global_covariance.csv; optimize_starts.csv then has iterations, the scaled gradient and
/// seconds per start.
/// @throws InvalidArgument for a missing/invalid data file, bad options or a non-empty
///   directory.
OptimizeRunResult optimize_run(const config::Config& config, const OptimizeRunOptions& options);

/// Options of calibration_demo().
struct CalibrationDemoOptions {
  std::string out_dir;           ///< "" = the example's [output] dir (calibration-out)
  bool overwrite = false;        ///< replace airy's files in non-empty directories
  std::uint64_t flat_seed = 11;  ///< Philox seed of the true flat field
  std::uint64_t noise_seed = 7;  ///< noise.seed of the simulation (the example's own: 7)
};

/// Result of calibration_demo().
struct CalibrationDemoResult {
  std::string sim_dir;         ///< the simulation (out_dir)
  std::string map_dir;         ///< the MAP fit (<out_dir>/map)
  std::string true_flat_path;  ///< <out_dir>/true_flat_field.fits
  SimulateResult simulation;
  OptimizeRunResult map;
};

/// `airy demo calibration` (docs/calibration.md): writes a true flat field (Normal(1, 0.05)
/// per pixel, seed `flat_seed`) into out_dir, simulates examples/calibration.toml with it and
/// noise.seed = `noise_seed` (5
/// dithers, 8 stars, 7 Zernikes), then fits examples/calibration_guess.toml to that data in
/// <out_dir>/map: the structured MAP from the guess and the Laplace sd of all 4127 parameters,
/// compared with the truth (optimize.txt; flat_field.<formats> shows the true, MAP,
/// (MAP - true)/sd and sd maps; best_fit_<exposure>.<formats> each exposure's data, model and
/// residual). Both configs are embedded.
/// @throws InvalidArgument for non-empty directories (without overwrite).
CalibrationDemoResult calibration_demo(const CalibrationDemoOptions& options);

/// A Normal(1, sd) flat field (rows x cols) from Philox stream (seed, 0).
RealImage draw_flat_field(Eigen::Index rows, Eigen::Index cols, double sd, std::uint64_t seed);

/// The Fisher metric for `airy fit --metric fisher`: the MAP (best of `num_starts` L-BFGS
/// starts from the priors, seeded with `seed`) and the Laplace covariance there in the
/// unconstrained space, C_u = (F_u - H_u)^-1 (the dense inverse metric). An interrupted MAP
/// (map.interrupted) has no Fisher information.
struct MapLaplace {
  posterior::OptimizeResult map;
  posterior::FisherResult fisher;  ///< at the MAP
};
MapLaplace map_laplace(const posterior::ImagePosterior& posterior, int num_starts,
                       std::uint64_t seed);

/// `--pt`: sampler.method = "pt" (parallel tempering, docs/inference.md §6). The NUTS-only
/// settings (num_warmup, num_samples, save_warmup, thin, init, metric_init, map_starts) are
/// reset to their defaults and a dense or Fisher metric becomes diag_e; returns, in words,
/// each setting that differed from its default and no longer applies (for a note on stderr).
/// A config already with method = "pt" is left as it is.
std::vector<std::string> switch_to_pt(config::Config& config);

/// log Bayes factor of model A against model B from their evidences:
/// log BF = log Z_A - log Z_B, se = sqrt(se_A^2 + se_B^2) (independent runs).
struct BayesFactor {
  double log_bf = 0.0;
  double se = 0.0;
};
/// @throws InvalidArgument naming the model (`name_a`, `name_b`) whose log Z is not a marginal
///   likelihood (PtEvidence::is_marginal_likelihood false: an improper prior), or is not finite.
BayesFactor log_bayes_factor(const infer::PtEvidence& a, const infer::PtEvidence& b,
                             const std::string& name_a, const std::string& name_b);

/// Kass & Raftery (1995, JASA 90, 773) in words for log BF (natural log): |log BF| < 1 "not
/// worth more than a bare mention", < 3 "positive", < 5 "strong", else "very strong",
/// evidence for A (log BF > 0) or B.
std::string bayes_factor_words(double log_bf);

/// Options of compare().
struct CompareOptions {
  std::string data_path;     ///< the --data file both models are fitted to
  std::string name_a = "A";  ///< labels in the text and errors (e.g. the config files)
  std::string name_b = "B";
  bool quiet = true;           ///< false: one line per PT round on stderr
  bool handle_signals = true;  ///< install the SIGINT/SIGTERM/SIGHUP handlers
};

/// One model's evidence in compare().
struct ModelEvidence {
  infer::PtEvidence evidence;            ///< combine_evidence over its runs
  std::vector<infer::PtReport> reports;  ///< one per run
};

/// Result of compare().
struct CompareResult {
  ModelEvidence a, b;
  BayesFactor bayes_factor;  ///< A against B (valid when complete)
  bool complete = true;      ///< false when a signal stopped a run (B is not run after A stops)
  int stop_signal = 0;
  std::string text;  ///< log Z_A +- se, log Z_B +- se, log BF +- se, in words
};

/// `airy compare A.toml B.toml --data FILE`: parallel tempering (docs/inference.md §6) on each
/// model's posterior given the same data, then the log Bayes factor of A against B with its
/// error. Each config's [sampler] gives its PT settings and seed (a NUTS config is switched
/// with switch_to_pt()); writes no files.
/// The data are read as `fit` reads them (the --data image, or each [[exposures]] table's).
/// @throws InvalidArgument for a missing/invalid data file, bad PT settings, or a model whose
///   prior is improper or truncated (its log Z would not be a marginal likelihood), naming the
///   model and the site, before anything is run.
CompareResult compare(config::Config a, config::Config b, const CompareOptions& options);

}  // namespace airy::pipeline
