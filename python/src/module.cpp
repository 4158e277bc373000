// SPDX-License-Identifier: BSD-3-Clause
// airy._core: the extension module. Exceptions, version, numpy conversions, and the bind_*
// functions of each C++ module (one file each).
#include <nanobind/stl/string.h>

#include <cstring>

#include "airy/core/error.hpp"
#include "common.hpp"

namespace airy::python {

OutArray owned_array(std::vector<double> data, std::vector<std::size_t> shape) {
  auto* heap = new std::vector<double>(std::move(data));
  nb::capsule owner(heap, [](void* p) noexcept { delete static_cast<std::vector<double>*>(p); });
  return OutArray(heap->data(), shape.size(), shape.data(), owner);
}

OutArray image_array(const RealImage& image) {
  std::vector<double> d(image.data(), image.data() + image.size());  // row-major = (y, x)
  return owned_array(std::move(d), {static_cast<std::size_t>(image.rows()),
                                    static_cast<std::size_t>(image.cols())});
}

OutArray vector_array(const RealVector& v) {
  return owned_array(std::vector<double>(v.data(), v.data() + v.size()),
                     {static_cast<std::size_t>(v.size())});
}

OutArray matrix_array(const RealMatrix& mat) {
  std::vector<double> d(mat.data(), mat.data() + mat.size());  // RealMatrix is row-major
  return owned_array(std::move(d),
                     {static_cast<std::size_t>(mat.rows()), static_cast<std::size_t>(mat.cols())});
}

std::size_t num_elements(const InArray& a) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < a.ndim(); ++i) n *= a.shape(i);
  return n;
}

RealImage to_image(const InArray& a, const char* what) {
  if (a.ndim() != 2) throw_invalid("airy", what, "expected a 2-D array (y, x)");
  RealImage img(static_cast<Eigen::Index>(a.shape(0)), static_cast<Eigen::Index>(a.shape(1)));
  if (img.size() > 0) std::memcpy(img.data(), a.data(), sizeof(double) * img.size());
  return img;
}

RealVector to_vector(const InArray& a) {
  RealVector v(static_cast<Eigen::Index>(num_elements(a)));
  if (v.size() > 0) std::memcpy(v.data(), a.data(), sizeof(double) * v.size());
  return v;
}

RealMatrix to_matrix(const InArray& a, const char* what) {
  if (a.ndim() != 2) throw_invalid("airy", what, "expected a 2-D array");
  RealMatrix mat(static_cast<Eigen::Index>(a.shape(0)), static_cast<Eigen::Index>(a.shape(1)));
  if (mat.size() > 0) std::memcpy(mat.data(), a.data(), sizeof(double) * mat.size());
  return mat;
}

optics::Coords to_coords(const InArray& a, const char* what) {
  if (a.ndim() != 3 || a.shape(0) != 2) {
    throw_invalid("airy", what, "expected coordinates of shape (2, ny, nx) (x map, y map)");
  }
  const auto ny = static_cast<Eigen::Index>(a.shape(1)), nx = static_cast<Eigen::Index>(a.shape(2));
  optics::Coords c{RealImage(ny, nx), RealImage(ny, nx)};
  const std::size_t plane = static_cast<std::size_t>(ny * nx);
  if (plane > 0) {
    std::memcpy(c.x.data(), a.data(), sizeof(double) * plane);
    std::memcpy(c.y.data(), a.data() + plane, sizeof(double) * plane);
  }
  return c;
}

OutArray coords_array(const optics::Coords& c) {
  const std::size_t plane = static_cast<std::size_t>(c.x.size());
  std::vector<double> d(2 * plane);
  std::memcpy(d.data(), c.x.data(), sizeof(double) * plane);
  std::memcpy(d.data() + plane, c.y.data(), sizeof(double) * plane);
  return owned_array(std::move(d), {2, static_cast<std::size_t>(c.x.rows()),
                                    static_cast<std::size_t>(c.x.cols())});
}

nb::list blocks_list(const std::vector<ParameterBlock>& blocks) {
  nb::list out;
  for (const auto& b : blocks) out.append(nb::make_tuple(b.name, b.size, b.unit, b.doc));
  return out;
}

}  // namespace airy::python

NB_MODULE(_core, m) {
  namespace nb = nanobind;
  using namespace airy::python;
  m.doc() = "airy's C++ core (nanobind); use the airy package, not this module directly.";
#ifndef AIRY_VERSION_STRING
#error "AIRY_VERSION_STRING must be defined by CMake (the project version)"
#endif
  m.attr("__version__") = AIRY_VERSION_STRING;
  // JAX's jit caches keep airy.jax closures (and so bound objects) alive until exit, which
  // nanobind would report as leaks; the flag is per NB_DOMAIN, so only airy's types are muted.
  nb::set_leak_warnings(false);
#if AIRY_WITH_FFTW
  m.attr("fft_backend") = "fftw";
#else
  m.attr("fft_backend") = "eigen-kissfft";
#endif
  // Registered base first: nanobind tries the most recently registered translator first, so
  // InvalidArgument (a subclass of airy::Error) is matched before Error.
  nb::exception<airy::Error>(m, "AiryError", PyExc_RuntimeError);
  nb::exception<airy::InvalidArgument>(m, "InvalidArgument", PyExc_ValueError);
  bind_optics(m);
  bind_sources(m);
  bind_detector(m);
  bind_model(m);
  bind_config(m);
  bind_infer(m);
  bind_posterior(m);
  bind_jax(m);
}
