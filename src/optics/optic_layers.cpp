// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/optic_layers.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

#include "airy/core/error.hpp"
#include "airy/optics/wavefront.hpp"
#include "optics/fast_sincos.hpp"

namespace airy::optics {
namespace {

constexpr int kRun = 256;  // longest run of the fast path's compact pixel list

struct PointwiseWorkspace final : LayerWorkspace {
  RealImage opd, opd_bar;
  RealVector phase, sin, cos;
  bool has_opd = false;
  std::vector<ComplexImage> phasor, pre;
  ComplexImage g;
  // Fast path (PointwiseOptic::set_needs): compact pixel list of T != 0 and its complement.
  bool need_input = true, need_t = true, fixed_input = false;
  bool fast = false;      // this evaluation runs the fast path
  bool cache_ok = false;  // idx / basis_c / t_cache match the current transmission
  RealVector t_cache;     // transmission the compact caches were built from
  std::vector<int> idx, zidx;
  // Runs of consecutive pixels (at most kRun long): {first pixel, first compact index, length}
  // over idx, and {first pixel, length} over zidx.
  std::vector<std::array<int, 3>> runs;
  std::vector<std::array<int, 2>> zruns;
  RealMatrix basis_c;  // (K, n*n) row-major; columns [0, idx.size()) used
  RealVector opd_c, opd_bar_c;
  bool opd_bar_fresh = true;       // no pullback yet this evaluation: opd_bar_c is stale
  RealVector t_c;                  // T on idx
  std::vector<ComplexVector> amp;  // per w: in T (/ ||in T||) on idx
  std::vector<char> amp_ok, amp_uniform;
  std::vector<Complex> amp_scale;  // per w, uniform input: amp = amp_scale T
};

void check_map(std::string_view where, std::string_view field, const RealImage& a, int n) {
  if (a.rows() == 0 || a.rows() != a.cols())
    throw_invalid(where, field, "must be a non-empty square array");
  if (n > 0 && a.rows() != n) {
    throw InvalidArgument(format_invalid(where, field, static_cast<double>(a.rows()),
                                         "side length must match the other arrays"));
  }
  if (!a.allFinite()) throw_invalid(where, field, "must be finite");
}

void check_size(std::string_view where, std::span<const double> v, int expected) {
  if (static_cast<int>(v.size()) != expected) {
    throw InvalidArgument(
        format_invalid(where, "values", static_cast<double>(v.size()),
                       "wrong number of values, expected " + std::to_string(expected)));
  }
  for (double x : v) check_finite(where, "values", x);
}

RealImage map_image(std::span<const double> v, int n) {
  return Eigen::Map<const RealImage>(v.data(), n, n);
}

}  // namespace

std::unique_ptr<LayerWorkspace> PointwiseOptic::make_workspace(int n, int num_wavelengths) const {
  if (n != n_) throw_invalid(kind(), "npixels", "wavefront size differs from the layer's arrays");
  auto ws = std::make_unique<PointwiseWorkspace>();
  ws->opd.setZero(n, n);
  ws->opd_bar.setZero(n, n);
  ws->phase.setZero(static_cast<Eigen::Index>(n) * n);
  ws->sin = ws->phase;
  ws->cos = ws->phase;
  ws->phasor.assign(num_wavelengths, ComplexImage::Zero(n, n));
  ws->pre.assign(num_wavelengths, ComplexImage::Zero(n, n));
  ws->g.setZero(n, n);
  const Eigen::Index np = static_cast<Eigen::Index>(n) * n;
  if (has_transmission_) {
    ws->t_cache.setZero(np);
    ws->idx.reserve(static_cast<std::size_t>(np));
    ws->zidx.reserve(static_cast<std::size_t>(np));
    ws->runs.reserve(static_cast<std::size_t>(np));
    ws->zruns.reserve(static_cast<std::size_t>(np));
    if (const RealMatrix* b = opd_basis()) ws->basis_c.setZero(b->rows(), np);
    ws->opd_c.setZero(np);
    ws->opd_bar_c.setZero(np);
    ws->amp.assign(num_wavelengths, ComplexVector::Zero(np));
    ws->amp_ok.assign(num_wavelengths, 0);
    ws->amp_uniform.assign(num_wavelengths, 0);
    ws->amp_scale.assign(num_wavelengths, Complex(0.0));
    ws->t_c.setZero(np);
  }
  return ws;
}

void PointwiseOptic::set_needs(const LayerNeeds& needs, LayerWorkspace& base) const {
  auto& ws = static_cast<PointwiseWorkspace&>(base);
  ws.need_input = needs.input;
  ws.fixed_input = needs.fixed_input;
  ws.need_t = true;
  if (has_transmission_ && !needs.blocks.empty()) {
    // Block order: [transmission] or [opd/coefficients, transmission]; find it by offset.
    int o = 0, b = 0;
    for (const auto& blk : parameter_blocks()) {
      if (o == transmission_offset() && blk.name == "transmission") {
        ws.need_t = needs.blocks[static_cast<std::size_t>(b)];
      }
      o += blk.size;
      ++b;
    }
  }
  std::fill(ws.amp_ok.begin(), ws.amp_ok.end(), 0);
}

void PointwiseOptic::prepare(std::span<const double> params, LayerWorkspace& base) const {
  auto& ws = static_cast<PointwiseWorkspace&>(base);
  const RealMatrix* basis = opd_basis();
  ws.fast = has_transmission_ && !ws.need_t && !ws.need_input;
  if (ws.fast && !basis) {
    ws.has_opd = compute_opd(params, ws.opd);
    ws.fast = ws.has_opd;
  }
  if (!ws.fast) {
    ws.has_opd = compute_opd(params, ws.opd);
    ws.opd_bar.setZero();
    return;
  }
  ws.has_opd = true;
  const Eigen::Index np = static_cast<Eigen::Index>(n_) * n_;
  const double* t = params.data() + transmission_offset();
  if (!ws.cache_ok ||
      std::memcmp(t, ws.t_cache.data(), static_cast<std::size_t>(np) * sizeof(double)) != 0) {
    std::copy(t, t + np, ws.t_cache.data());
    ws.idx.clear();
    ws.zidx.clear();
    for (Eigen::Index p = 0; p < np; ++p) (t[p] != 0.0 ? ws.idx : ws.zidx).push_back(int(p));
    ws.runs.clear();
    ws.zruns.clear();
    for (std::size_t q = 0; q < ws.idx.size(); ++q) {
      auto& b = ws.runs;
      if (!b.empty() && b.back()[0] + b.back()[2] == ws.idx[q] && b.back()[2] < kRun) {
        ++b.back()[2];
      } else {
        b.push_back({ws.idx[q], static_cast<int>(q), 1});
      }
    }
    for (const int p : ws.zidx) {
      auto& b = ws.zruns;
      if (!b.empty() && b.back()[0] + b.back()[1] == p) {
        ++b.back()[1];
      } else {
        b.push_back({p, 1});
      }
    }
    for (std::size_t q = 0; q < ws.idx.size(); ++q)
      ws.t_c[static_cast<Eigen::Index>(q)] = t[ws.idx[q]];
    if (basis) {
      for (std::size_t q = 0; q < ws.idx.size(); ++q)
        ws.basis_c.col(static_cast<Eigen::Index>(q)) = basis->col(ws.idx[q]);
    }
    std::fill(ws.amp_ok.begin(), ws.amp_ok.end(), 0);
    ws.cache_ok = true;
  }
  const Eigen::Index m = static_cast<Eigen::Index>(ws.idx.size());
  if (basis) {
    ws.opd_c.head(m).noalias() = ws.basis_c.leftCols(m).transpose() *
                                 Eigen::Map<const RealVector>(params.data(), basis->rows());
  } else {
    for (Eigen::Index q = 0; q < m; ++q) ws.opd_c[q] = ws.opd.data()[ws.idx[q]];
  }
  ws.opd_bar_fresh = true;
}

void PointwiseOptic::fast_forward(std::span<const double> params, double wavelength, int w,
                                  const ComplexImage& in, ComplexImage& out,
                                  LayerWorkspace& base) const {
  auto& ws = static_cast<PointwiseWorkspace&>(base);
  const double k = 2.0 * std::numbers::pi / wavelength;
  const std::size_t m = ws.idx.size();
  const int* idx = ws.idx.data();
  const double* t = params.data() + transmission_offset();
  const double* e = reinterpret_cast<const double*>(in.data());
  if (!ws.fixed_input || !ws.amp_ok[w]) {
    // amp = in T (/ ||in T||, which equals ||in T exp(i k opd)||); a uniform input (the
    // initial wavefront) makes it amp_scale T, so only the compact T is streamed.
    double* amp = reinterpret_cast<double*>(ws.amp[w].data());
    const Complex in0 = m > 0 ? in.data()[idx[0]] : Complex(0.0);
    bool uniform = true;
    double pw = 0.0;
    for (std::size_t q = 0; q < m; ++q) {
      const int p = idx[q];
      uniform &= e[2 * p] == in0.real() && e[2 * p + 1] == in0.imag();
      const double ar = e[2 * p] * t[p], ai = e[2 * p + 1] * t[p];
      amp[2 * q] = ar;
      amp[2 * q + 1] = ai;
      pw += ar * ar + ai * ai;
    }
    const double sc = !normalise_ ? 1.0 : (pw > 0 ? 1.0 / std::sqrt(pw) : 0.0);
    if (sc != 1.0) {
      for (std::size_t q = 0; q < 2 * m; ++q) amp[q] *= sc;
    }
    ws.amp_uniform[w] = uniform;
    ws.amp_scale[w] = in0 * sc;
    ws.amp_ok[w] = 1;
  }
  // Run by run (consecutive pixels): phase, sin/cos stay in L1 and the output is written
  // contiguously.
  double phase[kRun], sn[kRun], cs[kRun];
  const double* opd = ws.opd_c.data();
  out.resize(n_, n_);
  double* o = reinterpret_cast<double*>(out.data());
  const bool uniform = ws.amp_uniform[w];
  const double ur = ws.amp_scale[w].real(), ui = ws.amp_scale[w].imag();
  const double* amp = reinterpret_cast<const double*>(ws.amp[w].data());
  for (const auto& [p0, q0, len] : ws.runs) {
    const std::size_t h = static_cast<std::size_t>(len);
    const double* op = opd + q0;
    for (std::size_t r = 0; r < h; ++r) phase[r] = k * op[r];
    detail::sincos_array(phase, sn, cs, h);
    double* orun = o + 2 * static_cast<std::ptrdiff_t>(p0);
    if (uniform) {
      const double* tc = ws.t_c.data() + q0;
      for (std::size_t r = 0; r < h; ++r) {
        const double ar = ur * tc[r], ai = ui * tc[r], c = cs[r], si = sn[r];
        orun[2 * r] = ar * c - ai * si;
        orun[2 * r + 1] = ar * si + ai * c;
      }
    } else {
      const double* ap = amp + 2 * static_cast<std::ptrdiff_t>(q0);
      for (std::size_t r = 0; r < h; ++r) {
        const double ar = ap[2 * r], ai = ap[2 * r + 1], c = cs[r], si = sn[r];
        orun[2 * r] = ar * c - ai * si;
        orun[2 * r + 1] = ar * si + ai * c;
      }
    }
  }
  for (const auto& [p0, len] : ws.zruns) {
    std::fill(o + 2 * static_cast<std::ptrdiff_t>(p0),
              o + 2 * static_cast<std::ptrdiff_t>(p0 + len), 0.0);
  }
}

void PointwiseOptic::forward(std::span<const double> params, double wavelength, double, int w,
                             const ComplexImage& in, ComplexImage& out,
                             LayerWorkspace& base) const {
  auto& ws = static_cast<PointwiseWorkspace&>(base);
  if (ws.fast) {
    fast_forward(params, wavelength, w, in, out, base);
    return;
  }
  const double k = 2.0 * std::numbers::pi / wavelength;
  const Eigen::Index np = static_cast<Eigen::Index>(n_) * n_;
  const double* t = has_transmission_ ? params.data() + transmission_offset() : nullptr;
  double* pre = reinterpret_cast<double*>(ws.pre[w].data());
  double* ph = reinterpret_cast<double*>(ws.phasor[w].data());
  const double* e = reinterpret_cast<const double*>(in.data());
  if (ws.has_opd) {
    // phase -> (sin, cos) in bulk (vectorisable), stored as the phasor (cos, sin) pairs.
    double* phase = ws.phase.data();
    double* sn = ws.sin.data();
    double* cs = ws.cos.data();
    const double* opd = ws.opd.data();
    for (Eigen::Index p = 0; p < np; ++p) phase[p] = k * opd[p];
    detail::sincos_array(phase, sn, cs, static_cast<std::size_t>(np));
    for (Eigen::Index p = 0; p < np; ++p) {
      ph[2 * p] = cs[p];
      ph[2 * p + 1] = sn[p];
    }
  }
  for (Eigen::Index p = 0; p < np; ++p) {
    double re = e[2 * p], im = e[2 * p + 1];
    if (t) {
      re *= t[p];
      im *= t[p];
    }
    if (ws.has_opd) {
      const double c = ph[2 * p], s = ph[2 * p + 1];
      const double r2 = re * c - im * s;
      im = re * s + im * c;
      re = r2;
    }
    pre[2 * p] = re;
    pre[2 * p + 1] = im;
  }
  const ComplexImage& pre_img = ws.pre[w];
  if (normalise_) {
    normalise(pre_img, out);
  } else {
    out.resize(n_, n_);
    out = pre_img;
  }
}

void PointwiseOptic::pullback(std::span<const double> params, double wavelength, double, int w,
                              const ComplexImage& in, const ComplexImage& out,
                              const ComplexImage& out_bar, ComplexImage& in_bar,
                              std::span<double> params_bar, LayerWorkspace& base) const {
  auto& ws = static_cast<PointwiseWorkspace&>(base);
  const double k = 2.0 * std::numbers::pi / wavelength;
  if (ws.fast) {
    // opd_bar = k Im(out_bar conj(out)) on the compact pixels; in_bar and T_bar not needed.
    const double* gd = reinterpret_cast<const double*>(out_bar.data());
    const double* od = reinterpret_cast<const double*>(out.data());
    const bool fresh = ws.opd_bar_fresh;  // the first wavelength writes, so no zeroing pass
    for (const auto& [p0, q0, len] : ws.runs) {
      const double* g = gd + 2 * static_cast<std::ptrdiff_t>(p0);
      const double* v = od + 2 * static_cast<std::ptrdiff_t>(p0);
      double* ob = ws.opd_bar_c.data() + q0;
      if (fresh) {
        for (int r = 0; r < len; ++r)
          ob[r] = k * (g[2 * r + 1] * v[2 * r] - g[2 * r] * v[2 * r + 1]);
      } else {
        for (int r = 0; r < len; ++r)
          ob[r] += k * (g[2 * r + 1] * v[2 * r] - g[2 * r] * v[2 * r + 1]);
      }
    }
    ws.opd_bar_fresh = false;
    return;
  }
  const Eigen::Index np = static_cast<Eigen::Index>(n_) * n_;
  const double* t = has_transmission_ ? params.data() + transmission_offset() : nullptr;
  double* t_bar =
      has_transmission_ && ws.need_t ? params_bar.data() + transmission_offset() : nullptr;
  const ComplexImage& pre = ws.pre[w];
  const ComplexImage& ph = ws.phasor[w];
  const ComplexImage* g = &out_bar;
  if (normalise_) {
    normalise_pullback(pre, out, out_bar, ws.g);
    g = &ws.g;
  }
  in_bar.resize(n_, n_);
  const double* gd = reinterpret_cast<const double*>(g->data());
  const double* phd = reinterpret_cast<const double*>(ph.data());
  const double* ind = reinterpret_cast<const double*>(in.data());
  const double* pred = reinterpret_cast<const double*>(pre.data());
  double* ib = reinterpret_cast<double*>(in_bar.data());
  double* opd_bar = ws.opd_bar.data();
  for (Eigen::Index p = 0; p < np; ++p) {
    const double gr = gd[2 * p], gi = gd[2 * p + 1];
    const double c = ws.has_opd ? phd[2 * p] : 1.0, s = ws.has_opd ? phd[2 * p + 1] : 0.0;
    const double tp = t ? t[p] : 1.0;
    // in_bar = g t conj(e^{i phi})
    ib[2 * p] = tp * (gr * c + gi * s);
    ib[2 * p + 1] = tp * (gi * c - gr * s);
    if (t_bar) {
      // Re(g conj(in e^{i phi}))
      const double ar = ind[2 * p] * c - ind[2 * p + 1] * s,
                   ai = ind[2 * p] * s + ind[2 * p + 1] * c;
      t_bar[p] += gr * ar + gi * ai;
    }
    if (ws.has_opd) opd_bar[p] += k * (gi * pred[2 * p] - gr * pred[2 * p + 1]);
  }
}

void PointwiseOptic::finish_pullback(std::span<const double>, std::span<double> params_bar,
                                     LayerWorkspace& base) const {
  auto& ws = static_cast<PointwiseWorkspace&>(base);
  if (ws.fast) {
    if (ws.opd_bar_fresh) return;  // no pullback since prepare: nothing to add
    const Eigen::Index m = static_cast<Eigen::Index>(ws.idx.size());
    if (const RealMatrix* basis = opd_basis()) {
      Eigen::Map<RealVector>(params_bar.data(), basis->rows()).noalias() +=
          ws.basis_c.leftCols(m) * ws.opd_bar_c.head(m);
    } else {
      ws.opd_bar.setZero();
      for (Eigen::Index q = 0; q < m; ++q) ws.opd_bar.data()[ws.idx[q]] = ws.opd_bar_c[q];
      opd_pullback(ws.opd_bar, params_bar);
    }
    return;
  }
  if (ws.has_opd) opd_pullback(ws.opd_bar, params_bar);
}

// --- TransmissiveLayer -------------------------------------------------------------------

TransmissiveLayer::TransmissiveLayer(RealImage transmission, bool normalise)
    : PointwiseOptic(static_cast<int>(transmission.rows()), true, normalise),
      transmission_(std::move(transmission)) {
  check_map("TransmissiveLayer", "transmission", transmission_, 0);
}

std::vector<ParameterBlock> TransmissiveLayer::parameter_blocks() const {
  return {{"transmission", n_ * n_, "1", "amplitude transmission map, row-major [y, x]"}};
}

RealVector TransmissiveLayer::values() const {
  return Eigen::Map<const RealVector>(transmission_.data(), transmission_.size());
}

std::shared_ptr<const Layer> TransmissiveLayer::with_values(std::span<const double> v) const {
  check_size("TransmissiveLayer", v, n_ * n_);
  return std::make_shared<TransmissiveLayer>(map_image(v, n_), normalise_);
}

// --- Optic --------------------------------------------------------------------------------

Optic::Optic(std::optional<RealImage> transmission, std::optional<RealImage> opd, bool normalise)
    : PointwiseOptic(
          static_cast<int>(transmission ? transmission->rows() : (opd ? opd->rows() : 0)),
          transmission.has_value(), normalise),
      transmission_(std::move(transmission)),
      opd_(std::move(opd)) {
  if (!transmission_ && !opd_) throw_invalid("Optic", "transmission/opd", "give at least one");
  if (transmission_) check_map("Optic", "transmission", *transmission_, n_);
  if (opd_) check_map("Optic", "opd", *opd_, n_);
}

std::vector<ParameterBlock> Optic::parameter_blocks() const {
  std::vector<ParameterBlock> b;
  if (transmission_) b.push_back({"transmission", n_ * n_, "1", "amplitude transmission, [y, x]"});
  if (opd_) b.push_back({"opd", n_ * n_, "m", "optical path difference map, [y, x]"});
  return b;
}

RealVector Optic::values() const {
  RealVector v(total_size(parameter_blocks()));
  Eigen::Index o = 0;
  if (transmission_) {
    v.segment(o, transmission_->size()) =
        Eigen::Map<const RealVector>(transmission_->data(), transmission_->size());
    o += transmission_->size();
  }
  if (opd_) v.segment(o, opd_->size()) = Eigen::Map<const RealVector>(opd_->data(), opd_->size());
  return v;
}

std::shared_ptr<const Layer> Optic::with_values(std::span<const double> v) const {
  check_size("Optic", v, total_size(parameter_blocks()));
  const int nn = n_ * n_;
  std::optional<RealImage> t, o;
  int off = 0;
  if (transmission_) {
    t = map_image(v.subspan(0, nn), n_);
    off = nn;
  }
  if (opd_) o = map_image(v.subspan(off, nn), n_);
  return std::make_shared<Optic>(t, o, normalise_);
}

bool Optic::compute_opd(std::span<const double> params, RealImage& opd) const {
  if (!opd_) return false;
  const int off = transmission_ ? n_ * n_ : 0;
  opd = Eigen::Map<const RealImage>(params.data() + off, n_, n_);
  return true;
}

void Optic::opd_pullback(const RealImage& opd_bar, std::span<double> params_bar) const {
  const int off = transmission_ ? n_ * n_ : 0;
  Eigen::Map<RealImage>(params_bar.data() + off, n_, n_) += opd_bar;
}

// --- BasisOptic ---------------------------------------------------------------------------

BasisOptic::BasisOptic(std::vector<RealImage> basis, std::optional<RealImage> transmission,
                       RealVector coefficients, bool normalise)
    : PointwiseOptic(basis.empty() ? 0 : static_cast<int>(basis[0].rows()),
                     transmission.has_value(), normalise),
      transmission_(std::move(transmission)),
      coefficients_(std::move(coefficients)) {
  if (basis.empty()) throw_invalid("BasisOptic", "basis", "must hold at least one map");
  if (static_cast<std::size_t>(coefficients_.size()) != basis.size()) {
    throw InvalidArgument(format_invalid(
        "BasisOptic", "coefficients.size()", static_cast<double>(coefficients_.size()),
        "must equal the number of basis maps (" + std::to_string(basis.size()) + ")"));
  }
  for (Eigen::Index i = 0; i < coefficients_.size(); ++i) {
    check_finite("BasisOptic", "coefficients", coefficients_[i]);
  }
  basis_.resize(static_cast<Eigen::Index>(basis.size()), static_cast<Eigen::Index>(n_) * n_);
  for (std::size_t j = 0; j < basis.size(); ++j) {
    check_map("BasisOptic", "basis", basis[j], n_);
    basis_.row(static_cast<Eigen::Index>(j)) =
        Eigen::Map<const RealVector>(basis[j].data(), basis[j].size());
  }
  if (transmission_) check_map("BasisOptic", "transmission", *transmission_, n_);
}

std::vector<ParameterBlock> BasisOptic::parameter_blocks() const {
  std::vector<ParameterBlock> b{{"coefficients", static_cast<int>(basis_.rows()), "m",
                                 "OPD coefficient of each basis map (m RMS for Zernikes)"}};
  if (transmission_) b.push_back({"transmission", n_ * n_, "1", "amplitude transmission, [y, x]"});
  return b;
}

RealVector BasisOptic::values() const {
  RealVector v(total_size(parameter_blocks()));
  v.head(coefficients_.size()) = coefficients_;
  if (transmission_) {
    v.tail(transmission_->size()) =
        Eigen::Map<const RealVector>(transmission_->data(), transmission_->size());
  }
  return v;
}

std::shared_ptr<const Layer> BasisOptic::with_values(std::span<const double> v) const {
  check_size("BasisOptic", v, total_size(parameter_blocks()));
  const Eigen::Index k = basis_.rows();
  std::vector<RealImage> basis;
  for (Eigen::Index j = 0; j < k; ++j)
    basis.push_back(Eigen::Map<const RealImage>(basis_.row(j).data(), n_, n_));
  std::optional<RealImage> t;
  if (transmission_) t = map_image(v.subspan(k), n_);
  return std::make_shared<BasisOptic>(std::move(basis), t,
                                      Eigen::Map<const RealVector>(v.data(), k), normalise_);
}

bool BasisOptic::compute_opd(std::span<const double> params, RealImage& opd) const {
  const Eigen::Index k = basis_.rows();
  Eigen::Map<RealVector>(opd.data(), opd.size()).noalias() =
      basis_.transpose() * Eigen::Map<const RealVector>(params.data(), k);
  return true;
}

void BasisOptic::opd_pullback(const RealImage& opd_bar, std::span<double> params_bar) const {
  const Eigen::Index k = basis_.rows();
  Eigen::Map<RealVector>(params_bar.data(), k).noalias() +=
      basis_ * Eigen::Map<const RealVector>(opd_bar.data(), opd_bar.size());
}

std::shared_ptr<const TransmissiveLayer> aperture_layer(const std::vector<Shape>& shapes,
                                                        int npixels, double diameter,
                                                        int oversample, bool normalise) {
  return std::make_shared<TransmissiveLayer>(
      aperture_transmission(shapes, npixels, diameter, oversample), normalise);
}

}  // namespace airy::optics
