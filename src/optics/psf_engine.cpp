// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/psf_engine.hpp"

#include <cmath>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include <numbers>

#include "airy/core/error.hpp"
#include "optics/fast_sincos.hpp"

namespace airy::optics {
namespace {

struct EngineWorkspace final : PsfWorkspace {
  std::vector<std::unique_ptr<LayerWorkspace>> layer_ws;
  std::vector<std::vector<ComplexImage>> fields;   // [l][layer + 1]
  std::vector<std::vector<ComplexImage>> e_out;    // [s][l]
  std::vector<std::vector<ComplexVector>> ex, ey;  // [s][l] tilt phases
  // Column-major buffers: a complex column-major (r x c) matrix is a real (2r x c) one, so
  // complex x real products run as real GEMMs.
  Eigen::MatrixXcd p_plus, p_minus, q1, q2, u, x, y;
  // Per wavelength (K, S M): Re / Im of diag(e_x) B over the first K pupil columns.
  std::vector<Eigen::MatrixXd> br, bi;
  // Per [s][l] (M, K) row-major: Re / Im of A diag(e_y) over the first K pupil rows (the
  // other rows are their conjugates, as for B).
  std::vector<std::vector<RealMatrix>> ar, ai;
  // Row-major (K, M) complex: S_i +- S_{n-1-i}; f1, f2 (M, 2M) and v1, v2 (K, 2M) real
  // row-major views of complex products.
  ComplexMatrix s_plus, s_minus;
  RealMatrix f1, f2, v1, v2;
  ComplexImage g, pbar, next;
  RealMatrix positions, amplitudes;
  RealVector x_axis, phase, sn, cs;
  // [begin, end) ranges of params_bar that pullback zeroes (the needed blocks; set_needs).
  std::vector<std::pair<int, int>> zero_ranges;
};

// View of a column-major complex matrix as a real (2 rows, cols) one.
Eigen::Map<Eigen::MatrixXd> real_view(Eigen::MatrixXcd& z) {
  return {reinterpret_cast<double*>(z.data()), 2 * z.rows(), z.cols()};
}

// c = a b for real column-major operands in row panels of at most 64 rows, so that Eigen's
// GEMM blocking buffers stay on the stack (no heap allocation on the hot path).
template <class A, class B, class C>
void panel_gemm(const A& a, const B& b, C&& c) {
  constexpr Eigen::Index kPanel = 64;
  for (Eigen::Index r = 0; r < a.rows(); r += kPanel) {
    const Eigen::Index h = std::min(kPanel, a.rows() - r);
    c.middleRows(r, h).noalias() = a.middleRows(r, h) * b;
  }
}

#ifdef __AVX2__
// The pullback's per-star pass for even n divisible by 4 (see the scalar loop in
// PsfEngine::pullback, which it reproduces up to summation order): tiles of 4 rows, 2 rows per
// AVX2 vector of complex pairs. X, Y column-major (n, n/2); p, pbar row-major (n, n).
void theta_sweep_avx2(int n, const double* pd, const double* xd, const double* yd, const double* xa,
                      bool first, double* bd, double& tx, double& ty) {
  const int kh = n / 2;
  const __m256d neg_odd = _mm256_set_pd(-0.0, 0.0, -0.0, 0.0);
  __m256d txv = _mm256_setzero_pd();
  for (int i0 = 0; i0 < n; i0 += 4) {
    const double* p0 = pd + 2 * static_cast<Eigen::Index>(i0) * n;
    const Eigen::Index rs = 2 * static_cast<Eigen::Index>(n);  // row stride in doubles
    double* q0 = bd + 2 * static_cast<Eigen::Index>(i0) * n;
    __m256d row01 = _mm256_setzero_pd(), row23 = _mm256_setzero_pd();
    for (int j = 0; j < kh; ++j) {
      const int jj = n - 1 - j;
      const Eigen::Index o = 2 * (i0 + static_cast<Eigen::Index>(j) * n);
      const __m256d x01 = _mm256_loadu_pd(xd + o), x23 = _mm256_loadu_pd(xd + o + 4);
      const __m256d ys01 = _mm256_permute_pd(_mm256_loadu_pd(yd + o), 0x5);  // (yi, yr)
      const __m256d ys23 = _mm256_permute_pd(_mm256_loadu_pd(yd + o + 4), 0x5);
      const __m256d b1_01 = _mm256_add_pd(x01, _mm256_xor_pd(ys01, neg_odd));  // X - i Y
      const __m256d b1_23 = _mm256_add_pd(x23, _mm256_xor_pd(ys23, neg_odd));
      const __m256d b2_01 = _mm256_addsub_pd(x01, ys01);  // X + i Y
      const __m256d b2_23 = _mm256_addsub_pd(x23, ys23);
      const __m256d pj01 =
          _mm256_set_m128d(_mm_loadu_pd(p0 + rs + 2 * j), _mm_loadu_pd(p0 + 2 * j));
      const __m256d pj23 =
          _mm256_set_m128d(_mm_loadu_pd(p0 + 3 * rs + 2 * j), _mm_loadu_pd(p0 + 2 * rs + 2 * j));
      const __m256d pk01 =
          _mm256_set_m128d(_mm_loadu_pd(p0 + rs + 2 * jj), _mm_loadu_pd(p0 + 2 * jj));
      const __m256d pk23 =
          _mm256_set_m128d(_mm_loadu_pd(p0 + 3 * rs + 2 * jj), _mm_loadu_pd(p0 + 2 * rs + 2 * jj));
      // (b_r p_i, b_i p_r): Im(b conj p) = odd - even lane.
      const __m256d t1_01 = _mm256_mul_pd(b1_01, _mm256_permute_pd(pj01, 0x5));
      const __m256d t1_23 = _mm256_mul_pd(b1_23, _mm256_permute_pd(pj23, 0x5));
      const __m256d t2_01 = _mm256_mul_pd(b2_01, _mm256_permute_pd(pk01, 0x5));
      const __m256d t2_23 = _mm256_mul_pd(b2_23, _mm256_permute_pd(pk23, 0x5));
      const __m256d d = _mm256_add_pd(_mm256_sub_pd(t1_01, t2_01), _mm256_sub_pd(t1_23, t2_23));
      txv = _mm256_fmadd_pd(_mm256_set1_pd(xa[j]), d, txv);
      row01 = _mm256_add_pd(row01, _mm256_add_pd(t1_01, t2_01));
      row23 = _mm256_add_pd(row23, _mm256_add_pd(t1_23, t2_23));
      double* c0 = q0 + 2 * j;
      double* c1 = q0 + 2 * jj;
      const __m128d v[8] = {_mm256_castpd256_pd128(b1_01), _mm256_extractf128_pd(b1_01, 1),
                            _mm256_castpd256_pd128(b1_23), _mm256_extractf128_pd(b1_23, 1),
                            _mm256_castpd256_pd128(b2_01), _mm256_extractf128_pd(b2_01, 1),
                            _mm256_castpd256_pd128(b2_23), _mm256_extractf128_pd(b2_23, 1)};
      for (int r = 0; r < 4; ++r) {
        if (first) {
          _mm_storeu_pd(c0 + r * rs, v[r]);
          _mm_storeu_pd(c1 + r * rs, v[4 + r]);
        } else {
          _mm_storeu_pd(c0 + r * rs, _mm_add_pd(_mm_loadu_pd(c0 + r * rs), v[r]));
          _mm_storeu_pd(c1 + r * rs, _mm_add_pd(_mm_loadu_pd(c1 + r * rs), v[4 + r]));
        }
      }
    }
    alignas(32) double r01[4], r23[4];
    _mm256_store_pd(r01, row01);
    _mm256_store_pd(r23, row23);
    ty += xa[i0] * (r01[1] - r01[0]) + xa[i0 + 1] * (r01[3] - r01[2]) +
          xa[i0 + 2] * (r23[1] - r23[0]) + xa[i0 + 3] * (r23[3] - r23[2]);
  }
  alignas(32) double t[4];
  _mm256_store_pd(t, txv);
  tx += (t[1] - t[0]) + (t[3] - t[2]);
}
#endif

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
  const int kc = (n + 1) / 2;
  ws->p_plus.setZero(n, kc);
  ws->p_minus.setZero(n, kc);
  ws->q1.setZero(n, ns * no);
  ws->q2.setZero(n, ns * no);
  ws->u.setZero(n, no);
  ws->x.setZero(n, kc);
  ws->y.setZero(n, kc);
  ws->br.assign(nl, Eigen::MatrixXd::Zero(kc, ns * no));
  ws->bi = ws->br;
  ws->ar.assign(ns, std::vector<RealMatrix>(nl, RealMatrix::Zero(no, kc)));
  ws->ai = ws->ar;
  ws->s_plus.setZero(kc, no);
  ws->s_minus.setZero(kc, no);
  ws->f1.setZero(no, 2 * no);
  ws->f2.setZero(no, 2 * no);
  ws->v1.setZero(kc, 2 * no);
  ws->v2.setZero(kc, 2 * no);
  ws->g.resize(no, no);
  ws->pbar.resize(n, n);
  ws->next.resize(n, n);
  ws->positions.setZero(ns, 2);
  ws->amplitudes.setZero(ns, nl);
  ws->x_axis.resize(n);
  ws->phase.setZero(2 * n);
  ws->sn.setZero(2 * n);
  ws->cs.setZero(2 * n);
  const double ps = system_->final_pupil_pixel_scale();
  for (int j = 0; j < n; ++j) ws->x_axis[j] = (j - 0.5 * (n - 1)) * ps;
  set_needs({}, *ws);
  return ws;
}

void PsfEngine::set_needs(const std::vector<bool>& needed, PsfWorkspace& base) const {
  auto& ws = static_cast<EngineWorkspace&>(base);
  const auto& layers = system_->layers();
  const auto& offs = system_->layer_offsets();
  if (!needed.empty() && static_cast<int>(needed.size()) != offs.back()) {
    throw_invalid("PsfEngine::set_needs", "needed", "size differs from the layer parameters");
  }
  constexpr int kLargeBlock = 64;
  ws.zero_ranges.clear();
  bool any_before = false;  // a cotangent is needed upstream of layer i
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LayerNeeds nd;
    nd.input = any_before;    // the initial wavefront itself has no cotangent
    nd.fixed_input = i == 0;  // fields[l][0] is set once in make_workspace
    int o = offs[i];
    for (const auto& b : layers[i].layer->parameter_blocks()) {
      bool need = needed.empty();
      for (int e = o; e < o + b.size && !need; ++e) need = needed[static_cast<std::size_t>(e)];
      nd.blocks.push_back(need);
      // Zero every block but the large unneeded ones (maps: zeroing them costs a pass).
      if (need || b.size < kLargeBlock) {
        if (!ws.zero_ranges.empty() && ws.zero_ranges.back().second == o) {
          ws.zero_ranges.back().second = o + b.size;
        } else {
          ws.zero_ranges.emplace_back(o, o + b.size);
        }
      }
      any_before |= need;
      o += b.size;
    }
    layers[i].layer->set_needs(nd, *ws.layer_ws[i]);
  }
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
    // Pupil x is antisymmetric about the centre, so column j and n-1-j of diag(e_x) B are
    // complex conjugates: P B = (P_j + P_jj) Re B + i (P_j - P_jj) Im B over j < K, which
    // halves the flops of the N^2 M product (real x complex instead of complex x complex).
    const int kc = (n + 1) / 2;
    {
      // P is row-major and P_plus / P_minus column-major: tiles of 4 rows keep both sides on
      // whole cache lines (a plain column walk strides by the row pitch and thrashes L1 sets).
      // Plain doubles: std::complex temporaries here compile to scalar stores reloaded as
      // vectors (store-forwarding stalls).
      const int kh = n / 2;  // columns with a distinct mirror
      double* pp = reinterpret_cast<double*>(ws.p_plus.data());
      double* pm = reinterpret_cast<double*>(ws.p_minus.data());
      const double* pd = reinterpret_cast<const double*>(p.data());
      for (int i0 = 0; i0 < n; i0 += 4) {
        const int h = std::min(4, n - i0);
        for (int j = 0; j < kh; ++j) {
          const int jj = n - 1 - j;
          for (int r = 0; r < h; ++r) {
            const Eigen::Index i = i0 + r;
            const double* row = pd + 2 * i * n;
            const double ar = row[2 * j], ai = row[2 * j + 1];
            const double br = row[2 * jj], bi = row[2 * jj + 1];
            const Eigen::Index o = 2 * (i + static_cast<Eigen::Index>(j) * n);
            pp[o] = ar + br;
            pp[o + 1] = ai + bi;
            pm[o] = ar - br;
            pm[o + 1] = ai - bi;
          }
        }
        if (kh < kc) {
          for (int r = 0; r < h; ++r) {
            const Eigen::Index i = i0 + r;
            const Eigen::Index o = 2 * (i + static_cast<Eigen::Index>(kh) * n);
            pp[o] = pd[2 * (i * n + kh)];
            pp[o + 1] = pd[2 * (i * n + kh) + 1];
            pm[o] = 0.0;
            pm[o + 1] = 0.0;
          }
        }
      }
    }
    for (int s = 0; s < ns; ++s) {
      auto& ex = ws.ex[s][l];
      auto& ey = ws.ey[s][l];
      // e_x, e_y = exp(i k theta x_j), with the vectorised sin/cos.
      for (int j = 0; j < n; ++j) {
        ws.phase[j] = k * positions(s, 0) * ws.x_axis[j];
        ws.phase[n + j] = k * positions(s, 1) * ws.x_axis[j];
      }
      detail::sincos_array(ws.phase.data(), ws.sn.data(), ws.cs.data(),
                           2 * static_cast<std::size_t>(n));
      for (int j = 0; j < n; ++j) {
        ex[j] = Complex(ws.cs[j], ws.sn[j]);
        ey[j] = Complex(ws.cs[n + j], ws.sn[n + j]);
      }
      for (int j = 0; j < kc; ++j) {
        for (int c = 0; c < no; ++c) {
          const Complex b = ex[j] * mft.b()(j, c);
          ws.br[l](j, s * no + c) = b.real();
          ws.bi[l](j, s * no + c) = b.imag();
        }
      }
    }
    panel_gemm(real_view(ws.p_plus), ws.br[l], real_view(ws.q1));
    panel_gemm(real_view(ws.p_minus), ws.bi[l], real_view(ws.q2));
    // A diag(e_y) has conjugate columns i, n-1-i too (y antisymmetric), so
    // A D_y S = Re(A D_y)_K (S_i + S_ii) + i Im(A D_y)_K (S_i - S_ii), S = Q1 + i Q2: two real
    // (M x K)(K x 2M) GEMMs on row-major views instead of a complex (M x N)(N x M) one.
    const int kh = n / 2;
    for (int s = 0; s < ns; ++s) {
      const auto& ey = ws.ey[s][l];
      RealMatrix& ar = ws.ar[s][l];
      RealMatrix& ai = ws.ai[s][l];
      for (int m = 0; m < no; ++m) {
        for (int i = 0; i < kc; ++i) {
          const Complex a = mft.a()(m, i) * ey[i];
          ar(m, i) = a.real();
          ai(m, i) = a.imag();
        }
      }
      const double* q1 = reinterpret_cast<const double*>(ws.q1.data()) + 2 * s * no * n;
      const double* q2 = reinterpret_cast<const double*>(ws.q2.data()) + 2 * s * no * n;
      double* sp = reinterpret_cast<double*>(ws.s_plus.data());
      double* sm = reinterpret_cast<double*>(ws.s_minus.data());
      for (int c = 0; c < no; ++c) {
        const double* a1 = q1 + 2 * static_cast<Eigen::Index>(c) * n;
        const double* a2 = q2 + 2 * static_cast<Eigen::Index>(c) * n;
        for (int i = 0; i < kh; ++i) {
          const int ii = n - 1 - i;
          // S = Q1 + i Q2 at rows i and ii.
          const double sr = a1[2 * i] - a2[2 * i + 1], si = a1[2 * i + 1] + a2[2 * i];
          const double tr = a1[2 * ii] - a2[2 * ii + 1], ti = a1[2 * ii + 1] + a2[2 * ii];
          const Eigen::Index o = 2 * (static_cast<Eigen::Index>(i) * no + c);
          sp[o] = sr + tr;
          sp[o + 1] = si + ti;
          sm[o] = sr - tr;
          sm[o + 1] = si - ti;
        }
        if (kh < kc) {
          const Eigen::Index o = 2 * (static_cast<Eigen::Index>(kh) * no + c);
          sp[o] = a1[2 * kh] - a2[2 * kh + 1];
          sp[o + 1] = a1[2 * kh + 1] + a2[2 * kh];
          sm[o] = 0.0;
          sm[o + 1] = 0.0;
        }
      }
      using RowMap = Eigen::Map<const RealMatrix>;
      ws.f1.noalias() = ar * RowMap(reinterpret_cast<const double*>(ws.s_plus.data()), kc, 2 * no);
      ws.f2.noalias() = ai * RowMap(reinterpret_cast<const double*>(ws.s_minus.data()), kc, 2 * no);
      ComplexImage& e = ws.e_out[s][l];
      const double fac = mft.factor();
      double* ed = reinterpret_cast<double*>(e.data());
      const double* f1 = ws.f1.data();
      const double* f2 = ws.f2.data();
      for (Eigen::Index q = 0; q < static_cast<Eigen::Index>(no) * no; ++q) {
        ed[2 * q] = fac * (f1[2 * q] - f2[2 * q + 1]);
        ed[2 * q + 1] = fac * (f1[2 * q + 1] + f2[2 * q]);
      }
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
  const int n = system_->final_pupil_npixels(), no = system_->output_npixels();
  for (const auto& [a, b] : ws.zero_ranges)
    std::fill(params_bar.begin() + a, params_bar.begin() + b, 0.0);
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
    const int kc = (n + 1) / 2;
    const double* xa = ws.x_axis.data();
    for (int s = 0; s < ns; ++s) {
      const ComplexImage& e = ws.e_out[s][l];
      amplitudes_bar(s, l) = (psf_bar * e.abs2()).sum();
      ws.g = (2.0 * ws.amplitudes(s, l) * mft.factor()) * psf_bar * e;
      // U = diag(conj e_y) A^H G; Pbar_s = U B_s^H with, for j < K,
      // Pbar[:, j] = X_j - i Y_j and Pbar[:, n-1-j] = X_j + i Y_j, X = U Re(B_s)^T,
      // Y = U Im(B_s)^T (real x complex products, half the flops of U B^H).
      // U = D_y^* A^H G: rows i and n-1-i of D_y^* A^H are conjugate, with (Re, Im) of row i
      // = (ar, -ai)^T: V1 = ar^T G, V2 = ai^T G, U_i = V1 - i V2, U_ii = V1 + i V2.
      {
        using RowMap = Eigen::Map<const RealMatrix>;
        const RowMap gr(reinterpret_cast<const double*>(ws.g.data()), no, 2 * no);
        ws.v1.noalias() = ws.ar[s][l].transpose() * gr;
        ws.v2.noalias() = ws.ai[s][l].transpose() * gr;
        const int kh = n / 2;
        double* ud = reinterpret_cast<double*>(ws.u.data());
        const double* v1 = ws.v1.data();
        const double* v2 = ws.v2.data();
        for (int c = 0; c < no; ++c) {
          double* uc = ud + 2 * static_cast<Eigen::Index>(c) * n;
          for (int i = 0; i < kc; ++i) {
            const Eigen::Index o = 2 * (static_cast<Eigen::Index>(i) * no + c);
            const double ar = v1[o], aim = v1[o + 1], br = v2[o], bim = v2[o + 1];
            uc[2 * i] = ar + bim;  // V1 - i V2
            uc[2 * i + 1] = aim - br;
            if (i < kh) {
              const int ii = n - 1 - i;
              uc[2 * ii] = ar - bim;  // V1 + i V2
              uc[2 * ii + 1] = aim + br;
            }
          }
        }
      }
      panel_gemm(real_view(ws.u), ws.br[l].middleCols(s * no, no).transpose(), real_view(ws.x));
      panel_gemm(real_view(ws.u), ws.bi[l].middleCols(s * no, no).transpose(), real_view(ws.y));
      // theta gradients (Im(Pbar conj P) weighted by x, y) and P_bar accumulation in one pass
      // (the first star writes P_bar, later ones add). p and P_bar are row-major, X and Y
      // column-major: tiles of 4 rows read X, Y on whole cache lines.
      double tx = 0.0, ty = 0.0;
      const double* xd = reinterpret_cast<const double*>(ws.x.data());
      const double* yd = reinterpret_cast<const double*>(ws.y.data());
      const bool first = s == 0;
      const double* pd = reinterpret_cast<const double*>(p.data());
      double* bd = reinterpret_cast<double*>(ws.pbar.data());
#ifdef __AVX2__
      if (n % 4 == 0) {
        theta_sweep_avx2(n, pd, xd, yd, xa, first, bd, tx, ty);
        positions_bar(s, 0) += k * tx;
        positions_bar(s, 1) += k * ty;
        continue;
      }
#endif
      for (int i0 = 0; i0 < n; i0 += 4) {
        const int h = std::min(4, n - i0);
        double row[4] = {0.0, 0.0, 0.0, 0.0};
        for (int j = 0; j < kc; ++j) {
          const int jj = n - 1 - j;
          double mj = 0.0;
          for (int r = 0; r < h; ++r) {
            const Eigen::Index i = i0 + r;
            const double* prow = pd + 2 * i * n;
            double* brow = bd + 2 * i * n;
            const Eigen::Index o = 2 * (i + static_cast<Eigen::Index>(j) * n);
            const double xr = xd[o], xi = xd[o + 1], yr = yd[o], yi = yd[o + 1];
            const double b1r = xr + yi, b1i = xi - yr;  // X - i Y
            double m = b1i * prow[2 * j] - b1r * prow[2 * j + 1];
            brow[2 * j] = first ? b1r : brow[2 * j] + b1r;
            brow[2 * j + 1] = first ? b1i : brow[2 * j + 1] + b1i;
            double mrow = m;
            if (jj != j) {
              const double b2r = xr - yi, b2i = xi + yr;  // X + i Y
              const double m2 = b2i * prow[2 * jj] - b2r * prow[2 * jj + 1];
              brow[2 * jj] = first ? b2r : brow[2 * jj] + b2r;
              brow[2 * jj + 1] = first ? b2i : brow[2 * jj + 1] + b2i;
              m -= m2;  // x_jj = -x_j
              mrow += m2;
            }
            mj += m;
            row[r] += mrow;
          }
          tx += xa[j] * mj;
        }
        for (int r = 0; r < h; ++r) ty += xa[i0 + r] * row[r];
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
