// SPDX-License-Identifier: BSD-3-Clause
#include "airy/model/telescope.hpp"

#include <fmt/format.h>

#include <set>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"
#include "airy/model/telescope_impl.hpp"

namespace airy::model {
namespace {

struct WorkspaceImpl final : TelescopeWorkspace {
  RealVector theta, theta_bar;
  RealMatrix positions, amplitudes, positions_bar, amplitudes_bar;
  RealMatrix source_amplitudes;  // the source's own amplitudes, before exposure.flux_scale
  std::unique_ptr<optics::PsfWorkspace> psf_ws;
  std::vector<std::unique_ptr<detector::DetectorWorkspace>> det_ws;
  std::vector<RealImage> stages, bars;
  int set_size = 0;
  std::vector<int> handles;  // the ParameterSet the engine's needs were declared for
};

// Tells the PSF engine which optics parameters are bound, so that it may skip the
// cotangents of the others (e.g. a fixed, normalised aperture transmission).
void declare_needs(const TelescopeImpl& t, const ParameterSet& set, WorkspaceImpl& ws) {
  std::vector<bool> needed(static_cast<std::size_t>(t.optics_size()), false);
  for (const int h : set.handles()) {
    const auto& e = t.entries()[h];
    if (e.component != Component::kOptics) continue;
    for (int k = 0; k < e.size; ++k)
      needed[static_cast<std::size_t>(e.offset - t.optics_offset() + k)] = true;
  }
  t.engine().set_needs(needed, *ws.psf_ws);
  ws.handles = set.handles();
}

int resolve(const TelescopeImpl& impl, std::string_view path, const char* where) {
  const int i = impl.find(path);
  if (i < 0) {
    throw InvalidArgument(fmt::format("{}: unknown parameter path '{}'; nearest known path: '{}'",
                                      where, path, impl.nearest(path)));
  }
  return i;
}

}  // namespace

Telescope::Telescope(std::shared_ptr<const TelescopeImpl> impl) : impl_(std::move(impl)) {
  if (!impl_) throw_invalid("Telescope", "impl", "must not be null");
}

std::vector<std::string> ParameterSet::coordinate_names() const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    if (sizes_[i] == 1) {
      names.push_back(paths_[i]);
    } else {
      for (int k = 0; k < sizes_[i]; ++k) names.push_back(fmt::format("{}[{}]", paths_[i], k + 1));
    }
  }
  return names;
}

std::vector<ParameterInfo> Telescope::parameters() const {
  std::vector<ParameterInfo> out;
  for (const auto& e : impl_->entries()) {
    out.push_back({e.path, e.size, e.unit, e.doc, e.domain});
  }
  return out;
}

RealVector Telescope::get(std::string_view path) const {
  const auto& e = impl_->entries()[resolve(*impl_, path, "Telescope::get")];
  return impl_->values().segment(e.offset, e.size);
}

Telescope Telescope::set(std::string_view path, const RealVector& value) const {
  const int i = resolve(*impl_, path, "Telescope::set");
  auto copy = std::make_shared<TelescopeImpl>(*impl_);
  copy->set_values(i, value);
  return Telescope(std::move(copy));
}

ParameterSet Telescope::bind(const std::vector<std::string>& paths) const {
  ParameterSet s;
  std::set<std::string> seen;
  for (const auto& p : paths) {
    const int i = resolve(*impl_, p, "Telescope::bind");
    if (!seen.insert(p).second) throw_invalid("Telescope::bind", p, "duplicate parameter path");
    s.paths_.push_back(p);
    s.offsets_.push_back(s.total_);
    s.sizes_.push_back(impl_->entries()[i].size);
    s.handles_.push_back(i);
    s.total_ += impl_->entries()[i].size;
  }
  return s;
}

RealVector Telescope::values(const ParameterSet& set) const {
  RealVector x(set.size());
  for (std::size_t i = 0; i < set.paths().size(); ++i) {
    const auto& e = impl_->entries()[set.handles()[i]];
    x.segment(set.offset(i), e.size) = impl_->values().segment(e.offset, e.size);
  }
  return x;
}

