// SPDX-License-Identifier: BSD-3-Clause
// CmdStan CSV writer (the reader is in cmdstan_csv_read.cpp).
#include "airy/io/cmdstan_csv.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"

namespace airy::io {
namespace {

/// Shortest representation that reads back to the same double; nan/inf as CmdStan spells them.
std::string num(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

std::string flag(bool b) { return b ? "1" : "0"; }

std::string utc_now() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", now);
}

/// The column order of `names` in a CmdStan CSV: each variable whose names carry two or
/// more indices (`m[i,j]`) has its entries sorted column-major (first index fastest: compare
/// the index tuples from the last index), at the place of its first entry; every other name
/// keeps its position. Malformed indices leave the order as it is.
std::vector<std::size_t> column_major_order(std::span<const std::string> names) {
  struct Entry {
    std::string base;
    std::vector<long> index;  ///< empty: not a multi-index name
  };
  std::vector<Entry> entries;
  for (const std::string& n : names) {
    Entry e;
    const auto br = n.find('[');
    if (br != std::string::npos && n.back() == ']' && n.find(',', br) != std::string::npos) {
      e.base = n.substr(0, br);
      std::string_view rest(n.data() + br + 1, n.size() - br - 2);
      bool ok = true;
      while (ok) {
        const auto comma = rest.find(',');
        const std::string_view part = rest.substr(0, comma);
        long v = 0;
        const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        ok = ec == std::errc() && ptr == part.data() + part.size();
        e.index.push_back(v);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      if (!ok) e.index.clear();
    }
    entries.push_back(std::move(e));
  }
  std::vector<std::size_t> order;
  std::vector<bool> placed(names.size(), false);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (placed[i]) continue;
    if (entries[i].index.empty()) {
      order.push_back(i);
      placed[i] = true;
      continue;
    }
    std::vector<std::size_t> group;
    for (std::size_t k = i; k < names.size(); ++k) {
      if (!placed[k] && !entries[k].index.empty() && entries[k].base == entries[i].base) {
        group.push_back(k);
        placed[k] = true;
      }
    }
    std::stable_sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
      return std::lexicographical_compare(entries[a].index.rbegin(), entries[a].index.rend(),
                                          entries[b].index.rbegin(), entries[b].index.rend());
    });
    order.insert(order.end(), group.begin(), group.end());
  }
  return order;
}

}  // namespace

std::string csv_chain_path(const std::string& pattern, int chain_id) {
  const std::string id = std::to_string(chain_id);
  std::string out = pattern;
  const auto pos = out.find("{id}");
  if (pos != std::string::npos) return out.replace(pos, 4, id);
  const std::filesystem::path p(pattern);
  return (p.parent_path() / (p.stem().string() + "_" + id + p.extension().string())).string();
}

std::string to_cmdstan_name(const std::string& name) {
  std::string base = name;
  std::string index;
  const auto br = name.find('[');
  if (br != std::string::npos && name.back() == ']') {
    base = name.substr(0, br);
    index = name.substr(br + 1, name.size() - br - 2);
  }
  std::string out;
  for (char c : base) {
    if (c == '.') {
      out += "__";
    } else {
      out += c;
    }
  }
  if (!index.empty()) {
    out += '.';
    for (char c : index) {
      if (c == ',') {
        out += '.';
      } else if (c != ' ') {
        out += c;
      }
    }
  }
  return out;
}

std::string from_cmdstan_name(const std::string& column) {
  const auto dot = column.find('.');
  std::string base = column.substr(0, dot);
  std::string out;
  for (std::size_t i = 0; i < base.size(); ++i) {
    // "__" inside the name maps back to '.'; a trailing "__" (lp__, energy__) is kept.
    if (base[i] == '_' && i + 1 < base.size() && base[i + 1] == '_' && i + 2 < base.size()) {
      out += '.';
      ++i;
    } else {
      out += base[i];
    }
  }
  if (dot != std::string::npos) {
    std::string idx = column.substr(dot + 1);
    for (char& c : idx) {
      if (c == '.') c = ',';
    }
    out += "[" + idx + "]";
  }
  return out;
}

CmdStanCsvSink::CmdStanCsvSink(CsvSinkOptions options) : options_(std::move(options)) {
  if (options_.flush_every < 1) options_.flush_every = 1;
}

CmdStanCsvSink::~CmdStanCsvSink() {
  if (fd_ < 0) return;
  try {
    flush_pending();  // lines of a chain that ended without end() (another chain failed)
  } catch (const Error&) {
    // The file already holds whole lines only; the error was or will be reported elsewhere.
  }
  close_file();
}

