// SPDX-License-Identifier: BSD-3-Clause
// CmdStan CSV reader: the inverse of CmdStanCsvSink, also reading CmdStan's own files.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "airy/core/error.hpp"
#include "airy/io/cmdstan_csv.hpp"

namespace airy::io {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

/// Parses a CSV number ("nan", "inf", "-inf" included); false if `s` is not one.
bool parse_double(const std::string& s, double& v) {
  const std::string t = trim(s);
  if (t == "nan" || t == "NaN" || t == "-nan") {
    v = std::nan("");
    return true;
  }
  if (t == "inf" || t == "Inf" || t == "+inf") {
    v = HUGE_VAL;
    return true;
  }
  if (t == "-inf" || t == "-Inf") {
    v = -HUGE_VAL;
    return true;
  }
  const char* first = t.data();
  const char* last = t.data() + t.size();
  if (!t.empty() && t[0] == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, v);
  return ec == std::errc() && ptr == last && first != last;
}

/// A comma-separated list of numbers; empty unless every field is one (a row of the inverse
/// metric: a partly numeric line is not a row, rather than a row with fields dropped).
std::vector<double> parse_list(const std::string& text) {
  std::vector<double> out;
  for (const std::string& f : split(text, ',')) {
    double v = 0.0;
    if (!parse_double(f, v)) return {};
    out.push_back(v);
  }
  return out;
}

[[noreturn]] void fail(const std::string& path, int line, const std::string& what) {
  throw InvalidArgument(fmt::format("{}:{}: {}", path, line, what));
}

/// `v` as an integer in [lo, hi], checked before narrowing (a cast of 1e300 or NaN to an
/// integer is undefined behaviour). Throws "path:line: what = v: expected an integer in [lo, hi]".
template <typename Int>
Int checked_integer(double v, Int lo, Int hi, const std::string& path, int line,
                    const std::string& what) {
  // hi + 1 is exact in double for int and int64 bounds (a power of two), hi itself may not be.
  if (!(v >= static_cast<double>(lo) && v < static_cast<double>(hi) + 1.0) || v != std::floor(v)) {
    fail(path, line, fmt::format("{} = {}: expected an integer in [{}, {}]", what, v, lo, hi));
  }
  return static_cast<Int>(v);
}

}  // namespace

