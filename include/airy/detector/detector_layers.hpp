// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Detector layers: Downsample, GaussianJitter, DluxJitter, PixelResponse,
/// Background (dLux AddConstant) and Saturation.
#pragma once

#include <vector>

#include "airy/detector/detector_layer.hpp"

namespace airy::detector {

/// dLux Downsample(k): out(i, j) = sum of the k x k block (i, j) (a sum, not a mean).
/// Pullback: in_bar(p) = out_bar(block of p).
class Downsample final : public DetectorLayer {
 public:
  /// @throws InvalidArgument if k < 1.
  explicit Downsample(int k);
  [[nodiscard]] std::string_view kind() const override { return "Downsample"; }
  [[nodiscard]] int output_rows(int rows) const override { return rows / k_; }
  [[nodiscard]] int output_cols(int cols) const override { return cols / k_; }
  void forward(std::span<const double> params, const RealImage& in, RealImage& out,
               DetectorWorkspace& ws) const override;
  void pullback(std::span<const double> params, const RealImage& in, const RealImage& out,
                const RealImage& out_bar, RealImage& in_bar, std::span<double> params_bar,
                DetectorWorkspace& ws) const override;

 private:
  int k_;
};

/// Separable Gaussian blur: out = K (*) in ('same' size, zero padding), K = k1 k1^T with
/// k1_t = h_t(sigma) / sum h, h_t = sum_q exp(-u_tq^2 / (2 sigma^2)) over the sample points
/// u_tq of tap t. Parameter "sigma" (> 0). Pullback: in_bar = K (*) out_bar (K symmetric);
/// sigma_bar = <out_bar, (dk1 k1^T + k1 dk1^T) (*) in>, dk1 = (dh - k1 sum dh) / sum h,
/// dh_t = sum_q exp(-u^2/(2 sigma^2)) u^2 / sigma^3.
class SeparableJitter : public DetectorLayer {
 public:
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override { return RealVector::Constant(1, sigma_); }
  void check_values(std::span<const double> v) const override;
  [[nodiscard]] std::unique_ptr<DetectorWorkspace> make_workspace(int rows,
                                                                  int cols) const override;
  void forward(std::span<const double> params, const RealImage& in, RealImage& out,
               DetectorWorkspace& ws) const override;
  void pullback(std::span<const double> params, const RealImage& in, const RealImage& out,
                const RealImage& out_bar, RealImage& in_bar, std::span<double> params_bar,
                DetectorWorkspace& ws) const override;
  /// The 1-D kernel k1 (size kernel_size) at `sigma`.
  [[nodiscard]] RealVector kernel_1d(double sigma) const;

 protected:
  /// taps[t] = the sample points u of tap t (in sigma's units); taps.size() odd.
  SeparableJitter(double sigma, std::vector<std::vector<double>> taps);
  double sigma_;
  std::vector<std::vector<double>> taps_;
};

/// Gaussian jitter in output-pixel units: k1_t ~ exp(-t^2 / (2 sigma^2)), t = -r..r pixels,
/// r = (kernel_size - 1)/2; sigma is the RMS jitter in pixels (a sampled, renormalised
/// Gaussian; docs/conventions.md compares it with dLux's ApplyJitter).
class GaussianJitter final : public SeparableJitter {
 public:
  /// @param kernel_size odd >= 3; 0 = 2 ceil(4 sigma) + 1 (at least 3).
  /// @throws InvalidArgument if sigma <= 0 or kernel_size is even/negative.
  explicit GaussianJitter(double sigma, int kernel_size = 0);
  [[nodiscard]] std::string_view kind() const override { return "GaussianJitter"; }
};

/// dLux 0.15 ApplyJitter(sigma, kernel_size, oversample): a Gaussian of std sigma sampled on
/// linspace(-5, 5, K s) (sigma's units, not pixels), normalised, summed over s x s blocks to
/// K x K (separable: k1 = block sums of the 1-D samples).
class DluxJitter final : public SeparableJitter {
 public:
  /// @throws InvalidArgument if sigma <= 0, kernel_size < 1 or oversample < 1.
  DluxJitter(double sigma, int kernel_size = 9, int oversample = 3);
  [[nodiscard]] std::string_view kind() const override { return "DluxJitter"; }
};

/// dLux ApplyPixelResponse: out = in (.) map. Parameter "map" (rows*cols, row-major).
/// Pullback: in_bar = out_bar (.) map, map_bar += out_bar (.) in.
class PixelResponse final : public DetectorLayer {
 public:
  /// @throws InvalidArgument on an empty or non-finite map.
  explicit PixelResponse(RealImage map);
  [[nodiscard]] std::string_view kind() const override { return "PixelResponse"; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  void forward(std::span<const double> params, const RealImage& in, RealImage& out,
               DetectorWorkspace& ws) const override;
  void pullback(std::span<const double> params, const RealImage& in, const RealImage& out,
                const RealImage& out_bar, RealImage& in_bar, std::span<double> params_bar,
                DetectorWorkspace& ws) const override;

 private:
  RealImage map_;
};

/// dLux AddConstant: out = in + value (photons). Parameter "value".
/// Pullback: in_bar = out_bar, value_bar += sum out_bar.
class Background final : public DetectorLayer {
 public:
  explicit Background(double value);
  [[nodiscard]] std::string_view kind() const override { return "Background"; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override { return RealVector::Constant(1, value_); }
  void forward(std::span<const double> params, const RealImage& in, RealImage& out,
               DetectorWorkspace& ws) const override;
  void pullback(std::span<const double> params, const RealImage& in, const RealImage& out,
                const RealImage& out_bar, RealImage& in_bar, std::span<double> params_bar,
                DetectorWorkspace& ws) const override;

 private:
  double value_;
};

/// dLux ApplySaturation: out = min(in, threshold). Parameter "threshold" (photons).
/// Pullback: in_bar = out_bar where in < threshold, else 0; threshold_bar += sum of out_bar
/// where in >= threshold.
class Saturation final : public DetectorLayer {
 public:
  explicit Saturation(double threshold);
  [[nodiscard]] std::string_view kind() const override { return "Saturation"; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override { return RealVector::Constant(1, threshold_); }
  void forward(std::span<const double> params, const RealImage& in, RealImage& out,
               DetectorWorkspace& ws) const override;
  void pullback(std::span<const double> params, const RealImage& in, const RealImage& out,
                const RealImage& out_bar, RealImage& in_bar, std::span<double> params_bar,
                DetectorWorkspace& ws) const override;

 private:
  double threshold_;
};

}  // namespace airy::detector
