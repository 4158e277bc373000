// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Subcommands: thin wrappers over airy::pipeline (which the tests exercise directly).
#include "commands.hpp"

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"

#ifdef AIRY_WITH_MPI
#include "mpi_comm.hpp"
#endif

namespace airy::cli {

int interrupted_exit_code(int signo) { return 128 + (signo > 0 ? signo : SIGINT); }

CLI::Validator integer_in(long long lo, unsigned long long hi) {
  auto check = [lo, hi](std::string& text) -> std::string {
    const char* first = text.data();
    const char* last = first + text.size();
    const bool negative = !text.empty() && text[0] == '-';
    long long value = 0;
    unsigned long long positive = 0;
    const auto r =
        negative ? std::from_chars(first, last, value) : std::from_chars(first, last, positive);
    const std::string range =
        hi == std::numeric_limits<unsigned long long>::max() || hi >= (1ULL << 62)
            ? fmt::format(">= {}", lo)
            : fmt::format("in [{}, {}]", lo, hi);
    if (r.ec == std::errc::result_out_of_range) {
      return fmt::format("must be an integer {}, got {} (out of range)", range, text);
    }
    if (r.ec != std::errc() || r.ptr != last || text.empty()) {
      return fmt::format("must be an integer {}, got '{}'", range, text);
    }
    const bool too_low =
        negative ? value < lo : (lo > 0 && positive < static_cast<unsigned long long>(lo));
    if (too_low) return fmt::format("must be an integer >= {}, got {}", lo, text);
    if (!negative && positive > hi)
      return fmt::format("must be an integer <= {}, got {}", hi, text);
    return "";
  };
  return CLI::Validator(check, hi >= (1ULL << 62) ? fmt::format("INT>={}", lo)
                                                  : fmt::format("INT in [{}, {}]", lo, hi));
}

void add_overwrite_flag(CLI::App* cmd, bool& overwrite) {
  cmd->add_flag("--overwrite", overwrite,
                "write into a non-empty output directory, removing airy's files there first "
                "(other files are kept)");
}

namespace {

constexpr auto kIntMax = static_cast<unsigned long long>(std::numeric_limits<int>::max());
// Seeds are written back into config.toml, whose integers are int64: 0 .. 2^63 - 1.
constexpr auto kSeedMax = static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max());

/// The sampler and output options every sampling command accepts.
struct SamplingFlags {
  int chains = 0, warmup = -1, samples = 0, threads = -1, threads_per_chain = -1;
  std::uint64_t seed = 0;
  CLI::Option* seed_option = nullptr;
  std::string out;
  std::string init, metric;
  bool quiet = false;
  bool overwrite = false;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--chains", chains, "number of chains (config: sampler.num_chains)")
        ->check(integer_in(1, kIntMax));
    cmd->add_option("--warmup", warmup, "warmup iterations per chain (sampler.num_warmup)")
        ->check(integer_in(0, kIntMax));
    cmd->add_option("--samples", samples, "draws per chain (sampler.num_samples)")
        ->check(integer_in(1, kIntMax));
    seed_option = cmd->add_option("--seed", seed, "random seed (sampler.seed)")
                      ->check(integer_in(0, kSeedMax));
    cmd->add_option("--threads", threads, "threads; 0 = one per chain up to the cores")
        ->check(integer_in(0, kIntMax));
    cmd->add_option("--threads-per-chain", threads_per_chain,
                    "threads sharing one chain's evaluation, over exposures; 0 = the cores the "
                    "chains leave (sampler.threads_per_chain)")
        ->check(integer_in(0, kIntMax));
    cmd->add_option("--out", out, "output directory (output.dir)");
    cmd->add_flag("--quiet,-q", quiet, "no progress bars");
    add_overwrite_flag(cmd, overwrite);
    cmd->add_option("--init", init, "initial values: random or map (sampler.init)")
        ->check(CLI::IsMember({"random", "map"}));
    cmd->add_option("--metric", metric,
                    "diag_e, dense_e, unit_e or fisher: dense (Fisher + prior Hessian)^-1 at "
                    "the MAP, warmup adapts the step size only (sampler.metric)")
        ->check(CLI::IsMember({"diag_e", "dense_e", "unit_e", "fisher"}));
  }

