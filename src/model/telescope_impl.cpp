// SPDX-License-Identifier: BSD-3-Clause
#include "airy/model/telescope_impl.hpp"

#include <algorithm>
#include <set>

#include "airy/core/error.hpp"

namespace airy::model {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

TelescopeImpl::TelescopeImpl(std::shared_ptr<const optics::OpticalSystem> system,
                             std::shared_ptr<const sources::Source> source,
                             std::vector<detector::NamedDetectorLayer> detector,
                             std::optional<ExposureSettings> exposure)
    : system_(std::move(system)), source_(std::move(source)), detector_(std::move(detector)) {
  if (!system_) throw_invalid("Telescope", "optics", "optical system must not be null");
  if (!source_) throw_invalid("Telescope", "source", "source must not be null");
  engine_ =
      std::make_shared<optics::PsfEngine>(system_, source_->wavelengths(), source_->num_stars());
  std::vector<RealVector> parts;
  int offset = 0;
  auto add = [&](const std::string& prefix, const std::vector<ParameterBlock>& blocks, Component c,
                 int index) {
    for (const auto& b : blocks) {
      entries_.push_back({prefix + b.name, b.size, b.unit, b.doc, offset, c, index, b.domain});
      offset += b.size;
    }
  };
  add("source.", source_->parameter_blocks(), Component::kSource, 0);
  parts.push_back(source_->values());
  source_size_ = offset;
  const auto& layers = system_->layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    add("optics." + layers[i].key + ".", layers[i].layer->parameter_blocks(), Component::kOptics,
        static_cast<int>(i));
  }
  parts.push_back(system_->values());
  std::set<std::string> keys;
  shapes_.push_back({system_->output_npixels(), system_->output_npixels()});
  for (std::size_t i = 0; i < detector_.size(); ++i) {
    const auto& d = detector_[i];
    if (!d.layer) throw_invalid("Telescope", "detector", "layer '" + d.key + "' is null");
    if (d.key.empty() || !keys.insert(d.key).second) {
      throw_invalid("Telescope", "detector", "keys must be unique and non-empty: '" + d.key + "'");
    }
    detector_offsets_.push_back(offset);
    add("detector." + d.key + ".", d.layer->parameter_blocks(), Component::kDetector,
        static_cast<int>(i));
    parts.push_back(d.layer->values());
    const auto [r, c] = shapes_.back();
    const int r2 = d.layer->output_rows(r), c2 = d.layer->output_cols(c);
    if (r2 < 1 || c2 < 1) {
      throw_invalid("Telescope", "detector", "layer '" + d.key + "' cannot take the image shape");
    }
    shapes_.push_back({r2, c2});
  }
  detector_offsets_.push_back(offset);
  if (exposure) {
    check_finite("Telescope", "exposure.dither", exposure->dither_x);
    check_finite("Telescope", "exposure.dither", exposure->dither_y);
    check_positive("Telescope", "exposure.flux_scale", exposure->flux_scale);
    exposure_offset_ = offset;
    add("exposure.",
        {{"dither", 2, "arcsec", "pointing offset (x, y) added to every star (dLux Dither)"},
         {"flux_scale", 1, "1", "multiplies every star's photons (exposure time, throughput)",
          Domain::positive()}},
        Component::kExposure, 0);
    RealVector e(3);
    e << exposure->dither_x, exposure->dither_y, exposure->flux_scale;
    parts.push_back(e);
  }
  values_.resize(offset);
  Eigen::Index o = 0;
  for (const auto& p : parts) {
    values_.segment(o, p.size()) = p;
    o += p.size();
  }
}

int TelescopeImpl::find(std::string_view path) const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].path == path) return static_cast<int>(i);
  }
  return -1;
}

std::string TelescopeImpl::nearest(std::string_view path) const {
  std::string best;
  std::size_t bd = std::string::npos;
  for (const auto& e : entries_) {
    const std::size_t d = edit_distance(path, e.path);
    if (d < bd) {
      bd = d;
      best = e.path;
    }
  }
  return best;
}

void TelescopeImpl::set_values(int entry, const RealVector& v) {
  const ParameterEntry& e = entries_[entry];
  if (v.size() != e.size) {
    throw InvalidArgument(format_invalid("Telescope::set", e.path + " size",
                                         static_cast<double>(v.size()),
                                         "expected " + std::to_string(e.size) + " values"));
  }
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    check_finite("Telescope::set", e.path, v[i]);
    if (!e.domain.contains(v[i])) {
      throw InvalidArgument(format_invalid("Telescope::set", e.path, v[i],
                                           "outside its domain " + e.domain.describe()));
    }
  }
  RealVector trial = values_;
  trial.segment(e.offset, e.size) = v;
  // Domain checks by the owning component, on its whole segment.
  switch (e.component) {
    case Component::kSource:
      source_->check_values(std::span<const double>(trial.data(), source_size_));
      break;
    case Component::kDetector: {
      const int a = detector_offsets_[e.component_index],
                b = detector_offsets_[e.component_index + 1];
      detector_[e.component_index].layer->check_values(
          std::span<const double>(trial.data() + a, b - a));
      break;
    }
    case Component::kOptics:
    case Component::kExposure:
      break;  // any finite value inside the entry's domain (checked above)
  }
  values_ = std::move(trial);
}

}  // namespace airy::model
