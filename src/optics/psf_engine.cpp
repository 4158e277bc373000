// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/psf_engine.hpp"

#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"

namespace airy::optics {
namespace {

struct EngineWorkspace final : PsfWorkspace {
  std::vector<std::unique_ptr<LayerWorkspace>> layer_ws;
  std::vector<std::vector<ComplexImage>> fields;   // [l][layer + 1]
  std::vector<std::vector<ComplexImage>> e_out;    // [s][l]
  std::vector<std::vector<ComplexVector>> ex, ey;  // [s][l] tilt phases
  ComplexMatrix b_stack, s_stack, a_s, u, v, pbar_s;
  ComplexImage g, pbar, next;
  RealMatrix positions, amplitudes;
  RealVector x_axis;
};

}  // namespace

PsfEngine::PsfEngine(std::shared_ptr<const OpticalSystem> system, RealVector wavelengths,
                     int num_sources)
    : system_(std::move(system)), wavelengths_(std::move(wavelengths)), num_sources_(num_sources) {
  if (!system_) throw_invalid("PsfEngine", "system", "must not be null");
  if (wavelengths_.size() == 0) throw_invalid("PsfEngine", "wavelengths", "must not be empty");
  check_positive("PsfEngine", "num_sources", num_sources);
  for (Eigen::Index l = 0; l < wavelengths_.size(); ++l) {
    check_positive("PsfEngine", "wavelength", wavelengths_[l]);
    mfts_.emplace_back(system_->mft_spec(wavelengths_[l]));
  }
}

std::unique_ptr<PsfWorkspace> PsfEngine::make_workspace() const {
  auto ws = std::make_unique<EngineWorkspace>();
  const auto& layers = system_->layers();
  const int nl = static_cast<int>(wavelengths_.size()), ns = num_sources_;
  const int n = system_->final_pupil_npixels(), no = system_->output_npixels();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    ws->layer_ws.push_back(layers[i].layer->make_workspace(system_->layer_input_npixels(i), nl));
  }
  ws->fields.resize(nl);
  for (int l = 0; l < nl; ++l) {
    for (std::size_t i = 0; i <= layers.size(); ++i) {
      const int ni = system_->layer_input_npixels(i);
      ws->fields[l].push_back(ComplexImage::Zero(ni, ni));
    }
    const int n0 = system_->wf_npixels();
    ws->fields[l][0].setConstant(Complex(1.0 / (double(n0) * n0)));
  }
  ws->e_out.assign(ns, std::vector<ComplexImage>(nl, ComplexImage::Zero(no, no)));
  ws->ex.assign(ns, std::vector<ComplexVector>(nl, ComplexVector::Zero(n)));
  ws->ey = ws->ex;
  ws->b_stack.resize(n, ns * no);
  ws->s_stack.resize(n, ns * no);
  ws->a_s.resize(no, n);
  ws->u.resize(n, no);
  ws->v.resize(no, n);
  ws->pbar_s.resize(n, n);
  ws->g.resize(no, no);
  ws->pbar.resize(n, n);
  ws->next.resize(n, n);
  ws->positions.setZero(ns, 2);
  ws->amplitudes.setZero(ns, nl);
  ws->x_axis.resize(n);
  const double ps = system_->final_pupil_pixel_scale();
  for (int j = 0; j < n; ++j) ws->x_axis[j] = (j - 0.5 * (n - 1)) * ps;
  return ws;
}

void PsfEngine::forward(std::span<const double> params, const RealMatrix& positions,
                        const RealMatrix& amplitudes, PsfWorkspace& base, RealImage& psf) const {
  auto& ws = static_cast<EngineWorkspace&>(base);
  const auto& layers = system_->layers();
  const auto& offs = system_->layer_offsets();
  const int nl = static_cast<int>(wavelengths_.size()), ns = num_sources_;
  const int n = system_->final_pupil_npixels(), no = system_->output_npixels();
  if (positions.rows() != ns || positions.cols() != 2 || amplitudes.rows() != ns ||
      amplitudes.cols() != nl) {
    throw_invalid("PsfEngine::forward", "positions/amplitudes", "shapes must be (S, 2) and (S, L)");
  }
  ws.positions = positions;
  ws.amplitudes = amplitudes;
  auto layer_params = [&](std::size_t i) { return params.subspan(offs[i], offs[i + 1] - offs[i]); };
  for (std::size_t i = 0; i < layers.size(); ++i)
    layers[i].layer->prepare(layer_params(i), *ws.layer_ws[i]);
  psf.resize(no, no);
  psf.setZero();
  for (int l = 0; l < nl; ++l) {
    const double lam = wavelengths_[l], k = 2.0 * std::numbers::pi / lam;
    auto& f = ws.fields[l];
    for (std::size_t i = 0; i < layers.size(); ++i) {
      layers[i].layer->forward(layer_params(i), lam, system_->layer_input_pixel_scale(i),
                               static_cast<int>(l), f[i], f[i + 1], *ws.layer_ws[i]);
    }
    const ComplexImage& p = f[layers.size()];
    const Mft& mft = mfts_[l];
    for (int s = 0; s < ns; ++s) {
      auto& ex = ws.ex[s][l];
      auto& ey = ws.ey[s][l];
      for (int j = 0; j < n; ++j) {
        ex[j] = std::polar(1.0, k * positions(s, 0) * ws.x_axis[j]);
        ey[j] = std::polar(1.0, k * positions(s, 1) * ws.x_axis[j]);
      }
      ws.b_stack.middleCols(s * no, no).noalias() = ex.asDiagonal() * mft.b();
    }
    gemm_into(p.matrix(), ws.b_stack, ws.s_stack);
    for (int s = 0; s < ns; ++s) {
      ws.a_s.noalias() = mft.a() * ws.ey[s][l].asDiagonal();
      ComplexImage& e = ws.e_out[s][l];
      e.matrix().noalias() = ws.a_s * ws.s_stack.middleCols(s * no, no);
      e *= mft.factor();
      psf += amplitudes(s, l) * e.abs2();
    }
  }
}

