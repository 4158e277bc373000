// SPDX-License-Identifier: BSD-3-Clause
#include "airy/detector/detector_layers.hpp"

#include <fmt/format.h>

#include <cmath>

#include "airy/core/error.hpp"

namespace airy::detector {

void DetectorLayer::check_values(std::span<const double> v) const {
  for (double x : v) check_finite(kind(), "values", x);
}

std::unique_ptr<DetectorWorkspace> DetectorLayer::make_workspace(int, int) const {
  return std::make_unique<DetectorWorkspace>();
}

// --- Downsample ---------------------------------------------------------------------------

Downsample::Downsample(int k) : k_(k) { check_positive("Downsample", "kernel_size", k); }

void Downsample::forward(std::span<const double>, const RealImage& in, RealImage& out,
                         DetectorWorkspace&) const {
  if (in.rows() % k_ != 0 || in.cols() % k_ != 0) {
    throw_invalid("Downsample", "kernel_size", "image size must be divisible by kernel_size");
  }
  const Eigen::Index ny = in.rows() / k_, nx = in.cols() / k_;
  out.resize(ny, nx);
  for (Eigen::Index i = 0; i < ny; ++i) {
    for (Eigen::Index j = 0; j < nx; ++j) out(i, j) = in.block(i * k_, j * k_, k_, k_).sum();
  }
}

void Downsample::pullback(std::span<const double>, const RealImage& in, const RealImage&,
                          const RealImage& out_bar, RealImage& in_bar, std::span<double>,
                          DetectorWorkspace&) const {
  in_bar.resize(in.rows(), in.cols());
  for (Eigen::Index i = 0; i < in.rows(); ++i) {
    for (Eigen::Index j = 0; j < in.cols(); ++j) in_bar(i, j) = out_bar(i / k_, j / k_);
  }
}

// --- Jitter -------------------------------------------------------------------------------

namespace {

struct JitterWorkspace final : DetectorWorkspace {
  RealImage tmp, u, v;
  RealVector k1, dk1;
};

// out(i, j) = sum_t k(t) in(i, j - (t - r)) along x (axis 1) or y (axis 0), zero padded.
void convolve(const RealVector& k, const RealImage& in, RealImage& out, int axis) {
  const Eigen::Index r = (k.size() - 1) / 2, ny = in.rows(), nx = in.cols();
  out.resize(ny, nx);
  out.setZero();
  for (Eigen::Index t = 0; t < k.size(); ++t) {
    const Eigen::Index d = t - r;
    if (axis == 1) {
      const Eigen::Index lo = std::max<Eigen::Index>(0, d), hi = std::min(nx, nx + d);
      if (hi > lo) out.middleCols(lo, hi - lo) += k[t] * in.middleCols(lo - d, hi - lo);
    } else {
      const Eigen::Index lo = std::max<Eigen::Index>(0, d), hi = std::min(ny, ny + d);
      if (hi > lo) out.middleRows(lo, hi - lo) += k[t] * in.middleRows(lo - d, hi - lo);
    }
  }
}

void kernel_and_derivative(const std::vector<std::vector<double>>& taps, double sigma,
                           RealVector& k1, RealVector* dk1) {
  const Eigen::Index n = static_cast<Eigen::Index>(taps.size());
  k1.resize(n);
  if (dk1) dk1->resize(n);
  double sum = 0, dsum = 0;
  const double s2 = sigma * sigma, s3 = s2 * sigma;
  for (Eigen::Index t = 0; t < n; ++t) {
    double h = 0, dh = 0;
    for (double u : taps[t]) {
      const double e = std::exp(-u * u / (2 * s2));
      h += e;
      dh += e * u * u / s3;
    }
    k1[t] = h;
    if (dk1) (*dk1)[t] = dh;
    sum += h;
    dsum += dh;
  }
  k1 /= sum;
  if (dk1) *dk1 = (*dk1 - k1 * dsum) / sum;
}

}  // namespace

SeparableJitter::SeparableJitter(double sigma, std::vector<std::vector<double>> taps)
    : sigma_(sigma), taps_(std::move(taps)) {
  check_positive("SeparableJitter", "sigma", sigma);
}

std::vector<ParameterBlock> SeparableJitter::parameter_blocks() const {
  return {{"sigma", 1, "px", "Gaussian jitter width (see the layer's kernel convention)",
           Domain::positive()}};
}

void SeparableJitter::check_values(std::span<const double> v) const {
  check_positive(kind(), "sigma", v[0]);
}

RealVector SeparableJitter::kernel_1d(double sigma) const {
  RealVector k;
  kernel_and_derivative(taps_, sigma, k, nullptr);
  return k;
}

std::unique_ptr<DetectorWorkspace> SeparableJitter::make_workspace(int rows, int cols) const {
  auto ws = std::make_unique<JitterWorkspace>();
  ws->tmp.setZero(rows, cols);
  ws->u.setZero(rows, cols);
  ws->v.setZero(rows, cols);
  ws->k1.setZero(static_cast<Eigen::Index>(taps_.size()));
  ws->dk1.setZero(static_cast<Eigen::Index>(taps_.size()));
  return ws;
}

void SeparableJitter::forward(std::span<const double> p, const RealImage& in, RealImage& out,
                              DetectorWorkspace& base) const {
  auto& ws = static_cast<JitterWorkspace&>(base);
  kernel_and_derivative(taps_, p[0], ws.k1, &ws.dk1);
  convolve(ws.k1, in, ws.tmp, 1);
  convolve(ws.k1, ws.tmp, out, 0);
}

void SeparableJitter::pullback(std::span<const double>, const RealImage& in, const RealImage&,
                               const RealImage& out_bar, RealImage& in_bar, std::span<double> p_bar,
                               DetectorWorkspace& base) const {
  auto& ws = static_cast<JitterWorkspace&>(base);
  convolve(ws.k1, out_bar, ws.u, 0);
  convolve(ws.k1, ws.u, in_bar, 1);
  convolve(ws.dk1, ws.tmp, ws.v, 0);
  double g = (out_bar * ws.v).sum();
  convolve(ws.dk1, in, ws.v, 1);
  g += (ws.u * ws.v).sum();
  p_bar[0] += g;
}

namespace {
/// Largest sigma (pixels) from which GaussianJitter derives its kernel size 2 ceil(4 sigma) + 1:
/// 80001 taps. A jitter wider than any detector (10^4 pixels) leaves only the image mean, so a
/// larger value is a mistake (a unit slip), and from 2.7e8 on the size overflows an int.
constexpr double kMaxAutoKernelSigma = 1e4;

std::vector<std::vector<double>> pixel_taps(double sigma, int kernel_size) {
  if (kernel_size == 0) {
    if (!(sigma <= kMaxAutoKernelSigma)) {
      throw InvalidArgument(format_invalid(
          "GaussianJitter", "sigma", sigma,
          fmt::format("must be <= {:g} pixels (the kernel has 2 ceil(4 sigma) + 1 taps; a "
                      "jitter wider than any detector leaves only the image mean)",
                      kMaxAutoKernelSigma)));
    }
    kernel_size = std::max(3, 2 * static_cast<int>(std::ceil(4 * sigma)) + 1);
  }
  if (kernel_size < 1 || kernel_size % 2 == 0) {
    throw InvalidArgument(
        format_invalid("GaussianJitter", "kernel_size", kernel_size, "must be odd and >= 1"));
  }
  std::vector<std::vector<double>> taps(kernel_size);
  const int r = (kernel_size - 1) / 2;
  for (int t = 0; t < kernel_size; ++t) taps[t] = {static_cast<double>(t - r)};
  return taps;
}

std::vector<std::vector<double>> dlux_taps(int kernel_size, int oversample) {
  check_positive("DluxJitter", "kernel_size", kernel_size);
  check_positive("DluxJitter", "oversample", oversample);
  const int n = kernel_size * oversample;
  std::vector<std::vector<double>> taps(kernel_size);
  for (int q = 0; q < n; ++q) {
    const double u = n == 1 ? -5.0 : -5.0 + 10.0 * q / (n - 1.0);
    taps[q / oversample].push_back(u);
  }
  return taps;
}
}  // namespace

GaussianJitter::GaussianJitter(double sigma, int kernel_size)
    : SeparableJitter(sigma, (check_positive("GaussianJitter", "sigma", sigma),
                              pixel_taps(sigma, kernel_size))) {}

DluxJitter::DluxJitter(double sigma, int kernel_size, int oversample)
    : SeparableJitter(sigma, (check_positive("DluxJitter", "sigma", sigma),
                              dlux_taps(kernel_size, oversample))) {}

// --- PixelResponse, Background, Saturation ------------------------------------------------

PixelResponse::PixelResponse(RealImage map) : map_(std::move(map)) {
  if (map_.size() == 0) throw_invalid("PixelResponse", "map", "must not be empty");
  if (!map_.allFinite()) throw_invalid("PixelResponse", "map", "must be finite");
}

std::vector<ParameterBlock> PixelResponse::parameter_blocks() const {
  return {{"map", static_cast<int>(map_.size()), "1", "per-pixel response, row-major [y, x]"}};
}

RealVector PixelResponse::values() const {
  return Eigen::Map<const RealVector>(map_.data(), map_.size());
}

void PixelResponse::forward(std::span<const double> p, const RealImage& in, RealImage& out,
                            DetectorWorkspace&) const {
  if (in.rows() != map_.rows() || in.cols() != map_.cols()) {
    throw_invalid("PixelResponse", "map", "shape differs from the image");
  }
  out.resize(in.rows(), in.cols());
  out = in * Eigen::Map<const RealImage>(p.data(), in.rows(), in.cols());
}

void PixelResponse::pullback(std::span<const double> p, const RealImage& in, const RealImage&,
                             const RealImage& out_bar, RealImage& in_bar, std::span<double> p_bar,
                             DetectorWorkspace&) const {
  in_bar.resize(in.rows(), in.cols());
  in_bar = out_bar * Eigen::Map<const RealImage>(p.data(), in.rows(), in.cols());
  Eigen::Map<RealImage>(p_bar.data(), in.rows(), in.cols()) += out_bar * in;
}

Background::Background(double value) : value_(value) { check_finite("Background", "value", value); }

std::vector<ParameterBlock> Background::parameter_blocks() const {
  return {{"value", 1, "photons", "constant added to every pixel"}};
}

void Background::forward(std::span<const double> p, const RealImage& in, RealImage& out,
                         DetectorWorkspace&) const {
  out.resize(in.rows(), in.cols());
  out = in + p[0];
}

void Background::pullback(std::span<const double>, const RealImage& in, const RealImage&,
                          const RealImage& out_bar, RealImage& in_bar, std::span<double> p_bar,
                          DetectorWorkspace&) const {
  in_bar.resize(in.rows(), in.cols());
  in_bar = out_bar;
  p_bar[0] += out_bar.sum();
}

Saturation::Saturation(double threshold) : threshold_(threshold) {
  check_finite("Saturation", "threshold", threshold);
}

std::vector<ParameterBlock> Saturation::parameter_blocks() const {
  return {
      {"threshold", 1, "photons", "full-well level: out = min(in, threshold)", Domain::positive()}};
}

void Saturation::forward(std::span<const double> p, const RealImage& in, RealImage& out,
                         DetectorWorkspace&) const {
  out.resize(in.rows(), in.cols());
  out = in.min(p[0]);
}

void Saturation::pullback(std::span<const double> p, const RealImage& in, const RealImage&,
                          const RealImage& out_bar, RealImage& in_bar, std::span<double> p_bar,
                          DetectorWorkspace&) const {
  in_bar.resize(in.rows(), in.cols());
  in_bar = (in < p[0]).select(out_bar, 0.0);
  p_bar[0] += (in >= p[0]).select(out_bar, 0.0).sum();
}

}  // namespace airy::detector