void CmdStanCsvSink::close_file() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void CmdStanCsvSink::flush_pending() {
  if (fd_ < 0 || pending_.empty()) return;
  const int err = detail::write_all(fd_, pending_.data(), pending_.size());
  if (err != 0) {
    // Cut a partly written block back to the last whole line (readers drop a cut-off last
    // line, but a file that only ever holds whole lines needs no such care).
    // (fails harmlessly on a pipe or /dev/full: nothing to cut there)
    [[maybe_unused]] const int cut = ::ftruncate(fd_, static_cast<off_t>(written_));
    close_file();
    // Not even the header: leave no file at all (a device such as /dev/full stays).
    std::error_code ec;
    if (written_ == 0 && std::filesystem::is_regular_file(path_, ec)) {
      std::filesystem::remove(path_, ec);
    }
    throw Error(fmt::format("'{}': cannot be written: {}", path_, std::strerror(err)));
  }
  written_ += static_cast<std::int64_t>(pending_.size());
  pending_.clear();
}

void CmdStanCsvSink::begin(int chain_id, std::span<const std::string> sampler_names) {
  const CsvSamplerSettings& s = options_.settings;
  if (!options_.column_names.empty() && options_.column_names.size() != sampler_names.size()) {
    throw InvalidArgument(
        fmt::format("CmdStanCsvSink: {} column names given for the sampler's {} outputs",
                    options_.column_names.size(), sampler_names.size()));
  }
  const std::span<const std::string> names =
      options_.column_names.empty() ? sampler_names
                                    : std::span<const std::string>(options_.column_names);
  if (s.model.find('=') != std::string::npos) {
    throw InvalidArgument(
        fmt::format("CmdStanCsvSink: model name '{}' must not contain '='", s.model));
  }
  path_ =
      options_.exact_path ? options_.path_pattern : csv_chain_path(options_.path_pattern, chain_id);
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  close_file();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error(fmt::format("'{}': cannot be written: {}", path_, std::strerror(errno)));
  }
  written_ = 0;
  pending_.clear();
  std::string h;
  auto line = [&h](const std::string& text) { h += "# " + text + "\n"; };
  line("stan_version_major = 2");
  line("stan_version_minor = 35");
  line("stan_version_patch = 0");
  line("model = " + s.model);
  line("start_datetime = " + utc_now());
  line("method = sample (Default)");
  line("  sample");
  line(fmt::format("    num_samples = {}", s.num_samples));
  line(fmt::format("    num_warmup = {}", s.num_warmup));
  line("    save_warmup = " + flag(s.save_warmup));
  line(fmt::format("    thin = {}", s.thin));
  line("    adapt");
  line("      engaged = " + flag(s.adapt_engaged));
  line("      gamma = " + num(s.gamma));
  line("      delta = " + num(s.delta));
  line("      kappa = " + num(s.kappa));
  line("      t0 = " + num(s.t0));
  line(fmt::format("      init_buffer = {}", s.init_buffer));
  line(fmt::format("      term_buffer = {}", s.term_buffer));
  line(fmt::format("      window = {}", s.window));
  line("      save_metric = 0");
  line("    algorithm = hmc (Default)");
  line("      hmc");
  line("        engine = nuts (Default)");
  line("          nuts");
  line(fmt::format("            max_depth = {}", s.max_depth));
  line("        metric = " + s.metric);
  line("        metric_file =  (Default)");
  line("        stepsize = " + num(s.stepsize));
  line("        stepsize_jitter = " + num(s.stepsize_jitter));
  line(fmt::format("    num_chains = {}", s.num_chains));
  line(fmt::format("id = {}", chain_id));
  line("data");
  line("  file = " + s.data_file);
  line("init = " + s.init);
  line("random");
  line(fmt::format("  seed = {}", s.seed));
  line("output");
  line("  file = " + std::filesystem::path(path_).filename().string());
  line("  diagnostic_file =  (Default)");
  line("  refresh = 100 (Default)");
  line("  sig_figs = 17");
  line("num_threads = 1 (Default)");
  line(std::string("airy_version = ") + kAiryVersion);
  for (const auto& [key, value] : s.extra) {
    if (key.find('=') != std::string::npos || value.find('=') != std::string::npos) {
      throw InvalidArgument(
          fmt::format("CmdStanCsvSink: extra config '{}' = '{}' must not contain '='", key, value));
    }
    line(key + " = " + value);
  }
  h += "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__";
  order_ = column_major_order(names);
  for (std::size_t j : order_) {
    h += ',';
    h += to_cmdstan_name(names[j]);
  }
  h += "\n";
  pending_ = std::move(h);
  flush_pending();
  num_columns_ = names.size();
  since_flush_ = 0;
}