  /// Applies the overrides and --init / --metric to a config. Under parallel tempering
  /// (sampler.method = "pt") the NUTS-only options are errors, as the NUTS-only keys are.
  void apply(config::Config& c) const {
    if (c.sampler.method == "pt") {
      const auto refuse = [](const std::string& option) {
        throw InvalidArgument(fmt::format(
            "{}: not used by parallel tempering (sampler.method = \"pt\", --pt): its draws "
            "are the 2^pt_rounds scans of the last round (sampler.pt_rounds)",
            option));
      };
      if (warmup >= 0) refuse(fmt::format("--warmup = {}", warmup));
      if (samples > 0) refuse(fmt::format("--samples = {}", samples));
      if (!init.empty()) refuse(fmt::format("--init = {}", init));
    }
    pipeline::apply_overrides(c, overrides());
    if (!init.empty()) c.sampler.init = init;
    if (!metric.empty()) c.sampler.metric = metric;
  }

  pipeline::Overrides overrides() const {
    pipeline::Overrides o;
    if (chains > 0) o.num_chains = chains;
    if (warmup >= 0) o.num_warmup = warmup;
    if (samples > 0) o.num_samples = samples;
    if (threads >= 0) o.num_threads = threads;
    if (threads_per_chain >= 0) o.threads_per_chain = threads_per_chain;
    if (seed_option != nullptr && seed_option->count() > 0) o.seed = seed;
    if (!out.empty()) o.out = out;
    o.quiet = quiet;
    return o;
  }
};

int report_fit(const pipeline::FitResult& r) {
  std::cout << r.summary_text << std::flush;
  return r.complete ? 0 : interrupted_exit_code(r.stop_signal);
}

}  // namespace

/// `airy demo calibration [--seed K]`: simulate, MAP and every parameter's Laplace sd of the
/// reduced pixel-level calibration (pipeline::calibration_demo).
int run_calibration_demo(const CLI::App& cmd, const SamplingFlags& flags) {
  // The sampling options have no meaning here (no sampler runs): an error, not a silent no-op.
  // --seed K draws another data set: the true flat field (Philox seed K) and the noise
  // (noise.seed = K) both change with K (the coverage study, tools/calibration_coverage.sh).
  for (const char* name : {"--chains", "--warmup", "--samples", "--threads", "--threads-per-chain",
                           "--init", "--metric"}) {
    if (cmd.get_option(name)->count() > 0) {
      throw InvalidArgument(fmt::format(
          "airy demo calibration: {} is not used (the calibration demo runs the MAP and the "
          "Laplace sds, no sampler)",
          name));
    }
  }
  pipeline::CalibrationDemoOptions o;
  o.out_dir = flags.out;
  o.overwrite = flags.overwrite;
  if (flags.seed_option != nullptr && flags.seed_option->count() > 0) {
    o.flat_seed = flags.seed;
    o.noise_seed = flags.seed;
    std::cout << fmt::format(
        "airy demo calibration: data set {} (true flat field Philox seed {}, noise.seed {})\n",
        flags.seed, o.flat_seed, o.noise_seed);
  }
  std::cout << "airy demo calibration: a true flat field, 5 dithered exposures of 8 stars "
               "(examples/calibration.toml), then the MAP and Laplace sds of all 4127 "
               "parameters from examples/calibration_guess.toml\n";
  const pipeline::CalibrationDemoResult r = pipeline::calibration_demo(o);
  std::cout << r.map.table;
  std::cout << fmt::format(
      "airy demo calibration: simulation in {}/, MAP and sds in {}/ (flat_field.png: true, "
      "MAP, (MAP - true)/sd, sd)\n",
      r.sim_dir, r.map_dir);
  return r.map.result.interrupted ? interrupted_exit_code(r.map.stop_signal) : 0;
}

