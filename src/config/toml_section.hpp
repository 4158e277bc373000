// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A validated view of one TOML table: typed getters whose errors name the file, line,
/// dotted key and value, and an unknown-key check that suggests the nearest known key.
#pragma once

#include <toml++/toml.h>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airy::config::detail {

/// Levenshtein edit distance (for "did you mean" suggestions).
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate nearest to `word`, or "" if none is reasonably close.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

class Section {
 public:
  /// @param known the keys this table accepts; any other key is an error.
  Section(const toml::table& table, std::string name, std::string source,
          std::initializer_list<std::string_view> known);
  /// A free-form table (no key check), for tables whose keys are user-defined.
  Section(const toml::table& table, std::string name, std::string source)
      : table_(table), name_(std::move(name)), source_(std::move(source)) {}

  [[nodiscard]] bool has(std::string_view key) const { return table_.contains(key); }
  [[nodiscard]] const std::string& name() const { return name_; }

  double number(std::string_view key, double fallback) const;
  int integer(std::string_view key, int fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::string string(std::string_view key, std::string fallback) const;
  std::vector<double> numbers(std::string_view key, std::vector<double> fallback) const;
  std::vector<int> integers(std::string_view key, std::vector<int> fallback) const;
  /// A sub-table, or nullopt if absent. @throws if the key holds something else.
  std::optional<Section> table(std::string_view key,
                               std::initializer_list<std::string_view> known) const;
  /// An array of tables ([[key]]), empty if absent.
  std::vector<Section> tables(std::string_view key,
                              std::initializer_list<std::string_view> known) const;
  /// The raw table (for free-form sub-tables such as priors).
  [[nodiscard]] const toml::table& raw() const { return table_; }

  /// Throws InvalidArgument "source:line:col: name.key = value: problem".
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

 private:
  std::string where(std::string_view key) const;
  const toml::node& node(std::string_view key) const;

  const toml::table& table_;
  std::string name_;
  std::string source_;
};

}  // namespace airy::config::detail
