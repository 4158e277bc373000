// SPDX-License-Identifier: BSD-3-Clause
#include "pixel_maps.hpp"

#include <cstring>
#include <vector>

#include "airy/core/error.hpp"

namespace airy::python {

posterior::PixelMaps to_pixel_maps(const InArray* variance, const MaskArray* mask,
                                   const std::string& what) {
  posterior::PixelMaps maps;
  if (variance != nullptr && num_elements(*variance) != 0) {
    maps.variance = to_image(*variance, (what + ": variance").c_str());
  }
  if (mask != nullptr) {
    std::size_t n = 1;
    for (std::size_t k = 0; k < mask->ndim(); ++k) n *= mask->shape(k);
    if (n != 0) {
      if (mask->ndim() != 2) {
        throw_invalid("airy", what + ": mask", "expected a 2-D array (y, x)");
      }
      maps.mask.resize(static_cast<Eigen::Index>(mask->shape(0)),
                       static_cast<Eigen::Index>(mask->shape(1)));
      std::memcpy(maps.mask.data(), mask->data(), n);  // uint8, row-major (y, x) both sides
    }
  }
  return maps;
}

nb::object variance_array(const posterior::ImageLikelihood& likelihood) {
  if (likelihood.variance().size() == 0) return nb::none();
  return nb::cast(image_array(likelihood.variance()));
}

nb::object mask_array(const posterior::ImageLikelihood& likelihood) {
  const posterior::PixelMask& m = likelihood.mask();
  auto* buf = new std::vector<std::uint8_t>(m.data(), m.data() + m.size());
  nb::capsule owner(buf,
                    [](void* p) noexcept { delete static_cast<std::vector<std::uint8_t>*>(p); });
  const std::size_t shape[2] = {static_cast<std::size_t>(m.rows()),
                                static_cast<std::size_t>(m.cols())};
  return nb::cast(nb::ndarray<nb::numpy, std::uint8_t>(buf->data(), 2, shape, owner));
}

}  // namespace airy::python