Action add_demo(CLI::App& app, const std::string& command_line) {
  auto* cmd = app.add_subcommand(
      "demo",
      "the flagship: simulate a binary star through an aberrated telescope and recover its 6 "
      "stellar and 7 optical parameters with NUTS (embedded examples/binary_star.toml); "
      "`airy demo calibration`: the pixel-level calibration of examples/calibration.toml");
  auto which = std::make_shared<std::string>("flagship");
  cmd->add_option("example", *which,
                  "flagship (default) or calibration (docs/calibration.md: 5 dithers, a 64 x 64 "
                  "flat field, MAP and every parameter's Laplace sd)")
      ->check(CLI::IsMember({"flagship", "calibration"}));
  auto flags = std::make_shared<SamplingFlags>();
  flags->add_to(cmd);
  auto pt = std::make_shared<bool>(false);
  cmd->add_flag("--pt", *pt,
                "the flagship through non-reversible parallel tempering instead of NUTS "
                "(sampler.pt_chains = 10 chains, pt_rounds = 10 rounds; --chains independent "
                "PT runs) with its evidence log Z; flagship only");
  return [cmd, which, flags, pt, command_line]() {
    if (!*cmd) return -1;
    if (*which == "calibration") {
      if (*pt)
        throw InvalidArgument("airy demo calibration: --pt: the calibration demo runs no sampler");
      return run_calibration_demo(*cmd, *flags);
    }
    config::Config c = config::parse_config(config::flagship_toml(), "<embedded binary_star.toml>");
    // --pt: the flagship's NUTS settings (MAP start, dense Laplace metric) are set aside.
    if (*pt) (void)pipeline::switch_to_pt(c);
    flags->apply(c);
    std::cout << fmt::format("airy demo: simulating the flagship into {}/\n", c.output_dir);
    const auto sim = pipeline::simulate(c, c.output_dir, flags->overwrite);
    if (*pt) {
      std::cout << fmt::format(
          "airy demo: parallel tempering, {} run(s) x {} chains from the prior to the "
          "posterior, {} rounds ({} draws per run), 13 parameters\n",
          c.sampler.num_chains, c.sampler.pt_chains, c.sampler.pt_rounds, 1 << c.sampler.pt_rounds);
    } else {
      std::cout << fmt::format(
          "airy demo: sampling {} chains x ({} warmup + {} draws), 13 parameters\n",
          c.sampler.num_chains, c.sampler.num_warmup, c.sampler.num_samples);
    }
    pipeline::FitOptions o;
    o.data_path = sim.data_path;
    o.quiet = flags->quiet;
    o.command_line = command_line;
    const auto r = pipeline::fit(c, o);  // adds to the simulation's directory
    const int code = report_fit(r);
    std::cout << fmt::format(
        "airy demo: wall {:.1f} s, {} gradient evaluations, min bulk-ESS {:.0f} = {:.1f} per "
        "second; outputs in {}/\n",
        r.summary.wall_seconds, r.summary.gradient_evaluations, r.summary.min_ess_bulk,
        r.summary.ess_per_second, c.output_dir);
    return code;
  };
}

Action add_simulate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "simulate", "render the configured telescope, add noise, write FITS images and a preview");
  auto config_path = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto overwrite = std::make_shared<bool>(false);
  cmd->add_option("config", *config_path, "TOML configuration (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", *out, "output directory (output.dir)");
  add_overwrite_flag(cmd, *overwrite);
  return [cmd, config_path, out, overwrite]() {
    if (!*cmd) return -1;
    config::Config c = config::load_config(*config_path);
    if (!out->empty()) c.output_dir = *out;
    const auto r = pipeline::simulate(c, c.output_dir, *overwrite);
    std::string files;
    for (const auto& f : r.written) files += (files.empty() ? "" : ", ") + f;
    std::cout << fmt::format("airy simulate: wrote {} in {}/\n", files, c.output_dir);
    return 0;
  };
}