namespace {

std::unique_ptr<WorkspaceImpl> new_workspace(const TelescopeImpl& t, const ParameterSet& set,
                                             bool with_psf) {
  auto ws = std::make_unique<WorkspaceImpl>();
  ws->theta = t.values();
  ws->theta_bar.setZero(t.values().size());
  if (with_psf) ws->psf_ws = t.engine().make_workspace();
  const int ns = t.source().num_stars(), nl = static_cast<int>(t.source().wavelengths().size());
  ws->positions.setZero(ns, 2);
  ws->amplitudes.setZero(ns, nl);
  ws->positions_bar.setZero(ns, 2);
  ws->amplitudes_bar.setZero(ns, nl);
  if (t.has_exposure()) ws->source_amplitudes.setZero(ns, nl);
  for (const auto& [r, c] : t.stage_shapes()) {
    ws->stages.push_back(RealImage::Zero(r, c));
    ws->bars.push_back(RealImage::Zero(r, c));
  }
  for (std::size_t i = 0; i < t.detector().size(); ++i) {
    const auto [r, c] = t.stage_shapes()[i];
    ws->det_ws.push_back(t.detector()[i].layer->make_workspace(r, c));
  }
  ws->set_size = set.size();
  if (with_psf) declare_needs(t, set, *ws);
  ws->handles = set.handles();
  return ws;
}

}  // namespace

std::unique_ptr<TelescopeWorkspace> Telescope::make_workspace(const ParameterSet& set) const {
  return new_workspace(*impl_, set, true);
}

std::unique_ptr<TelescopeWorkspace> Telescope::make_detector_workspace(
    const ParameterSet& set) const {
  return new_workspace(*impl_, set, false);
}

void Telescope::render(const ParameterSet& set, std::span<const double> x, TelescopeWorkspace& base,
                       RealImage& image) const {
  auto& ws = static_cast<WorkspaceImpl&>(base);
  const TelescopeImpl& t = *impl_;
  if (static_cast<int>(x.size()) != set.size() || ws.set_size != set.size()) {
    throw_invalid("Telescope::render", "x", "size differs from the ParameterSet / workspace");
  }
  if (!ws.psf_ws) {
    throw_invalid("Telescope::render", "ws", "is a detector-only workspace (render_detector)");
  }
  if (ws.handles != set.handles()) declare_needs(t, set, ws);
  ws.theta = t.values();
  for (std::size_t i = 0; i < set.handles().size(); ++i) {
    const auto& e = t.entries()[set.handles()[i]];
    for (int k = 0; k < e.size; ++k) ws.theta[e.offset + k] = x[set.offset(i) + k];
  }
  const double* th = ws.theta.data();
  t.source().forward(std::span<const double>(th, t.source_size()), ws.positions, ws.amplitudes);
  if (t.has_exposure()) {
    // theta_s += rad(dither); a_sl *= flux_scale (ExposureSettings).
    const double* ex = th + t.exposure_offset();
    ws.positions.col(0).array() += units::arcsec_to_rad(ex[0]);
    ws.positions.col(1).array() += units::arcsec_to_rad(ex[1]);
    ws.source_amplitudes = ws.amplitudes;
    ws.amplitudes *= ex[2];
  }
  t.engine().forward(std::span<const double>(th + t.optics_offset(), t.optics_size()), ws.positions,
                     ws.amplitudes, *ws.psf_ws, ws.stages[0]);
  const auto& det = t.detector();
  const auto& doff = t.detector_offsets();
  for (std::size_t i = 0; i < det.size(); ++i) {
    det[i].layer->forward(std::span<const double>(th + doff[i], doff[i + 1] - doff[i]),
                          ws.stages[i], ws.stages[i + 1], *ws.det_ws[i]);
  }
  const RealImage& out = ws.stages.back();
  if (image.rows() != out.rows() || image.cols() != out.cols())
    image.resize(out.rows(), out.cols());
  image = out;
}

