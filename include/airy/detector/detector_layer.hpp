// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The detector layer interface and LayeredDetector (dLux detector layers on images).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/core/parameter_block.hpp"

namespace airy::detector {

using airy::ParameterBlock;

/// Per-caller buffers of a detector layer.
class DetectorWorkspace {
 public:
  virtual ~DetectorWorkspace() = default;
};

/// An immutable differentiable map on a real image [y, x] (photons), with parameters passed
/// flat (blocks concatenated); paths are detector.<key>.<block>. Thread-safe.
class DetectorLayer {
 public:
  virtual ~DetectorLayer() = default;
  [[nodiscard]] virtual std::string_view kind() const = 0;
  [[nodiscard]] virtual std::vector<ParameterBlock> parameter_blocks() const { return {}; }
  [[nodiscard]] virtual RealVector values() const { return {}; }
  /// Throws InvalidArgument (naming the block) outside the parameter domain.
  virtual void check_values(std::span<const double> v) const;
  /// Output shape for an input of rows x cols.
  [[nodiscard]] virtual int output_rows(int rows) const { return rows; }
  [[nodiscard]] virtual int output_cols(int cols) const { return cols; }
  /// Buffers for inputs of rows x cols (default: none).
  [[nodiscard]] virtual std::unique_ptr<DetectorWorkspace> make_workspace(int rows, int cols) const;
  /// out = layer(in); out resized only if its shape differs.
  virtual void forward(std::span<const double> params, const RealImage& in, RealImage& out,
                       DetectorWorkspace& ws) const = 0;
  /// in_bar = (d out/d in)^T out_bar (overwritten); ADDS into params_bar.
  virtual void pullback(std::span<const double> params, const RealImage& in, const RealImage& out,
                        const RealImage& out_bar, RealImage& in_bar, std::span<double> params_bar,
                        DetectorWorkspace& ws) const = 0;
};

/// A detector layer with its key (paths detector.<key>.<block>).
struct NamedDetectorLayer {
  std::string key;
  std::shared_ptr<const DetectorLayer> layer;
};

}  // namespace airy::detector
