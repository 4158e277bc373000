// SPDX-License-Identifier: BSD-3-Clause
#include "config/toml_section.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "airy/core/error.hpp"

namespace airy::config::detail {
namespace {

std::string render(const toml::node& n) {
  std::ostringstream os;
  if (auto s = n.as_string()) {
    os << '"' << s->get() << '"';
  } else if (n.is_table()) {
    os << "{table}";
  } else {
    n.visit([&os](const auto& v) { os << v; });
  }
  return os.str();
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Suggest only plausible typos: at most a third of the word's letters changed.
  if (best_distance == std::string::npos ||
      best_distance > std::max<std::size_t>(2, word.size() / 3)) {
    return "";
  }
  return best;
}

Section::Section(const toml::table& table, std::string name, std::string source,
                 std::initializer_list<std::string_view> known)
    : table_(&table), name_(std::move(name)), source_(std::move(source)) {
  std::vector<std::string> known_keys(known.begin(), known.end());
  for (const auto& [key, value] : *table_) {
    const std::string k(key.str());
    if (std::find(known_keys.begin(), known_keys.end(), k) != known_keys.end()) continue;
    const std::string suggestion = nearest(k, known_keys);
    std::string message =
        fmt::format("{}: unknown key '{}'", where(k), name_.empty() ? k : name_ + "." + k);
    if (!suggestion.empty()) message += fmt::format(" (did you mean '{}'?)", suggestion);
    message += fmt::format("; known keys of [{}]: {}", name_.empty() ? "top level" : name_,
                           fmt::join(known_keys, ", "));
    throw InvalidArgument(message);
  }
}

std::string Section::where(std::string_view key) const {
  const toml::node* n = table_->get(key);
  const auto& region = n ? n->source() : table_->source();
  if (region.begin.line > 0) {
    return fmt::format("{}:{}:{}", source_, region.begin.line, region.begin.column);
  }
  return source_;
}

void Section::fail(std::string_view key, std::string_view problem) const {
  const toml::node* n = table_->get(key);
  const std::string full = name_.empty() ? std::string(key) : fmt::format("{}.{}", name_, key);
  if (n) {
    throw InvalidArgument(fmt::format("{}: {} = {}: {}", where(key), full, render(*n), problem));
  }
  throw InvalidArgument(fmt::format("{}: {}: {}", where(key), full, problem));
}

void Section::check_all_used(std::string_view context, const TypeKeys& users) const {
  for (const auto& [key, value] : *table_) {
    const std::string k(key.str());
    if (used_.count(k) != 0) continue;
    std::vector<std::string> types;
    for (const auto& [type, keys] : users) {
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) types.push_back(type);
    }
    std::string problem = fmt::format("not used {}", context);
    if (!types.empty()) problem += fmt::format(" (used by: {})", fmt::join(types, ", "));
    problem += "; remove it";
    fail(k, problem);
  }
}

const toml::node& Section::node(std::string_view key) const {
  used_.insert(std::string(key));
  return *table_->get(key);
}

double Section::number(std::string_view key, double fallback) const {
  if (!has(key)) return fallback;
  const auto& n = node(key);
  if (auto v = n.value<double>(); v && (n.is_floating_point() || n.is_integer())) return *v;
  fail(key, "expected a number");
}

double Section::required_number(std::string_view key, std::string_view why) const {
  if (!has(key)) fail(key, fmt::format("required {}", why));
  return number(key, 0.0);
}

int Section::integer(std::string_view key, int fallback, int lo, int hi) const {
  if (!has(key)) return fallback;
  const auto& n = node(key);
  if (!n.is_integer()) fail(key, "expected an integer");
  const std::int64_t v = n.as_integer()->get();
  if (v < lo || v > hi) fail(key, fmt::format("must be in [{}, {}]", lo, hi));
  return static_cast<int>(v);
}

std::uint64_t Section::seed(std::string_view key, std::uint64_t fallback) const {
  if (!has(key)) return fallback;
  const auto& n = node(key);
  if (!n.is_integer()) fail(key, "expected an integer seed");
  const std::int64_t v = n.as_integer()->get();
  if (v < 0) fail(key, "a seed must be in [0, 9223372036854775807]");
  return static_cast<std::uint64_t>(v);
}

bool Section::boolean(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& n = node(key);
  if (!n.is_boolean()) fail(key, "expected true or false");
  return n.as_boolean()->get();
}

std::string Section::string(std::string_view key, std::string fallback) const {
  if (!has(key)) return fallback;
  const auto& n = node(key);
  if (!n.is_string()) fail(key, "expected a string");
  return n.as_string()->get();
}

std::vector<double> Section::numbers(std::string_view key, std::vector<double> fallback) const {
  if (!has(key)) return fallback;
  const auto* array = node(key).as_array();
  if (!array) fail(key, "expected an array of numbers");
  std::vector<double> out;
  for (const auto& element : *array) {
    if (!(element.is_floating_point() || element.is_integer())) {
      fail(key, "expected an array of numbers");
    }
    out.push_back(*element.value<double>());
  }
  return out;
}

std::vector<int> Section::integers(std::string_view key, std::vector<int> fallback, int lo,
                                   int hi) const {
  if (!has(key)) return fallback;
  const auto* array = node(key).as_array();
  if (!array) fail(key, "expected an array of integers");
  std::vector<int> out;
  for (const auto& element : *array) {
    if (!element.is_integer()) fail(key, "expected an array of integers");
    const std::int64_t v = element.as_integer()->get();
    if (v < lo || v > hi) {
      fail(key, fmt::format("entry {} is outside [{}, {}]", v, lo, hi));
    }
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::optional<Section> Section::table(std::string_view key,
                                      std::initializer_list<std::string_view> known) const {
  if (!has(key)) return std::nullopt;
  const auto* t = node(key).as_table();
  if (!t) fail(key, "expected a table");
  return Section(*t, name_.empty() ? std::string(key) : fmt::format("{}.{}", name_, key), source_,
                 known);
}

std::vector<Section> Section::tables(std::string_view key,
                                     std::initializer_list<std::string_view> known) const {
  std::vector<Section> out;
  if (!has(key)) return out;
  const auto* array = node(key).as_array();
  if (!array) fail(key, "expected an array of tables ([[...]])");
  int index = 0;
  for (const auto& element : *array) {
    const auto* t = element.as_table();
    if (!t) fail(key, "expected an array of tables ([[...]])");
    const std::string prefix = name_.empty() ? std::string(key) : fmt::format("{}.{}", name_, key);
    out.emplace_back(*t, fmt::format("{}[{}]", prefix, index++), source_, known);
  }
  return out;
}

}  // namespace airy::config::detail