void Telescope::pullback(const ParameterSet& set, const RealImage& image_bar,
                         TelescopeWorkspace& base, std::span<double> x_bar) const {
  auto& ws = static_cast<WorkspaceImpl&>(base);
  const TelescopeImpl& t = *impl_;
  if (static_cast<int>(x_bar.size()) != set.size()) {
    throw_invalid("Telescope::pullback", "x_bar", "size differs from the ParameterSet");
  }
  if (image_bar.rows() != ws.stages.back().rows() || image_bar.cols() != ws.stages.back().cols()) {
    throw_invalid("Telescope::pullback", "image_bar", "shape differs from the image");
  }
  // The PSF engine overwrites the optics segment; zero only the source and detector ones.
  ws.theta_bar.head(t.source_size()).setZero();
  ws.theta_bar.tail(ws.theta_bar.size() - t.optics_offset() - t.optics_size()).setZero();
  const double* th = ws.theta.data();
  double* tb = ws.theta_bar.data();
  const auto& det = t.detector();
  const auto& doff = t.detector_offsets();
  const RealImage* ob = &image_bar;
  for (std::size_t i = det.size(); i-- > 0;) {
    const int a = doff[i], n = doff[i + 1] - doff[i];
    det[i].layer->pullback(std::span<const double>(th + a, n), ws.stages[i], ws.stages[i + 1], *ob,
                           ws.bars[i], std::span<double>(tb + a, n), *ws.det_ws[i]);
    ob = &ws.bars[i];
  }
  t.engine().pullback(std::span<const double>(th + t.optics_offset(), t.optics_size()), *ob,
                      *ws.psf_ws, std::span<double>(tb + t.optics_offset(), t.optics_size()),
                      ws.positions_bar, ws.amplitudes_bar);
  if (t.has_exposure()) {
    double* exb = tb + t.exposure_offset();
    exb[0] = units::arcsec_to_rad(ws.positions_bar.col(0).sum());
    exb[1] = units::arcsec_to_rad(ws.positions_bar.col(1).sum());
    exb[2] = (ws.amplitudes_bar.array() * ws.source_amplitudes.array()).sum();
    ws.amplitudes_bar *= th[t.exposure_offset() + 2];
  }
  t.source().pullback(std::span<const double>(th, t.source_size()), ws.positions_bar,
                      ws.amplitudes_bar, std::span<double>(tb, t.source_size()));
  for (std::size_t i = 0; i < set.handles().size(); ++i) {
    const auto& e = t.entries()[set.handles()[i]];
    for (int k = 0; k < e.size; ++k) x_bar[set.offset(i) + k] = tb[e.offset + k];
  }
}

void Telescope::render_detector(const ParameterSet& set, std::span<const double> x,
                                const RealImage& psf, int row0, int col0, TelescopeWorkspace& base,
                                RealImage& image) const {
  auto& ws = static_cast<WorkspaceImpl&>(base);
  const TelescopeImpl& t = *impl_;
  if (static_cast<int>(x.size()) != set.size() || ws.set_size != set.size()) {
    throw_invalid("Telescope::render_detector", "x",
                  "size differs from the ParameterSet / workspace");
  }
  const auto [r, c] = t.stage_shapes()[0];
  if (row0 < 0 || col0 < 0 || row0 + r > psf.rows() || col0 + c > psf.cols()) {
    throw InvalidArgument(
        fmt::format("Telescope::render_detector: the {}x{} window at ({}, {}) leaves the {}x{} PSF",
                    r, c, row0, col0, psf.rows(), psf.cols()));
  }
  // Only the detector segments of theta and the flux scale are read below.
  for (std::size_t i = 0; i < set.handles().size(); ++i) {
    const auto& e = t.entries()[set.handles()[i]];
    if (e.component != Component::kDetector && e.component != Component::kExposure) continue;
    for (int k = 0; k < e.size; ++k) ws.theta[e.offset + k] = x[set.offset(i) + k];
  }
  // The window is the PSF at flux scale 1: this exposure's own scale multiplies it
  // (ExposureSettings: every amplitude, hence the PSF, scales with it).
  if (t.has_exposure()) {
    ws.stages[0] = ws.theta[t.exposure_offset() + 2] * psf.block(row0, col0, r, c);
  } else {
    ws.stages[0] = psf.block(row0, col0, r, c);
  }
  const double* th = ws.theta.data();
  const auto& det = t.detector();
  const auto& doff = t.detector_offsets();
  for (std::size_t i = 0; i < det.size(); ++i) {
    det[i].layer->forward(std::span<const double>(th + doff[i], doff[i + 1] - doff[i]),
                          ws.stages[i], ws.stages[i + 1], *ws.det_ws[i]);
  }
  const RealImage& out = ws.stages.back();
  if (image.rows() != out.rows() || image.cols() != out.cols())
    image.resize(out.rows(), out.cols());
  image = out;
}

