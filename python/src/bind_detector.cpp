// SPDX-License-Identifier: BSD-3-Clause
// airy::detector from Python: Downsample, the jitters, pixel response, background, saturation.
#include <nanobind/stl/string.h>

#include "airy/detector/detector_layers.hpp"
#include "common.hpp"

namespace airy::python {
namespace {
template <class T, class... Args>
DetectorRef make(Args... args) {
  return DetectorRef{std::make_shared<T>(args...)};
}
}  // namespace

void bind_detector(nb::module_& m) {
  nb::class_<DetectorRef>(m, "DetectorRef", "An immutable detector layer (C++ DetectorLayer).")
      .def_prop_ro("kind", [](const DetectorRef& d) { return std::string(d.ptr->kind()); })
      .def("parameter_blocks",
           [](const DetectorRef& d) { return blocks_list(d.ptr->parameter_blocks()); })
      .def("values", [](const DetectorRef& d) { return vector_array(d.ptr->values()); })
      .def("apply", [](const DetectorRef& d, const InArray& image) {
        // The layer on one image at its stored values (for inspection and tests).
        const RealImage in = to_image(image, "image");
        const RealVector v = d.ptr->values();
        auto ws = d.ptr->make_workspace(static_cast<int>(in.rows()), static_cast<int>(in.cols()));
        RealImage out;
        d.ptr->forward(std::span<const double>(v.data(), v.size()), in, out, *ws);
        return image_array(out);
      });
  m.def("make_downsample", [](int k) { return make<detector::Downsample>(k); });
  m.def("make_gaussian_jitter", [](double sigma, int kernel_size) {
    return make<detector::GaussianJitter>(sigma, kernel_size);
  });
  m.def("make_dlux_jitter", [](double sigma, int kernel_size, int oversample) {
    return make<detector::DluxJitter>(sigma, kernel_size, oversample);
  });
  m.def("make_pixel_response", [](const InArray& map) {
    return DetectorRef{std::make_shared<detector::PixelResponse>(to_image(map, "pixel_response"))};
  });
  m.def("make_background", [](double value) { return make<detector::Background>(value); });
  m.def("make_saturation", [](double threshold) { return make<detector::Saturation>(threshold); });
}

}  // namespace airy::python
