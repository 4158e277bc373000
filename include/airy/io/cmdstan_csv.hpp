// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief CmdStan-format CSV: a streaming DrawSink (one file per chain) and a reader.
///
/// The files follow CmdStan 2.35 (docs/file_formats.md §CSV) so that `cmdstanpy.from_csv`,
/// `arviz.from_cmdstan` (ArviZ 0.x) and `pandas.read_csv(f, comment="#")` read them:
/// `# key = value` config comments, the header row
/// `lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,<params>`,
/// draws, the `# Adaptation terminated` block, more draws, and the `# Elapsed Time` footer.
///
/// Column names: Stan identifiers cannot contain '.', which CmdStan uses as the index
/// separator, so an airy name `optics.aperture.coefficients[3]` is written as
/// `optics__aperture__coefficients.3` (each '.' of the base name becomes "__", each index
/// `[i]` becomes `.i`); the reader maps the names back.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "airy/infer/draws.hpp"

namespace airy::io {

/// airy's version string as written into file metadata.
inline constexpr const char* kAiryVersion = "0.1.0";

/// Sampler settings recorded in the CSV config comments (CmdStan's `method = sample` tree).
struct CsvSamplerSettings {
  std::string model = "airy_model";  ///< `model` (required by cmdstanpy); no '=' allowed
  int num_samples = 1000;
  int num_warmup = 1000;
  bool save_warmup = false;
  int thin = 1;
  bool adapt_engaged = true;
  double delta = 0.8;  ///< target acceptance
  double gamma = 0.05;
  double kappa = 0.75;
  double t0 = 10.0;
  int init_buffer = 75;
  int term_buffer = 50;
  int window = 25;
  int max_depth = 10;
  std::string metric = "diag_e";  ///< unit_e, diag_e or dense_e
  double stepsize = 1.0;          ///< initial step size
  double stepsize_jitter = 0.0;
  int num_chains = 1;
  std::uint64_t seed = 0;
  std::string init = "2";
  std::string data_file;  ///< `data file` (e.g. the observed FITS), may be empty
  /// Further `# key = value` lines written after the standard tree (e.g. zernike_noll).
  std::vector<std::pair<std::string, std::string>> extra;
};

/// Options of CmdStanCsvSink.
struct CsvSinkOptions {
  /// Output path; "{id}" is replaced by the chain id. Without "{id}", "_<id>" is inserted
  /// before the extension (fit.csv -> fit_1.csv), as CmdStan does.
  std::string path_pattern = "output_{id}.csv";
  bool exact_path = false;  ///< use path_pattern verbatim (no "{id}" substitution)
  CsvSamplerSettings settings;
  int flush_every = 1;  ///< flush the stream every this many draws (1: every draw)
  /// The names the header shows instead of the sampler's (same count, same order), e.g.
  /// `positions[2,1]` for the sampler's `positions[3]` (docs/file_formats.md); empty: the
  /// sampler's names.
  std::vector<std::string> column_names;
};

/// The CSV path for chain `chain_id` under `pattern` (see CsvSinkOptions::path_pattern).
std::string csv_chain_path(const std::string& pattern, int chain_id);

/// airy name -> CmdStan column name (`a.b[3]` -> `a__b.3`, `m[1,2]` -> `m.1.2`).
std::string to_cmdstan_name(const std::string& name);
/// CmdStan column name -> airy name (`a__b.3` -> `a.b[3]`, `m.1.2` -> `m[1,2]`).
std::string from_cmdstan_name(const std::string& column);

/// Writes one chain as CmdStan CSV while it is being sampled. The file only grows by whole
/// lines: draws are written (per `flush_every`) with write(2), every write is checked, and a
/// failed one (a full disk) is cut back to the last whole line before the error is thrown,
/// naming the file. An interrupted (or killed) run leaves a file whose lines all parse; only
/// a completed chain gets the `# Elapsed Time` footer.
/// Numbers are written in shortest round-trip form (17 significant digits at most);
/// treedepth__, n_leapfrog__ and divergent__ as integers.
class CmdStanCsvSink final : public infer::DrawSink {
 public:
  explicit CmdStanCsvSink(CsvSinkOptions options);
  ~CmdStanCsvSink() override;
  CmdStanCsvSink(const CmdStanCsvSink&) = delete;
  CmdStanCsvSink& operator=(const CmdStanCsvSink&) = delete;

  /// Creates the file (replacing one there; throws airy::Error naming the path) and writes
  /// config and header (the names, or options.column_names when given: InvalidArgument when
  /// their count differs). The entries of a variable with two or more indices (`m[i,j]`) are
  /// written column-major, first index fastest, as CmdStan writes matrices and cmdstanpy /
  /// stanio reshape them (`m.1.1, m.2.1, m.1.2, m.2.2`), wherever the sampler has them; every
  /// other column keeps the sampler's order.
  void begin(int chain_id, std::span<const std::string> names) override;
  /// Writes the `# Adaptation terminated` block.
  void adaptation(double stepsize, const RealMatrix& inv_metric) override;
  /// Writes one row (warmup rows only when settings.save_warmup). Throws InvalidArgument
  /// when values.size() differs from the names.
  void draw(bool warmup, std::span<const double> values, const infer::SampleStats& stats) override;
  /// Writes the timing footer when chain.complete, then closes the file.
  void end(const infer::Chain& chain) override;

  /// Path of the file being written (empty before begin()).
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  /// Appends `pending_` to the file; on failure truncates it to the last whole line, closes
  /// it and throws airy::Error "'<path>': cannot be written: <reason>".
  void flush_pending();
  void close_file() noexcept;

  CsvSinkOptions options_;
  std::string path_;
  int fd_ = -1;
  std::int64_t written_ = 0;  ///< bytes in the file, all whole lines
  std::string pending_;       ///< whole lines not yet written
  std::size_t num_columns_ = 0;
  int since_flush_ = 0;
  /// CSV parameter column j holds value order_[j] of each draw (matrices column-major).
  std::vector<std::size_t> order_;
};

/// Writes a finished chain to `path` in one go (same format as the sink).
void write_cmdstan_csv(const std::string& path, const infer::Chain& chain,
                       const CsvSamplerSettings& settings);

/// A CmdStan CSV file read back.
struct CmdStanCsv {
  infer::Chain chain;                         ///< names mapped back to `name[i]`
  std::map<std::string, std::string> config;  ///< `# key = value` lines, "(Default)" stripped
  std::vector<std::string> columns;           ///< raw header row, as in the file
  int dropped_partial_lines = 0;              ///< 1 when a cut-off last line was dropped
};

/// Parses a CmdStan CSV (airy's or CmdStan's own). A last line cut mid-way (no newline, or
/// too few fields) is dropped; `chain.complete` is false when the `Elapsed Time` footer is
/// missing. Throws airy::InvalidArgument naming the path and line for malformed content.
CmdStanCsv read_cmdstan_csv(const std::string& path);

/// Reads one file per chain into a Run (chains must share column names).
infer::Run read_cmdstan_csv_run(const std::vector<std::string>& paths);

}  // namespace airy::io
