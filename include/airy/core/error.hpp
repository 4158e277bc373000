// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief airy's exceptions and the argument checks that raise them (Stan-style messages).
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

namespace airy {

/// Base of every exception airy throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A caller passed a value outside the domain of a function, a config key or a file.
/// The message names the function (or file), the field and the offending value.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// Formats "where: field = value: problem" consistently for every check below.
std::string format_invalid(std::string_view where, std::string_view field, double value,
                           std::string_view problem);

/// Throws InvalidArgument unless `value` is finite.
void check_finite(std::string_view where, std::string_view field, double value);
/// Throws InvalidArgument unless `value` is finite and > 0.
void check_positive(std::string_view where, std::string_view field, double value);
/// Throws InvalidArgument unless `value` is finite and >= 0.
void check_nonnegative(std::string_view where, std::string_view field, double value);
/// Throws InvalidArgument unless lo <= value <= hi (finite).
void check_in_range(std::string_view where, std::string_view field, double value, double lo,
                    double hi);
/// Throws InvalidArgument with "where: field: message".
[[noreturn]] void throw_invalid(std::string_view where, std::string_view field,
                                std::string_view message);

}  // namespace airy
