// SPDX-License-Identifier: BSD-3-Clause
// airy::optics from Python: coordinate grids, shapes and masks, Zernike bases, optical layers
// and optical systems (dLux's utils, layers and AngularOpticalSystem/CartesianOpticalSystem).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>

#include "airy/core/error.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/simple_layers.hpp"
#include "airy/optics/zernike.hpp"
#include "common.hpp"

namespace airy::python {
namespace {

using optics::Shape;

std::optional<RealImage> optional_image(const std::optional<InArray>& a, const char* what) {
  if (!a) return std::nullopt;
  return to_image(*a, what);
}

std::vector<RealImage> image_stack(const InArray& a, const char* what) {
  if (a.ndim() != 3) throw_invalid("airy", what, "expected a 3-D array (k, y, x)");
  const auto k = a.shape(0), ny = a.shape(1), nx = a.shape(2);
  std::vector<RealImage> out(
      k, RealImage(static_cast<Eigen::Index>(ny), static_cast<Eigen::Index>(nx)));
  for (std::size_t i = 0; i < k; ++i) {
    std::copy_n(a.data() + i * ny * nx, ny * nx, out[i].data());
  }
  return out;
}

OutArray stack_array(const std::vector<RealImage>& images) {
  const std::size_t k = images.size();
  const std::size_t ny = k ? static_cast<std::size_t>(images[0].rows()) : 0;
  const std::size_t nx = k ? static_cast<std::size_t>(images[0].cols()) : 0;
  std::vector<double> d(k * ny * nx);
  for (std::size_t i = 0; i < k; ++i)
    std::copy_n(images[i].data(), ny * nx, d.data() + i * ny * nx);
  return owned_array(std::move(d), {k, ny, nx});
}

std::vector<optics::NamedLayer> named_layers(
    const std::vector<std::pair<std::string, LayerRef>>& in) {
  std::vector<optics::NamedLayer> out;
  out.reserve(in.size());
  for (const auto& [key, ref] : in) out.push_back({key, ref.ptr});
  return out;
}

LayerRef layer(std::shared_ptr<const optics::Layer> p) { return LayerRef{std::move(p)}; }

void bind_shapes(nb::module_& m) {
  nb::enum_<optics::ShapeKind>(m, "ShapeKind")
      .value("circle", optics::ShapeKind::kCircle)
      .value("annulus", optics::ShapeKind::kAnnulus)
      .value("square", optics::ShapeKind::kSquare)
      .value("rectangle", optics::ShapeKind::kRectangle)
      .value("regular_polygon", optics::ShapeKind::kRegularPolygon)
      .value("spider", optics::ShapeKind::kSpider);
  nb::class_<Shape>(m, "Shape", "An aperture shape (metres, degrees); see airy/optics/shapes.hpp.")
      .def_static("circle", &Shape::circle, nb::arg("radius"))
      .def_static("annulus", &Shape::annulus, nb::arg("inner_radius"), nb::arg("outer_radius"))
      .def_static("square", &Shape::square, nb::arg("width"))
      .def_static("rectangle", &Shape::rectangle, nb::arg("width"), nb::arg("height"))
      .def_static("regular_polygon", &Shape::regular_polygon, nb::arg("nsides"), nb::arg("rmax"))
      .def_static("hexagon", &Shape::hexagon, nb::arg("rmax"))
      .def_static("spider", &Shape::spider, nb::arg("width"), nb::arg("angles_deg"))
      .def("at", &Shape::at, nb::arg("x"), nb::arg("y"))
      .def("rotated", &Shape::rotated, nb::arg("deg"))
      .def("inverted", &Shape::inverted)
      .def_ro("kind", &Shape::kind)
      .def_ro("invert", &Shape::invert);
  m.def("signed_distance", [](const Shape& s, const InArray& c) {
    return image_array(optics::signed_distance(s, to_coords(c, "coords")));
  });
  m.def("hard_mask", [](const Shape& s, const InArray& c) {
    return image_array(optics::hard_mask(s, to_coords(c, "coords")));
  });
  m.def("soft_mask", [](const Shape& s, const InArray& c, double clip_dist) {
    return image_array(optics::soft_mask(s, to_coords(c, "coords"), clip_dist));
  });
  m.def("combine", [](const std::vector<InArray>& arrays, int oversample) {
    std::vector<RealImage> masks;
    for (const auto& a : arrays) masks.push_back(to_image(a, "arrays"));
    return image_array(optics::combine(masks, oversample));
  });
  m.def("downsample", [](const InArray& a, int k, bool sum) {
    return image_array(optics::downsample(to_image(a, "array"), k, sum));
  });
  m.def("aperture_transmission",
        [](const std::vector<Shape>& shapes, int n, double diameter, int oversample) {
          return image_array(optics::aperture_transmission(shapes, n, diameter, oversample));
        });
  m.def("soft_aperture_transmission",
        [](const std::vector<Shape>& shapes, int n, double diameter, double softening) {
          return image_array(optics::soft_aperture_transmission(shapes, n, diameter, softening));
        });
}

void bind_coordinates(nb::module_& m) {
  m.def("pixel_axis", [](int n, double ps) { return vector_array(optics::pixel_axis(n, ps)); });
  m.def("pixel_coords",
        [](int n, double diameter) { return coords_array(optics::pixel_coords(n, diameter)); });
  m.def("to_polar",
        [](const InArray& c) { return coords_array(optics::to_polar(to_coords(c, "coords"))); });
  m.def("translate", [](const InArray& c, double tx, double ty) {
    return coords_array(optics::translate(to_coords(c, "coords"), tx, ty));
  });
  m.def("rotate", [](const InArray& c, double angle) {
    return coords_array(optics::rotate(to_coords(c, "coords"), angle));
  });
  m.def("compress", [](const InArray& c, double cx, double cy) {
    return coords_array(optics::compress(to_coords(c, "coords"), cx, cy));
  });
  m.def("shear", [](const InArray& c, double sx, double sy) {
    return coords_array(optics::shear(to_coords(c, "coords"), sx, sy));
  });
  m.def("noll_to_nm", [](int j) {
    const auto nm = optics::noll_to_nm(j);
    return std::make_pair(nm.n, nm.m);
  });
  m.def("zernike", [](int j, const InArray& c, double diameter) {
    return image_array(optics::zernike(j, to_coords(c, "coords"), diameter));
  });
  m.def("zernike_basis", [](const std::vector<int>& noll, const InArray& c, double diameter) {
    return stack_array(optics::zernike_basis(noll, to_coords(c, "coords"), diameter));
  });
}

void bind_layers(nb::module_& m) {
  nb::class_<LayerRef>(m, "LayerRef", "An immutable optical layer (C++ airy::optics::Layer).")
      .def_prop_ro("kind", [](const LayerRef& l) { return std::string(l.ptr->kind()); })
      .def("parameter_blocks",
           [](const LayerRef& l) { return blocks_list(l.ptr->parameter_blocks()); })
      .def("values", [](const LayerRef& l) { return vector_array(l.ptr->values()); })
      .def("with_values", [](const LayerRef& l, const InArray& v) {
        const RealVector x = to_vector(v);
        return layer(l.ptr->with_values(std::span<const double>(x.data(), x.size())));
      });
  m.def("make_basis_optic", [](const InArray& basis, const std::optional<InArray>& transmission,
                               const InArray& coefficients, bool normalise) {
    return layer(std::make_shared<optics::BasisOptic>(image_stack(basis, "basis"),
                                                      optional_image(transmission, "transmission"),
                                                      to_vector(coefficients), normalise));
  });
  m.def("make_optic", [](const std::optional<InArray>& transmission,
                         const std::optional<InArray>& opd, bool normalise) {
    return layer(std::make_shared<optics::Optic>(optional_image(transmission, "transmission"),
                                                 optional_image(opd, "opd"), normalise));
  });
  m.def("make_transmissive", [](const InArray& transmission, bool normalise) {
    return layer(std::make_shared<optics::TransmissiveLayer>(to_image(transmission, "transmission"),
                                                             normalise));
  });
  m.def("make_tilt",
        [](double tx, double ty) { return layer(std::make_shared<optics::TiltLayer>(tx, ty)); });
  m.def("make_normalise", [] { return layer(std::make_shared<optics::NormaliseLayer>()); });
  m.def("make_flip", [](int axis) { return layer(std::make_shared<optics::FlipLayer>(axis)); });
  m.def("make_resize", [](int n) { return layer(std::make_shared<optics::ResizeLayer>(n)); });
  m.def("make_rotate",
        [](double angle) { return layer(std::make_shared<optics::RotateLayer>(angle)); });
}

void bind_systems(nb::module_& m) {
  nb::class_<OpticsRef>(m, "OpticsRef", "An immutable optical system (C++ OpticalSystem).")
      .def_prop_ro("wf_npixels", [](const OpticsRef& o) { return o.ptr->wf_npixels(); })
      .def_prop_ro("diameter", [](const OpticsRef& o) { return o.ptr->diameter(); })
      .def_prop_ro("psf_npixels", [](const OpticsRef& o) { return o.ptr->psf_npixels(); })
      .def_prop_ro("psf_pixel_scale", [](const OpticsRef& o) { return o.ptr->psf_pixel_scale(); })
      .def_prop_ro("oversample", [](const OpticsRef& o) { return o.ptr->oversample(); })
      .def_prop_ro("focal_length", [](const OpticsRef& o) { return o.ptr->focal_length(); })
      .def("layer_keys",
           [](const OpticsRef& o) {
             std::vector<std::string> keys;
             for (const auto& l : o.ptr->layers()) keys.push_back(l.key);
             return keys;
           })
      .def("layer",
           [](const OpticsRef& o, std::size_t i) {
             if (i >= o.ptr->layers().size())
               throw_invalid("OpticsRef.layer", "index", "out of range");
             return LayerRef{o.ptr->layers()[i].layer};
           })
      .def("psf", [](const OpticsRef& o, const InArray& wavelengths, const InArray& weights,
                     double x, double y) {
        return image_array(o.ptr->psf(to_vector(wavelengths), to_vector(weights), x, y));
      });
  m.def("make_angular_system", [](int wf_npixels, double diameter,
                                  const std::vector<std::pair<std::string, LayerRef>>& layers,
                                  int psf_npixels, double psf_pixel_scale, int oversample) {
    return OpticsRef{std::make_shared<optics::AngularOpticalSystem>(
        wf_npixels, diameter, named_layers(layers), psf_npixels, psf_pixel_scale, oversample)};
  });
  m.def("make_cartesian_system",
        [](int wf_npixels, double diameter,
           const std::vector<std::pair<std::string, LayerRef>>& layers, double focal_length,
           int psf_npixels, double psf_pixel_size, int oversample) {
          return OpticsRef{std::make_shared<optics::CartesianOpticalSystem>(
              wf_npixels, diameter, named_layers(layers), focal_length, psf_npixels, psf_pixel_size,
              oversample)};
        });
}

}  // namespace

void bind_optics(nb::module_& m) {
  bind_coordinates(m);
  bind_shapes(m);
  bind_layers(m);
  bind_systems(m);
}

}  // namespace airy::python
