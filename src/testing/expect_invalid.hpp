// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Test helper: a call must throw airy::InvalidArgument whose message names every
/// given fragment (the key, the value, the file).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "airy/core/error.hpp"

namespace airy::testing {

/// Runs f, expecting InvalidArgument whose message holds every fragment.
template <class F>
void expect_invalid(F&& f, std::initializer_list<std::string> fragments) {
  try {
    f();
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    for (const auto& s : fragments) {
      EXPECT_NE(std::string(e.what()).find(s), std::string::npos)
          << "missing '" << s << "' in: " << e.what();
    }
  }
}

}  // namespace airy::testing