void Telescope::pullback_detector(const ParameterSet& set, const RealImage& image_bar,
                                  TelescopeWorkspace& base, std::span<double> x_bar,
                                  RealImage& psf_bar, int row0, int col0) const {
  auto& ws = static_cast<WorkspaceImpl&>(base);
  const TelescopeImpl& t = *impl_;
  if (static_cast<int>(x_bar.size()) != set.size()) {
    throw_invalid("Telescope::pullback_detector", "x_bar", "size differs from the ParameterSet");
  }
  if (image_bar.rows() != ws.stages.back().rows() || image_bar.cols() != ws.stages.back().cols()) {
    throw_invalid("Telescope::pullback_detector", "image_bar", "shape differs from the image");
  }
  const auto [r, c] = t.stage_shapes()[0];
  if (row0 < 0 || col0 < 0 || row0 + r > psf_bar.rows() || col0 + c > psf_bar.cols()) {
    throw InvalidArgument(fmt::format(
        "Telescope::pullback_detector: the {}x{} window at ({}, {}) leaves the {}x{} PSF", r, c,
        row0, col0, psf_bar.rows(), psf_bar.cols()));
  }
  const double* th = ws.theta.data();
  double* tb = ws.theta_bar.data();
  const auto& det = t.detector();
  const auto& doff = t.detector_offsets();
  ws.theta_bar.segment(doff.front(), doff.back() - doff.front()).setZero();
  const RealImage* ob = &image_bar;
  for (std::size_t i = det.size(); i-- > 0;) {
    const int a = doff[i], n = doff[i + 1] - doff[i];
    det[i].layer->pullback(std::span<const double>(th + a, n), ws.stages[i], ws.stages[i + 1], *ob,
                           ws.bars[i], std::span<double>(tb + a, n), *ws.det_ws[i]);
    ob = &ws.bars[i];
  }
  if (t.has_exposure()) {
    // stage 0 = f window: window_bar = f bar_0, f_bar = sum bar_0 window = sum bar_0 stage_0 / f.
    const double f = th[t.exposure_offset() + 2];
    psf_bar.block(row0, col0, r, c) += f * *ob;
    tb[t.exposure_offset()] = 0.0;  // the dither is the window's (fixed)
    tb[t.exposure_offset() + 1] = 0.0;
    tb[t.exposure_offset() + 2] = (*ob * ws.stages[0]).sum() / f;
  } else {
    psf_bar.block(row0, col0, r, c) += *ob;
  }
  for (std::size_t i = 0; i < set.handles().size(); ++i) {
    const auto& e = t.entries()[set.handles()[i]];
    const bool own = e.component == Component::kDetector || e.component == Component::kExposure;
    for (int k = 0; k < e.size; ++k) x_bar[set.offset(i) + k] = own ? tb[e.offset + k] : 0.0;
  }
}

RealImage Telescope::model() const {
  const ParameterSet empty;
  auto ws = make_workspace(empty);
  RealImage image;
  render(empty, {}, *ws, image);
  return image;
}

int Telescope::image_rows() const { return impl_->stage_shapes().back().first; }
int Telescope::image_cols() const { return impl_->stage_shapes().back().second; }

double Telescope::pixel_scale() const {
  const auto& sys = impl_->system();
  double ps = sys.psf_pixel_scale() / sys.oversample();
  const auto& shapes = impl_->stage_shapes();
  if (shapes.back().second > 0)
    ps *= static_cast<double>(shapes.front().second) / shapes.back().second;
  return ps;
}

}  // namespace airy::model
