// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A validated view of one TOML table: typed getters whose errors name the file, line,
/// dotted key and value, an unknown-key check that suggests the nearest known key, and a
/// check that every key present was read by the parser (a key the chosen type does not use is
/// an error, never silently ignored).
#pragma once

#include <toml++/toml.h>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace airy::config::detail {

/// Levenshtein edit distance (for "did you mean" suggestions).
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate nearest to `word`, or "" if none is reasonably close.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

/// Which keys each type of a typed table ([[optics.aperture.shapes]], [[detector.layers]],
/// [source], ...) uses, for "used by ..." hints: {type, {keys}}.
using TypeKeys = std::vector<std::pair<std::string, std::vector<std::string>>>;

class Section {
 public:
  /// @param known the keys this table accepts; any other key is an error.
  Section(const toml::table& table, std::string name, std::string source,
          std::initializer_list<std::string_view> known);
  /// A free-form table (no key check), for tables whose keys are user-defined.
  Section(const toml::table& table, std::string name, std::string source)
      : table_(&table), name_(std::move(name)), source_(std::move(source)) {}

  [[nodiscard]] bool has(std::string_view key) const { return table_->contains(key); }
  [[nodiscard]] const std::string& name() const { return name_; }

  /// Typed getters: the fallback when the key is absent; a wrong type or value is an error
  /// naming the key. Every getter marks its key as used (see check_all_used).
  double number(std::string_view key, double fallback) const;
  /// A number that must be present. @throws naming the key ("required").
  double required_number(std::string_view key, std::string_view why) const;
  /// An integer in [lo, hi], range-checked as a 64-bit value before narrowing (so 2^32 + 2
  /// is an error, never 2).
  int integer(std::string_view key, int fallback, int lo = std::numeric_limits<int>::min(),
              int hi = std::numeric_limits<int>::max()) const;
  /// A seed: any integer in [0, 2^63 - 1] (TOML's integer range); negative is an error.
  std::uint64_t seed(std::string_view key, std::uint64_t fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::string string(std::string_view key, std::string fallback) const;
  std::vector<double> numbers(std::string_view key, std::vector<double> fallback) const;
  /// Integers each in [lo, hi].
  std::vector<int> integers(std::string_view key, std::vector<int> fallback,
                            int lo = std::numeric_limits<int>::min(),
                            int hi = std::numeric_limits<int>::max()) const;
  /// A sub-table, or nullopt if absent. @throws if the key holds something else.
  std::optional<Section> table(std::string_view key,
                               std::initializer_list<std::string_view> known) const;
  /// An array of tables ([[key]]), empty if absent.
  std::vector<Section> tables(std::string_view key,
                              std::initializer_list<std::string_view> known) const;
  /// The raw table (for free-form sub-tables such as priors).
  [[nodiscard]] const toml::table& raw() const { return *table_; }
  /// Marks a key as used without reading it through a getter (free-form handling).
  void mark_used(std::string_view key) const { used_.insert(std::string(key)); }

  /// Every key present must have been read: a key left over is one the chosen settings do not
  /// use, e.g. `sides` on a hexagon. @throws InvalidArgument "where: name.key = value: not
  /// used <context>" plus, from `users`, which types do use it.
  void check_all_used(std::string_view context, const TypeKeys& users = {}) const;

  /// Throws InvalidArgument "source:line:col: name.key = value: problem".
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

 private:
  std::string where(std::string_view key) const;
  const toml::node& node(std::string_view key) const;

  const toml::table* table_;
  std::string name_;
  std::string source_;
  mutable std::set<std::string> used_;
};

}  // namespace airy::config::detail
