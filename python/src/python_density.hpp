// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A LogDensity whose value and gradient come from a Python callable, so that airy's
/// NUTS can sample a density written in Python (numpy or JAX).
#pragma once

#include <nanobind/nanobind.h>

#include <mutex>
#include <string>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/infer/log_density.hpp"

namespace airy::python {

namespace nb = nanobind;

/// Thrown (inside the sampler's threads) when the Python callable raised; the Python exception
/// itself is kept by the PythonLogDensity and re-raised in the caller's thread.
class PythonCallbackError : public Error {
 public:
  using Error::Error;
};

/// log p(theta), grad = fn(theta): fn takes a float64 array (dim,) and returns a pair
/// (float, array of shape (dim,)). Each call takes the GIL (chains in several threads then
/// take turns in Python). A non-finite value means "outside the support" (a rejection).
/// If fn raises, the exception is stored and PythonCallbackError thrown, which stops the run.
class PythonLogDensity final : public infer::LogDensity {
 public:
  /// @param names output names (dim entries), or empty for theta[1]..theta[dim].
  PythonLogDensity(int dim, nb::object fn, std::vector<std::string> names);
  ~PythonLogDensity() override;
  PythonLogDensity(const PythonLogDensity&) = delete;
  PythonLogDensity& operator=(const PythonLogDensity&) = delete;

  [[nodiscard]] int dim() const override { return dim_; }
  double log_density_gradient(std::span<const double> theta, std::span<double> grad,
                              infer::Workspace* ws) const override;
  [[nodiscard]] std::vector<std::string> output_names() const override;

  /// The first exception fn raised (None if none); clears it. Call with the GIL held.
  nb::object take_error() const;

 private:
  int dim_;
  nb::object fn_;
  std::vector<std::string> names_;
  mutable std::mutex error_mutex_;
  mutable nb::object error_;  // guarded by error_mutex_ and touched only with the GIL held
};

}  // namespace airy::python
