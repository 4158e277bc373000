// SPDX-License-Identifier: BSD-3-Clause
#include "airy/core/error.hpp"

#include <fmt/format.h>

namespace airy {

std::string format_invalid(std::string_view where, std::string_view field, double value,
                           std::string_view problem) {
  return fmt::format("{}: {} = {}: {}", where, field, value, problem);
}

void check_finite(std::string_view where, std::string_view field, double value) {
  if (!std::isfinite(value)) {
    throw InvalidArgument(format_invalid(where, field, value, "must be finite"));
  }
}

void check_positive(std::string_view where, std::string_view field, double value) {
  if (!std::isfinite(value) || !(value > 0.0)) {
    throw InvalidArgument(format_invalid(where, field, value, "must be finite and > 0"));
  }
}

void check_nonnegative(std::string_view where, std::string_view field, double value) {
  if (!std::isfinite(value) || !(value >= 0.0)) {
    throw InvalidArgument(format_invalid(where, field, value, "must be finite and >= 0"));
  }
}

void check_in_range(std::string_view where, std::string_view field, double value, double lo,
                    double hi) {
  if (!std::isfinite(value) || value < lo || value > hi) {
    throw InvalidArgument(
        format_invalid(where, field, value, fmt::format("must lie in [{}, {}]", lo, hi)));
  }
}

void throw_invalid(std::string_view where, std::string_view field, std::string_view message) {
  throw InvalidArgument(fmt::format("{}: {}: {}", where, field, message));
}

}  // namespace airy
