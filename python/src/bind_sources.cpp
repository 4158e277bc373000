// SPDX-License-Identifier: BSD-3-Clause
// airy::sources from Python: PointSource, PointSources and the AlphaCen-style BinarySource.
#include <nanobind/stl/string.h>

#include "airy/sources/binary_source.hpp"
#include "airy/sources/point_source.hpp"
#include "common.hpp"

namespace airy::python {

void bind_sources(nb::module_& m) {
  nb::class_<SourceRef>(m, "SourceRef", "An immutable source (C++ airy::sources::Source).")
      .def_prop_ro("kind", [](const SourceRef& s) { return std::string(s.ptr->kind()); })
      .def_prop_ro("num_stars", [](const SourceRef& s) { return s.ptr->num_stars(); })
      .def("wavelengths", [](const SourceRef& s) { return vector_array(s.ptr->wavelengths()); })
      .def("parameter_blocks",
           [](const SourceRef& s) { return blocks_list(s.ptr->parameter_blocks()); })
      .def("values", [](const SourceRef& s) { return vector_array(s.ptr->values()); })
      .def("star_positions_and_amplitudes", [](const SourceRef& s) {
        // positions (S, 2) rad and amplitudes (S, L) photons at the stored values.
        RealMatrix pos, amp;
        const RealVector v = s.ptr->values();
        s.ptr->forward(std::span<const double>(v.data(), v.size()), pos, amp);
        return nb::make_tuple(matrix_array(pos), matrix_array(amp));
      });
  m.def(
      "make_point_source",
      [](const InArray& wavelengths, const InArray& weights, double x_arcsec, double y_arcsec,
         double flux_value, bool log_flux) {
        return SourceRef{std::make_shared<sources::PointSource>(
            sources::Spectrum(to_vector(wavelengths), to_vector(weights)), x_arcsec, y_arcsec,
            flux_value,
            log_flux ? sources::PointSource::FluxParameter::kLogFlux
                     : sources::PointSource::FluxParameter::kFlux)};
      },
      nb::arg("wavelengths"), nb::arg("weights"), nb::arg("x_arcsec"), nb::arg("y_arcsec"),
      nb::arg("flux_value"), nb::arg("log_flux"));
  m.def(
      "make_point_sources",
      [](const InArray& wavelengths, const InArray& weights, const InArray& positions_arcsec,
         const InArray& fluxes) {
        return SourceRef{std::make_shared<sources::PointSources>(
            sources::Spectrum(to_vector(wavelengths), to_vector(weights)),
            to_matrix(positions_arcsec, "positions"), to_vector(fluxes))};
      },
      nb::arg("wavelengths"), nb::arg("weights"), nb::arg("positions_arcsec"), nb::arg("fluxes"));
  m.def(
      "make_point_sources_per_star",
      [](const InArray& wavelengths, const InArray& weights, const InArray& positions_arcsec,
         const InArray& fluxes) {
        // Every star its own spectrum on the shared grid: weights (K, L), row k = star k's
        // (the config's `weights = [[...], ...]`, sources::PointSources' per-star constructor).
        return SourceRef{std::make_shared<sources::PointSources>(
            to_vector(wavelengths), to_matrix(weights, "weights"),
            to_matrix(positions_arcsec, "positions"), to_vector(fluxes))};
      },
      nb::arg("wavelengths"), nb::arg("weights"), nb::arg("positions_arcsec"), nb::arg("fluxes"));
  m.def(
      "make_binary_source",
      [](const InArray& wavelengths, const InArray& weights_a, const InArray& weights_b,
         double x_position, double y_position, double separation, double position_angle,
         double log_flux, double contrast) {
        const sources::BinaryParameters p{x_position,     y_position, separation,
                                          position_angle, log_flux,   contrast};
        return SourceRef{std::make_shared<sources::BinarySource>(
            to_vector(wavelengths), to_vector(weights_a), to_vector(weights_b), p)};
      },
      nb::arg("wavelengths"), nb::arg("weights_a"), nb::arg("weights_b"), nb::arg("x_position"),
      nb::arg("y_position"), nb::arg("separation"), nb::arg("position_angle"), nb::arg("log_flux"),
      nb::arg("contrast"));
}

}  // namespace airy::python