CmdStanCsv read_cmdstan_csv(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw InvalidArgument(fmt::format("{}: CmdStan CSV file does not exist", path));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  CmdStanCsv out;
  // A run killed mid-write may leave a last line without its newline: drop it.
  if (!text.empty() && text.back() != '\n') {
    const auto nl = text.rfind('\n');
    text.erase(nl == std::string::npos ? 0 : nl + 1);
    out.dropped_partial_lines = 1;
  }
  std::vector<std::string> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();

  infer::Chain& chain = out.chain;
  chain.complete = false;
  std::vector<std::vector<double>> rows;
  std::vector<infer::SampleStats> stats;
  bool have_header = false;
  bool adapted = false;
  int warmup_rows = 0;
  std::vector<std::vector<double>> metric_rows;
  enum class Metric { kNone, kDiag, kDense } metric = Metric::kNone;
  Metric declared_metric = Metric::kNone;  // the kind of the last "... inverse mass matrix:"
  std::size_t stat_cols = 0;

  for (std::size_t li = 0; li < lines.size(); ++li) {
    const int lineno = static_cast<int>(li) + 1;
    std::string line = lines[li];
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      const std::string body = trim(std::string_view(line).substr(1));
      if (!have_header) {
        const auto eq = body.find('=');
        if (eq == std::string::npos) continue;
        std::string value = trim(std::string_view(body).substr(eq + 1));
        const std::string def = "(Default)";
        if (value.size() >= def.size() && value.ends_with(def)) {
          value = trim(std::string_view(value).substr(0, value.size() - def.size()));
        }
        out.config[trim(std::string_view(body).substr(0, eq))] = value;
        continue;
      }
      if (metric != Metric::kNone) {
        // Rows of the inverse metric follow the "... inverse mass matrix:" line.
        std::vector<double> v = parse_list(body);
        if (!v.empty() && (metric == Metric::kDense || metric_rows.empty())) {
          metric_rows.push_back(std::move(v));
          if (metric == Metric::kDiag) metric = Metric::kNone;
          continue;
        }
        metric = Metric::kNone;
      }
      if (body == "Adaptation terminated") {
        adapted = true;
        warmup_rows = static_cast<int>(rows.size());
      } else if (body.starts_with("Step size =")) {
        parse_double(body.substr(11), chain.stepsize);
      } else if (body.starts_with("Diagonal elements of inverse mass matrix")) {
        metric = declared_metric = Metric::kDiag;
        metric_rows.clear();
      } else if (body.starts_with("Elements of inverse mass matrix")) {
        metric = declared_metric = Metric::kDense;
        metric_rows.clear();
      } else if (body.starts_with("Elapsed Time:")) {
        std::istringstream(body.substr(13)) >> chain.warmup_seconds;
      } else if (body.ends_with("seconds (Sampling)")) {
        std::istringstream(body) >> chain.sampling_seconds;
      } else if (body.ends_with("seconds (Total)")) {
        chain.complete = true;
      } else if (body.starts_with("airy_gradient_evaluations =")) {
        double v = 0.0;
        if (parse_double(body.substr(27), v)) {
          chain.gradient_evaluations =
              checked_integer<std::int64_t>(v, 0, std::numeric_limits<std::int64_t>::max(), path,
                                            lineno, "airy_gradient_evaluations");
        }
      }
      continue;
    }
    metric = Metric::kNone;
    const std::vector<std::string> fields = split(line, ',');
    if (!have_header) {
      out.columns = fields;
      const auto& stat_names = infer::sample_stat_names();
      for (const std::string& c : fields) {
        if (c.ends_with("__")) {
          ++stat_cols;
        } else {
          chain.names.push_back(from_cmdstan_name(c));
        }
      }
      std::set<std::string> seen;
      for (std::size_t j = 0; j < chain.names.size(); ++j) {
        const std::string& column = fields[stat_cols + j];
        if (trim(column).empty()) {
          fail(path, lineno, fmt::format("header column {} has no name", stat_cols + j + 1));
        }
        if (!seen.insert(chain.names[j]).second) {
          fail(path, lineno, fmt::format("header column '{}' appears twice", column));
        }
      }
      if (stat_cols != stat_names.size() ||
          !std::equal(stat_names.begin(), stat_names.end(), fields.begin())) {
        fail(path, lineno,
             "header must start with lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,"
             "divergent__,energy__ (NUTS output)");
      }
      have_header = true;
      continue;
    }
    std::vector<double> v(fields.size());
    bool ok = fields.size() == out.columns.size();
    for (std::size_t j = 0; ok && j < fields.size(); ++j) ok = parse_double(fields[j], v[j]);
    if (!ok) {
      if (li + 1 == lines.size()) {  // a cut-off last line: drop it
        ++out.dropped_partial_lines;
        break;
      }
      fail(path, lineno,
           fmt::format("draw row has {} fields or a non-number; header has {} columns",
                       fields.size(), out.columns.size()));
    }
    constexpr int kIntMax = std::numeric_limits<int>::max();
    infer::SampleStats st;
    st.lp = v[0];
    st.accept_stat = v[1];
    st.stepsize = v[2];
    st.treedepth = checked_integer(v[3], 0, kIntMax, path, lineno, "treedepth__");
    st.n_leapfrog = checked_integer(v[4], 0, kIntMax, path, lineno, "n_leapfrog__");
    st.divergent = checked_integer(v[5], 0, 1, path, lineno, "divergent__") == 1;
    st.energy = v[6];
    stats.push_back(st);
    rows.emplace_back(v.begin() + static_cast<std::ptrdiff_t>(stat_cols), v.end());
  }
  if (!have_header) fail(path, static_cast<int>(lines.size()), "no CSV header row found");

  const int n = static_cast<int>(rows.size());
  chain.draws.resize(n, static_cast<Eigen::Index>(chain.names.size()));
  for (int i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < chain.names.size(); ++j) chain.draws(i, j) = rows[i][j];
  }
  chain.stats = std::move(stats);
  const bool save_warmup =
      out.config.count("save_warmup") != 0 &&
      (out.config["save_warmup"] == "1" || out.config["save_warmup"] == "true");
  chain.num_warmup_saved = save_warmup ? (adapted ? warmup_rows : n) : 0;
  if (out.config.count("id") != 0) {
    double id = 0.0;
    if (!parse_double(out.config["id"], id)) {
      fail(path, 0, fmt::format("config 'id = {}' is not an integer", out.config["id"]));
    }
    chain.id = checked_integer(id, 0, std::numeric_limits<int>::max(), path, 0, "config 'id'");
  }
  if (!metric_rows.empty()) {
    if (declared_metric == Metric::kDiag) {
      chain.inv_metric = Eigen::Map<const RealMatrix>(
          metric_rows[0].data(), static_cast<Eigen::Index>(metric_rows[0].size()), 1);
    } else {
      const auto d = static_cast<Eigen::Index>(metric_rows.size());
      chain.inv_metric.resize(d, d);
      for (Eigen::Index i = 0; i < d; ++i) {
        if (static_cast<Eigen::Index>(metric_rows[i].size()) != d) {
          fail(path, 0,
               fmt::format("dense inverse metric is not square: {} rows, row {} has {} values", d,
                           i + 1, metric_rows[i].size()));
        }
        for (Eigen::Index j = 0; j < d; ++j) chain.inv_metric(i, j) = metric_rows[i][j];
      }
    }
  }
  return out;
}

infer::Run read_cmdstan_csv_run(const std::vector<std::string>& paths) {
  infer::Run run;
  for (const std::string& p : paths) {
    CmdStanCsv c = read_cmdstan_csv(p);
    if (!run.chains.empty() && c.chain.names != run.chains.front().names) {
      throw InvalidArgument(fmt::format("{}: columns differ from those of {}", p, paths.front()));
    }
    run.wall_seconds =
        std::max(run.wall_seconds, c.chain.warmup_seconds + c.chain.sampling_seconds);
    run.chains.push_back(std::move(c.chain));
  }
  return run;
}

}  // namespace airy::io