Action add_fit(CLI::App& app, const std::string& command_line) {
  auto* cmd = app.add_subcommand(
      "fit",
      "sample the posterior of the configured priors given a data image (NUTS, or parallel "
      "tempering with --pt)");
  auto config_path = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto truth = std::make_shared<std::string>();
  auto no_plots = std::make_shared<bool>(false);
  cmd->add_option("config", *config_path, "TOML configuration (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  // Required without [[exposures]]; with them each exposure names its own `data` file.
  cmd->add_option("--data", *data,
                  "FITS image of the data (photons); with [[exposures]]: the file of the "
                  "exposures that name no `data` (docs/config.md)");
  cmd->add_option("--truth", *truth,
                  "truth.toml of known values (default: the truth.toml beside the data, when "
                  "`airy simulate` wrote it for that data file)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--no-plots", *no_plots, "skip the figures");
  auto pt = std::make_shared<bool>(false);
  cmd->add_flag("--pt", *pt,
                "non-reversible parallel tempering (sampler.method = \"pt\"): --chains "
                "independent PT runs of sampler.pt_chains chains each, and the evidence log Z; "
                "the config's NUTS-only settings are set aside (docs/inference.md)");
  auto grid = std::make_shared<std::string>();
  auto grid_starts = std::make_shared<int>(0);
  cmd->add_option("--grid", *grid,
                  "NAME=POINTS,...: a coarse grid searched before the MAP's L-BFGS, its best "
                  "points started first, e.g. separation=8,position_angle=12 "
                  "(sampler.map_grid; sets init = map when no MAP runs; docs/inference.md)");
  cmd->add_option("--grid-starts", *grid_starts,
                  "the best grid points started by L-BFGS (sampler.map_grid_starts)")
      ->check(integer_in(1, kIntMax));
  auto flags = std::make_shared<SamplingFlags>();
  flags->add_to(cmd);
  return [cmd, config_path, data, truth, no_plots, pt, grid, grid_starts, flags, command_line]() {
    if (!*cmd) return -1;
    // comm: the processes of `mpirun -np K airy fit --pt` (null: this process alone); only
    // rank 0 prints and writes.
    auto run = [&](infer::ReplicaComm* comm, bool root) {
      config::Config c = config::load_config(*config_path);
      if (*pt) {
        const std::vector<std::string> dropped = pipeline::switch_to_pt(c);
        if (!dropped.empty() && !flags->quiet && root) {
          std::cerr << fmt::format(
              "airy fit: --pt: the config's NUTS settings do not apply to parallel tempering: "
              "{}\n",
              fmt::join(dropped, ", "));
        }
      }
      flags->apply(c);
      if (!grid->empty()) {
        pipeline::apply_grid(c, *grid, *grid_starts);
      } else if (*grid_starts > 0) {
        throw InvalidArgument("--grid-starts: only with --grid");
      }
      pipeline::FitOptions o;
      o.data_path = *data;
      o.truth_path = *truth;
      o.quiet = flags->quiet;
      o.plots = !*no_plots;
      o.overwrite = flags->overwrite;
      o.command_line = command_line;
      o.comm = comm;
      const pipeline::FitResult r = pipeline::fit(c, o);
      if (!root) return r.complete ? 0 : interrupted_exit_code(r.stop_signal);
      return report_fit(r);
    };
#ifdef AIRY_WITH_MPI
    if (launched_by_mpi()) {
      return run_under_mpi(
          [&](infer::ReplicaComm& comm, int rank) { return run(&comm, rank == 0); });
    }
#endif
    return run(nullptr, true);
  };
}

Action add_summary(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary", "re-read a run's chains and print the summary");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("run_dir", *dir, "output directory of a fit")->required();
  return [cmd, dir]() {
    if (!*cmd) return -1;
    const auto r = pipeline::summarize_run(*dir);
    std::cout << r.summary_text << std::flush;
    return r.complete ? 0 : interrupted_exit_code(0);
  };
}

/// `airy plot` options; each one given replaces the run's [plot] value.
struct PlotFlags {
  double width = -1.0, dpi = -1.0;
  std::vector<std::string> parameters, formats;
  std::string stretch;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--width", width, "figure width in inches: 3.5 column, 7 page (plot.width)")
        ->check(CLI::Range(1.0, 40.0));
    cmd->add_option("--parameters", parameters,
                    "corner/trace subset, comma-separated names or paths (plot.parameters)")
        ->delimiter(',');
    cmd->add_option("--format", formats, "png, pdf and/or svg, comma-separated (plot.format)")
        ->delimiter(',')
        ->check(CLI::IsMember({"png", "pdf", "svg"}));
    cmd->add_option("--stretch", stretch, "image stretch (plot.stretch)")
        ->check(CLI::IsMember({"linear", "sqrt", "log", "asinh"}));
    cmd->add_option("--dpi", dpi, "PNG resolution (plot.dpi)")->check(CLI::Range(1.0, 1200.0));
  }

  pipeline::PlotOverrides overrides() const {
    pipeline::PlotOverrides o;
    if (width > 0.0) o.width = width;
    if (dpi > 0.0) o.dpi = dpi;
    if (!parameters.empty()) o.parameters = parameters;
    if (!formats.empty()) o.formats = formats;
    if (!stretch.empty()) o.stretch = stretch;
    return o;
  }
};

Action add_plot(CLI::App& app) {
  auto* cmd = app.add_subcommand("plot", "redraw the figures of a run directory");
  auto dir = std::make_shared<std::string>();
  auto flags = std::make_shared<PlotFlags>();
  cmd->add_option("run_dir", *dir, "output directory of a fit")->required();
  flags->add_to(cmd);
  return [cmd, dir, flags]() {
    if (!*cmd) return -1;
    pipeline::plot_run(*dir, flags->overrides());
    std::cout << fmt::format("airy plot: redrew fit_images, corner and trace in {}/\n", *dir);
    return 0;
  };
}

}  // namespace airy::cli