void PsfEngine::pullback(std::span<const double> params, const RealImage& psf_bar,
                         PsfWorkspace& base, std::span<double> params_bar,
                         RealMatrix& positions_bar, RealMatrix& amplitudes_bar) const {
  auto& ws = static_cast<EngineWorkspace&>(base);
  const auto& layers = system_->layers();
  const auto& offs = system_->layer_offsets();
  const int nl = static_cast<int>(wavelengths_.size()), ns = num_sources_;
  const int n = system_->final_pupil_npixels();
  std::fill(params_bar.begin(), params_bar.end(), 0.0);
  positions_bar.setZero(ns, 2);
  amplitudes_bar.setZero(ns, nl);
  auto layer_params = [&](std::size_t i) { return params.subspan(offs[i], offs[i + 1] - offs[i]); };
  auto layer_bar = [&](std::size_t i) {
    return params_bar.subspan(offs[i], offs[i + 1] - offs[i]);
  };
  for (int l = 0; l < nl; ++l) {
    const double lam = wavelengths_[l], k = 2.0 * std::numbers::pi / lam;
    const Mft& mft = mfts_[l];
    auto& f = ws.fields[l];
    const ComplexImage& p = f[layers.size()];
    ws.pbar.setZero(n, n);
    for (int s = 0; s < ns; ++s) {
      const ComplexImage& e = ws.e_out[s][l];
      amplitudes_bar(s, l) = (psf_bar * e.abs2()).sum();
      ws.g = (2.0 * ws.amplitudes(s, l) * mft.factor()) * psf_bar * e;
      ws.u.noalias() = mft.a_adjoint() * ws.g.matrix();
      const auto& ex = ws.ex[s][l];
      const auto& ey = ws.ey[s][l];
      for (int i = 0; i < n; ++i) ws.u.row(i) *= std::conj(ey[i]);
      ws.v.noalias() = mft.b_adjoint() * ex.conjugate().asDiagonal();
      gemm_into(ws.u, ws.v, ws.pbar_s);
      // theta gradients and P_bar accumulation in one pass; manual complex arithmetic
      // (re/im pairs) keeps the loop vectorisable.
      double tx = 0.0, ty = 0.0;
      const double* pb = reinterpret_cast<const double*>(ws.pbar_s.data());
      const double* pp = reinterpret_cast<const double*>(p.data());
      double* acc = reinterpret_cast<double*>(ws.pbar.data());
      const double* xa = ws.x_axis.data();
      for (int i = 0; i < n; ++i) {
        double row = 0.0;
        const int o = 2 * i * n;
        for (int j = 0; j < n; ++j) {
          const double br = pb[o + 2 * j], bi = pb[o + 2 * j + 1];
          const double m = bi * pp[o + 2 * j] - br * pp[o + 2 * j + 1];  // Im(pb conj(p))
          tx += xa[j] * m;
          row += m;
          acc[o + 2 * j] += br;
          acc[o + 2 * j + 1] += bi;
        }
        ty += xa[i] * row;
      }
      positions_bar(s, 0) += k * tx;
      positions_bar(s, 1) += k * ty;
    }
    ComplexImage* cur = &ws.pbar;
    ComplexImage* nxt = &ws.next;
    for (std::size_t i = layers.size(); i-- > 0;) {
      layers[i].layer->pullback(layer_params(i), lam, system_->layer_input_pixel_scale(i),
                                static_cast<int>(l), f[i], f[i + 1], *cur, *nxt, layer_bar(i),
                                *ws.layer_ws[i]);
      std::swap(cur, nxt);
    }
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layers[i].layer->finish_pullback(layer_params(i), layer_bar(i), *ws.layer_ws[i]);
  }
}

}  // namespace airy::optics
