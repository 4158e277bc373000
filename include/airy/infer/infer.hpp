// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Everything a program needs to sample its own model with airy (docs/inference.md).
#pragma once

#include "airy/core/rng.hpp"             // IWYU pragma: export
#include "airy/infer/adaptation.hpp"     // IWYU pragma: export
#include "airy/infer/bijector.hpp"       // IWYU pragma: export
#include "airy/infer/diagnostics.hpp"    // IWYU pragma: export
#include "airy/infer/distribution.hpp"   // IWYU pragma: export
#include "airy/infer/distributions.hpp"  // IWYU pragma: export
#include "airy/infer/draws.hpp"          // IWYU pragma: export
#include "airy/infer/log_density.hpp"    // IWYU pragma: export
#include "airy/infer/sampler.hpp"        // IWYU pragma: export
#include "airy/infer/site_model.hpp"     // IWYU pragma: export
#include "airy/infer/summary.hpp"        // IWYU pragma: export