void CmdStanCsvSink::adaptation(double stepsize, const RealMatrix& inv_metric) {
  std::string b = "# Adaptation terminated\n# Step size = " + num(stepsize) + "\n";
  if (options_.settings.metric == "unit_e" || inv_metric.size() == 0) {
    b += "# No free parameters for unit metric\n";
  } else if (inv_metric.cols() == 1) {
    b += "# Diagonal elements of inverse mass matrix:\n# ";
    for (Eigen::Index i = 0; i < inv_metric.rows(); ++i) {
      b += (i ? ", " : "") + num(inv_metric(i, 0));
    }
    b += "\n";
  } else {
    b += "# Elements of inverse mass matrix:\n";
    for (Eigen::Index i = 0; i < inv_metric.rows(); ++i) {
      b += "# ";
      for (Eigen::Index j = 0; j < inv_metric.cols(); ++j) {
        b += (j ? ", " : "") + num(inv_metric(i, j));
      }
      b += "\n";
    }
  }
  pending_ += b;
  flush_pending();
  since_flush_ = 0;
}

void CmdStanCsvSink::draw(bool warmup, std::span<const double> values,
                          const infer::SampleStats& st) {
  // The header promises save_warmup = 0: warmup rows would break every parser's row count.
  if (warmup && !options_.settings.save_warmup) return;
  if (values.size() != num_columns_) {
    throw InvalidArgument(fmt::format("{}: draw has {} values, header has {} parameters", path_,
                                      values.size(), num_columns_));
  }
  auto it = std::back_inserter(pending_);
  fmt::format_to(it, "{},{},{},{},{},{},{}", num(st.lp), num(st.accept_stat), num(st.stepsize),
                 st.treedepth, st.n_leapfrog, st.divergent ? 1 : 0, num(st.energy));
  for (std::size_t j : order_) fmt::format_to(it, ",{}", num(values[j]));
  pending_.push_back('\n');
  if (++since_flush_ >= options_.flush_every) {
    flush_pending();
    since_flush_ = 0;
  }
}

void CmdStanCsvSink::end(const infer::Chain& chain) {
  if (fd_ < 0) return;
  if (chain.complete) {
    const double w = chain.warmup_seconds, s = chain.sampling_seconds;
    pending_ += "# \n";
    pending_ += fmt::format("#  Elapsed Time: {:.3f} seconds (Warm-up)\n", w);
    pending_ += fmt::format("#                {:.3f} seconds (Sampling)\n", s);
    pending_ += fmt::format("#                {:.3f} seconds (Total)\n", w + s);
    pending_ += "# \n";
  } else {
    pending_ += "# Sampling interrupted: this chain is incomplete\n";
  }
  pending_ += fmt::format("# airy_gradient_evaluations = {}\n", chain.gradient_evaluations);
  flush_pending();
  // The finished file reaches the disk before the run reports itself complete.
  const int fd = fd_;
  fd_ = -1;
  const bool synced = ::fsync(fd) == 0 || errno == EINVAL;  // EINVAL: e.g. a pipe
  const int sync_errno = errno;
  if (::close(fd) != 0 || !synced) {
    throw Error(fmt::format("'{}': cannot be written: {}", path_,
                            std::strerror(synced ? errno : sync_errno)));
  }
}

void write_cmdstan_csv(const std::string& path, const infer::Chain& chain,
                       const CsvSamplerSettings& settings) {
  CsvSinkOptions opt;
  opt.path_pattern = path;
  opt.exact_path = true;
  opt.settings = settings;
  opt.flush_every = 1 << 30;
  CmdStanCsvSink sink(opt);
  sink.begin(chain.id, chain.names);
  const Eigen::Index n = chain.draws.rows();
  std::vector<double> row(static_cast<std::size_t>(chain.draws.cols()));
  for (Eigen::Index i = 0; i < n; ++i) {
    if (i == chain.num_warmup_saved && chain.stepsize > 0.0) {
      sink.adaptation(chain.stepsize, chain.inv_metric);
    }
    for (Eigen::Index j = 0; j < chain.draws.cols(); ++j) row[j] = chain.draws(i, j);
    sink.draw(i < chain.num_warmup_saved, row, chain.stats.at(static_cast<std::size_t>(i)));
  }
  if (n == chain.num_warmup_saved && chain.stepsize > 0.0) {
    sink.adaptation(chain.stepsize, chain.inv_metric);
  }
  sink.end(chain);
}

}  // namespace airy::io
