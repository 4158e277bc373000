// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/optical_system.hpp"

#include <set>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"
#include "airy/optics/psf_engine.hpp"

namespace airy::optics {

OpticalSystem::OpticalSystem(int wf_npixels, double diameter, std::vector<NamedLayer> layers,
                             int psf_npixels, double psf_pixel_scale, int oversample,
                             double focal_length)
    : wf_npixels_(wf_npixels),
      diameter_(diameter),
      layers_(std::move(layers)),
      psf_npixels_(psf_npixels),
      psf_pixel_scale_(psf_pixel_scale),
      oversample_(oversample),
      focal_length_(focal_length) {
  check_positive("OpticalSystem", "wf_npixels", wf_npixels);
  check_positive("OpticalSystem", "diameter", diameter);
  check_positive("OpticalSystem", "psf_npixels", psf_npixels);
  check_positive("OpticalSystem", "psf_pixel_scale", psf_pixel_scale);
  check_positive("OpticalSystem", "oversample", oversample);
  check_nonnegative("OpticalSystem", "focal_length", focal_length);
  std::set<std::string> keys;
  int n = wf_npixels;
  double ps = diameter / wf_npixels;
  offsets_.push_back(0);
  for (const auto& nl : layers_) {
    if (!nl.layer) throw_invalid("OpticalSystem", "layers", "layer '" + nl.key + "' is null");
    if (nl.key.empty() || !keys.insert(nl.key).second) {
      throw_invalid("OpticalSystem", "layers",
                    "layer keys must be unique and non-empty: '" + nl.key + "'");
    }
    n_in_.push_back(n);
    ps_in_.push_back(ps);
    const int n2 = nl.layer->output_npixels(n);
    ps = nl.layer->output_pixel_scale(ps);
    n = n2;
    offsets_.push_back(offsets_.back() + total_size(nl.layer->parameter_blocks()));
  }
  n_in_.push_back(n);
  ps_in_.push_back(ps);
  final_n_ = n;
  final_ps_ = ps;
}

MftSpec OpticalSystem::mft_spec(double wavelength) const {
  MftSpec s;
  s.n_in = final_n_;
  s.pixel_scale_in = final_ps_;
  s.n_out = output_npixels();
  s.wavelength = wavelength;
  if (focal_length_ > 0) {
    s.pixel_scale_out = psf_pixel_scale_ / oversample_;
    s.focal_length = focal_length_;
  } else {
    s.pixel_scale_out = units::arcsec_to_rad(psf_pixel_scale_ / oversample_);
  }
  return s;
}

RealVector OpticalSystem::values() const {
  RealVector v(num_parameters());
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const RealVector lv = layers_[i].layer->values();
    v.segment(offsets_[i], lv.size()) = lv;
  }
  return v;
}

RealImage OpticalSystem::psf(const RealVector& wavelengths, const RealVector& weights, double x,
                             double y) const {
  if (weights.size() != wavelengths.size()) {
    throw InvalidArgument(format_invalid("OpticalSystem::psf", "weights.size()",
                                         static_cast<double>(weights.size()),
                                         "must equal wavelengths.size()"));
  }
  // Non-owning shared_ptr: the engine lives only inside this call.
  PsfEngine engine(std::shared_ptr<const OpticalSystem>(this, [](const OpticalSystem*) {}),
                   wavelengths, 1);
  auto ws = engine.make_workspace();
  RealMatrix pos(1, 2);
  pos << x, y;
  RealMatrix amp = weights.transpose();
  RealImage out;
  const RealVector p = values();
  engine.forward(std::span<const double>(p.data(), p.size()), pos, amp, *ws, out);
  return out;
}

AngularOpticalSystem::AngularOpticalSystem(int wf_npixels, double diameter,
                                           std::vector<NamedLayer> layers, int psf_npixels,
                                           double psf_pixel_scale_arcsec, int oversample)
    : OpticalSystem(wf_npixels, diameter, std::move(layers), psf_npixels, psf_pixel_scale_arcsec,
                    oversample, 0.0) {}

CartesianOpticalSystem::CartesianOpticalSystem(int wf_npixels, double diameter,
                                               std::vector<NamedLayer> layers, double focal_length,
                                               int psf_npixels, double psf_pixel_size_m,
                                               int oversample)
    : OpticalSystem(wf_npixels, diameter, std::move(layers), psf_npixels, psf_pixel_size_m,
                    oversample, focal_length) {
  check_positive("CartesianOpticalSystem", "focal_length", focal_length);
}

}  // namespace airy::optics
