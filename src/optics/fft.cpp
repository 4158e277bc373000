// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/fft.hpp"

#if AIRY_WITH_FFTW
#include <fftw3.h>

#include <mutex>
#else
#include <unsupported/Eigen/FFT>
#endif

#include "airy/core/error.hpp"

namespace airy::optics {

#if AIRY_WITH_FFTW
namespace {
std::mutex& planner_mutex() {  // FFTW's planner is not thread-safe
  static std::mutex m;
  return m;
}
}  // namespace

struct FftPropagator::Plans {
  fftw_plan fwd = nullptr, inv = nullptr;
  // In-place unnormalised 2-D DFT of an n x n row-major buffer; sign -1 forward, +1 backward.
  void execute(ComplexImage& work, bool forward) const {
    auto* p = reinterpret_cast<fftw_complex*>(work.data());
    fftw_execute_dft(forward ? fwd : inv, p, p);
  }
};
#else
// Eigen's bundled FFT (kissfft, BSD-like licence): the build without FFTW (AIRY_WITH_FFTW=OFF,
// e.g. the Python wheel, which must stay BSD-compatible). kissfft caches twiddles and scratch
// buffers inside the FFT object, so each call uses its own object (planning is O(n), the
// transform O(n^2 log n)).
struct FftPropagator::Plans {
  // The 2-D DFT as 1-D DFTs along rows, then along columns (through a transpose):
  // forward sum_j x_j exp(-2 pi i jk/n), backward the same with +i, both unnormalised (FFTW's).
  static void execute(ComplexImage& work, bool forward) {
    Eigen::FFT<double> fft;
    fft.SetFlag(Eigen::FFT<double>::Unscaled);
    const int n = static_cast<int>(work.rows());
    ComplexVector in(n), out(n);
    for (int pass = 0; pass < 2; ++pass) {
      for (int r = 0; r < n; ++r) {
        in = work.row(r).transpose().matrix();
        if (forward) {
          fft.fwd(out.data(), in.data(), n);
        } else {
          fft.inv(out.data(), in.data(), n);
        }
        work.row(r) = out.transpose().array();
      }
      work.transposeInPlace();
    }
  }
};
#endif

FftPropagator::FftPropagator(int n_in, double pixel_scale_in, double wavelength, int pad,
                             double focal_length)
    : n_in_(n_in), n_out_(n_in * pad), plans_(std::make_unique<Plans>()) {
  check_positive("FftPropagator", "n_in", n_in);
  check_positive("FftPropagator", "pixel_scale_in", pixel_scale_in);
  check_positive("FftPropagator", "wavelength", wavelength);
  check_positive("FftPropagator", "pad", pad);
  check_nonnegative("FftPropagator", "focal_length", focal_length);
  if ((n_in * (pad - 1)) % 2 != 0)
    throw_invalid("FftPropagator", "pad", "n_in (pad - 1) must be even");
  pixel_scale_out_ = wavelength / (n_in * pixel_scale_in * pad);
  if (focal_length > 0) pixel_scale_out_ *= focal_length;
#if AIRY_WITH_FFTW
  ComplexImage buf(n_out_, n_out_);
  auto* p = reinterpret_cast<fftw_complex*>(buf.data());
  std::lock_guard<std::mutex> lock(planner_mutex());
  plans_->fwd =
      fftw_plan_dft_2d(n_out_, n_out_, p, p, FFTW_FORWARD, FFTW_ESTIMATE | FFTW_UNALIGNED);
  plans_->inv =
      fftw_plan_dft_2d(n_out_, n_out_, p, p, FFTW_BACKWARD, FFTW_ESTIMATE | FFTW_UNALIGNED);
#endif
}

FftPropagator::~FftPropagator() {
#if AIRY_WITH_FFTW
  std::lock_guard<std::mutex> lock(planner_mutex());
  fftw_destroy_plan(plans_->fwd);
  fftw_destroy_plan(plans_->inv);
#endif
}

namespace {
// Circular shift by s along both axes: out(i, j) = in((i - s) mod n, (j - s) mod n).
void roll(const ComplexImage& in, ComplexImage& out, int s) {
  const int n = static_cast<int>(in.rows());
  out.resize(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) out((i + s) % n, (j + s) % n) = in(i, j);
  }
}
}  // namespace

void FftPropagator::forward(const ComplexImage& e, ComplexImage& out) const {
  if (e.rows() != n_in_ || e.cols() != n_in_)
    throw_invalid("FftPropagator::forward", "e", "shape must be (n_in, n_in)");
  const int n = n_out_, o = (n_out_ - n_in_) / 2;
  ComplexImage padded = ComplexImage::Zero(n, n);
  padded.block(o, o, n_in_, n_in_) = e;
  ComplexImage work;
  roll(padded, work, n - n / 2);  // ifftshift
  plans_->execute(work, true);
  roll(work, out, n / 2);  // fftshift
  out /= static_cast<double>(n);
}

void FftPropagator::pullback(const ComplexImage& out_bar, ComplexImage& e_bar) const {
  const int n = n_out_, o = (n_out_ - n_in_) / 2;
  ComplexImage work;
  roll(out_bar, work, n - n / 2);  // inverse of fftshift
  plans_->execute(work, false);
  ComplexImage full;
  roll(work, full, n / 2);  // inverse of ifftshift
  e_bar = full.block(o, o, n_in_, n_in_) / static_cast<double>(n);
}

}  // namespace airy::optics
