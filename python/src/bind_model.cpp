// SPDX-License-Identifier: BSD-3-Clause
// airy::model from Python: Telescope (parameters by path, get/set, model) and Renderer, the
// batched render + VJP over bound paths that the JAX functions and samplers call.
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "airy/core/error.hpp"
#include "airy/model/builder.hpp"
#include "airy/model/telescope_impl.hpp"
#include "common.hpp"
#include "evaluators.hpp"

namespace airy::python {
namespace {

/// Python's handle of a registered Renderer (the registry's id is what FFI calls carry).
struct RendererHandle {
  std::shared_ptr<const Renderer> ptr;
  std::int64_t id = 0;
  RendererHandle(const model::Telescope& t, const std::vector<std::string>& paths)
      : ptr(std::make_shared<const Renderer>(t, paths)), id(register_renderer(ptr)) {}
  ~RendererHandle() { release_handle(id); }
  RendererHandle(const RendererHandle&) = delete;
  RendererHandle& operator=(const RendererHandle&) = delete;
};

/// Batch size of x (batch, p) and checks the trailing size; names `what` on a mismatch.
std::int64_t batch_of(const InArray& x, int p, const char* what) {
  if (x.ndim() != 2 || static_cast<int>(x.shape(1)) != p) {
    throw_invalid("Renderer", what, "expected shape (batch, " + std::to_string(p) + ")");
  }
  return static_cast<std::int64_t>(x.shape(0));
}

void bind_telescope(nb::module_& m) {
  nb::class_<model::Telescope>(m, "Telescope", "An immutable differentiable telescope (C++).")
      .def("__init__",
           [](model::Telescope* self, const OpticsRef& optics, const SourceRef& source,
              const std::vector<std::pair<std::string, DetectorRef>>& detector) {
             std::vector<detector::NamedDetectorLayer> layers;
             for (const auto& [key, ref] : detector) layers.push_back({key, ref.ptr});
             new (self) model::Telescope(model::make_telescope(optics.ptr, source.ptr, layers));
           })
      .def("parameters",
           [](const model::Telescope& t) {
             nb::list out;
             for (const auto& p : t.parameters()) {
               out.append(nb::make_tuple(p.path, p.size, p.unit, p.doc));
             }
             return out;
           })
      .def("get", [](const model::Telescope& t,
                     const std::string& path) { return vector_array(t.get(path)); })
      .def("set", [](const model::Telescope& t, const std::string& path,
                     const InArray& value) { return t.set(path, to_vector(value)); })
      .def("model",
           [](const model::Telescope& t) {
             RealImage img;
             {
               nb::gil_scoped_release release;
               img = t.model();
             }
             return image_array(img);
           })
      .def_prop_ro(
          "image_shape",
          [](const model::Telescope& t) { return std::make_pair(t.image_rows(), t.image_cols()); })
      .def_prop_ro("pixel_scale", &model::Telescope::pixel_scale)
      .def_prop_ro("source_kind",
                   [](const model::Telescope& t) { return std::string(t.impl().source().kind()); })
      .def("wavelengths",
           [](const model::Telescope& t) { return vector_array(t.impl().source().wavelengths()); });
}

void bind_renderer(nb::module_& m) {
  nb::class_<RendererHandle>(m, "Renderer",
                             "image = telescope(x) over bound paths and its VJP, batched.")
      .def(nb::init<const model::Telescope&, const std::vector<std::string>&>(),
           nb::arg("telescope"), nb::arg("paths"))
      .def_prop_ro("id", [](const RendererHandle& h) { return h.id; })
      .def_prop_ro("size", [](const RendererHandle& h) { return h.ptr->size(); })
      .def_prop_ro(
          "image_shape",
          [](const RendererHandle& h) { return std::make_pair(h.ptr->rows(), h.ptr->cols()); })
      .def("paths", [](const RendererHandle& h) { return h.ptr->parameter_set().paths(); })
      .def("path_sizes",
           [](const RendererHandle& h) {
             std::vector<int> s;
             const auto& set = h.ptr->parameter_set();
             for (std::size_t i = 0; i < set.paths().size(); ++i) s.push_back(set.size(i));
             return s;
           })
      .def("coordinate_names",
           [](const RendererHandle& h) { return h.ptr->parameter_set().coordinate_names(); })
      .def("values",
           [](const RendererHandle& h) {
             return vector_array(h.ptr->telescope().values(h.ptr->parameter_set()));
           })
      .def(
          "render",
          [](const RendererHandle& h, const InArray& x) {
            const std::int64_t b = batch_of(x, h.ptr->size(), "x");
            std::vector<double> out(static_cast<std::size_t>(b) * h.ptr->rows() * h.ptr->cols());
            {
              nb::gil_scoped_release release;
              h.ptr->render(x.data(), b, out.data());
            }
            return owned_array(std::move(out), {static_cast<std::size_t>(b),
                                                static_cast<std::size_t>(h.ptr->rows()),
                                                static_cast<std::size_t>(h.ptr->cols())});
          },
          nb::arg("x"), "x (batch, size) -> images (batch, ny, nx).")
      .def(
          "vjp",
          [](const RendererHandle& h, const InArray& x, const InArray& ct) {
            const std::int64_t b = batch_of(x, h.ptr->size(), "x");
            if (ct.ndim() != 3 || static_cast<std::int64_t>(ct.shape(0)) != b ||
                static_cast<int>(ct.shape(1)) != h.ptr->rows() ||
                static_cast<int>(ct.shape(2)) != h.ptr->cols()) {
              throw_invalid("Renderer.vjp", "cotangent", "expected shape (batch, ny, nx)");
            }
            std::vector<double> out(static_cast<std::size_t>(b) * h.ptr->size());
            {
              nb::gil_scoped_release release;
              h.ptr->vjp(x.data(), ct.data(), b, out.data());
            }
            return owned_array(std::move(out), {static_cast<std::size_t>(b),
                                                static_cast<std::size_t>(h.ptr->size())});
          },
          nb::arg("x"), nb::arg("cotangent"),
          "x (batch, size), cotangent (batch, ny, nx) -> (d image/d x)^T cotangent (batch, size).");
}

}  // namespace

void bind_model(nb::module_& m) {
  bind_telescope(m);
  bind_renderer(m);
}

}  // namespace airy::python
