// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Thread-safe batch evaluators shared by the numpy API and the XLA FFI handlers: a
/// telescope render/VJP over bound parameter paths, and a log density with its gradient, plus
/// the process-wide registry that FFI handlers look them up in (no Python, no GIL).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "airy/infer/log_density.hpp"
#include "airy/model/telescope.hpp"

namespace airy::python {

/// image = telescope(x) for x the flat vector of `paths`, and its exact VJP. Each call takes a
/// workspace from a pool (creating one when all are busy), so concurrent calls never share
/// buffers and repeated calls allocate nothing.
class Renderer {
 public:
  /// @throws InvalidArgument for unknown or duplicate paths.
  Renderer(model::Telescope telescope, const std::vector<std::string>& paths);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  /// Scalars of the flat parameter vector.
  [[nodiscard]] int size() const { return set_.size(); }
  [[nodiscard]] int rows() const { return rows_; }
  [[nodiscard]] int cols() const { return cols_; }
  [[nodiscard]] const model::Telescope& telescope() const { return telescope_; }
  [[nodiscard]] const model::ParameterSet& parameter_set() const { return set_; }

  /// out[b] = image(x[b]) for b < batch; x is (batch, size()), out (batch, rows, cols),
  /// row-major. T is float or double (computed in double).
  template <class T>
  void render(const T* x, std::int64_t batch, T* out) const;
  /// x_bar[b] = (d image / d x)^T ct[b] at x[b]: x (batch, size()), ct (batch, rows, cols).
  template <class T>
  void vjp(const T* x, const T* ct, std::int64_t batch, T* x_bar) const;

 private:
  struct Slot;
  std::unique_ptr<Slot> acquire() const;
  void release(std::unique_ptr<Slot> slot) const;

  model::Telescope telescope_;
  model::ParameterSet set_;
  int rows_ = 0, cols_ = 0;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Slot>> pool_;
};

/// lp = log p(theta) and grad = d lp / d theta of a LogDensity, batched, thread-safe (one
/// pooled workspace per concurrent call).
class DensityEvaluator {
 public:
  explicit DensityEvaluator(std::shared_ptr<const infer::LogDensity> density);
  [[nodiscard]] int dim() const { return density_->dim(); }
  [[nodiscard]] const infer::LogDensity& density() const { return *density_; }
  [[nodiscard]] std::shared_ptr<const infer::LogDensity> density_ptr() const { return density_; }
  /// lp[b], grad[b] for theta (batch, dim()); grad may be null.
  template <class T>
  void evaluate(const T* theta, std::int64_t batch, T* lp, T* grad) const;

 private:
  std::shared_ptr<const infer::LogDensity> density_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<infer::Workspace>> pool_;
};

/// Registry of evaluators by id (ids are never reused), for the FFI handlers.
std::int64_t register_renderer(std::shared_ptr<const Renderer> r);
std::int64_t register_density(std::shared_ptr<const DensityEvaluator> d);
/// The evaluator of `id`, or null when it was never registered or has been released.
std::shared_ptr<const Renderer> find_renderer(std::int64_t id);
std::shared_ptr<const DensityEvaluator> find_density(std::int64_t id);
/// Drops the registry's reference (the object lives on while a call holds it).
void release_handle(std::int64_t id);

}  // namespace airy::python
