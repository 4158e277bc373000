// SPDX-License-Identifier: BSD-3-Clause
// airy::config from Python: load/parse a TOML run configuration and build the same telescope,
// posterior, simulated data and sampler options as the CLI.
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "common.hpp"
#include "pixel_maps.hpp"

namespace airy::python {

void bind_config(nb::module_& m) {
  nb::class_<config::PriorConfig>(m, "PriorConfig", "One [priors.\"path\"] table of a config.")
      .def_ro("path", &config::PriorConfig::path)
      .def_ro("dist", &config::PriorConfig::dist)
      .def_ro("params", &config::PriorConfig::params)
      .def_ro("unit", &config::PriorConfig::unit)
      .def_ro("unit_scale", &config::PriorConfig::unit_scale)
      .def_ro("truth", &config::PriorConfig::truth);
  nb::class_<config::SamplerConfig>(m, "SamplerConfig", "The [sampler] table of a config.")
      .def_ro("num_chains", &config::SamplerConfig::num_chains)
      .def_ro("num_warmup", &config::SamplerConfig::num_warmup)
      .def_ro("num_samples", &config::SamplerConfig::num_samples)
      .def_ro("seed", &config::SamplerConfig::seed)
      .def_ro("num_threads", &config::SamplerConfig::num_threads)
      .def_ro("metric", &config::SamplerConfig::metric)
      .def_ro("init", &config::SamplerConfig::init)
      .def_ro("map_starts", &config::SamplerConfig::map_starts)
      .def_ro("metric_init", &config::SamplerConfig::metric_init)
      .def_ro("delta", &config::SamplerConfig::delta)
      .def_ro("max_depth", &config::SamplerConfig::max_depth)
      .def_ro("save_warmup", &config::SamplerConfig::save_warmup)
      .def_ro("thin", &config::SamplerConfig::thin);
  nb::class_<config::Config>(m, "Config", "A parsed run configuration (docs/config.md).")
      .def_ro("priors", &config::Config::priors)
      .def_ro("sampler", &config::Config::sampler)
      .def_ro("output_dir", &config::Config::output_dir)
      .def_ro("source_name", &config::Config::source_name)
      .def_prop_ro("likelihood_kind", [](const config::Config& c) { return c.likelihood.kind; })
      .def_prop_ro("likelihood_sigma", [](const config::Config& c) { return c.likelihood.sigma; })
      .def_prop_ro("noll", [](const config::Config& c) { return c.optics.noll; })
      .def_prop_ro("exposure_names",
                   [](const config::Config& c) {
                     // One label per [[exposures]] table ("" = its index); [] without them.
                     std::vector<std::string> n;
                     for (const auto& e : c.exposures) n.push_back(e.name);
                     return n;
                   })
      .def("to_toml", [](const config::Config& c) { return config::to_toml(c); });
  m.def("load_config", &config::load_config, nb::arg("path"));
  m.def("parse_config", &config::parse_config, nb::arg("text"), nb::arg("source_name"));
  m.def("flagship_toml", [] { return std::string(config::flagship_toml()); });
  m.def("build_telescope", &config::build_telescope, nb::arg("config"));
  m.def("build_exposure_telescopes", &config::build_exposure_telescopes, nb::arg("config"));
  m.def(
      "build_posterior",
      [](const config::Config& c, const model::Telescope& t, const InArray& data) {
        return config::build_posterior(c, t, to_image(data, "data"));
      },
      nb::arg("config"), nb::arg("telescope"), nb::arg("data"));
  m.def(
      "build_posterior",
      [](const config::Config& c, const std::vector<model::Telescope>& telescopes,
         const std::vector<InArray>& data) {
        std::vector<RealImage> images;
        for (std::size_t e = 0; e < data.size(); ++e) {
          images.push_back(to_image(data[e], ("data[" + std::to_string(e) + "]").c_str()));
        }
        return config::build_posterior(c, telescopes, std::move(images));
      },
      nb::arg("config"), nb::arg("telescopes"), nb::arg("data"));
  m.def(
      "build_posterior",
      [](const config::Config& c, const std::vector<model::Telescope>& telescopes,
         const std::vector<InArray>& data, const std::vector<InArray>& variances,
         const std::vector<MaskArray>& masks) {
        // One (possibly empty = none) variance map and mask per exposure, as a run reads them
        // from [[exposures]] (config::load_pixel_maps).
        if (variances.size() != data.size() || masks.size() != data.size()) {
          throw_invalid("build_posterior", "variances/masks", "one entry per data image needed");
        }
        std::vector<RealImage> images;
        std::vector<posterior::PixelMaps> maps;
        for (std::size_t e = 0; e < data.size(); ++e) {
          const std::string label = "data[" + std::to_string(e) + "]";
          images.push_back(to_image(data[e], label.c_str()));
          maps.push_back(to_pixel_maps(&variances[e], &masks[e], "exposure " + std::to_string(e)));
        }
        return config::build_posterior(c, telescopes, std::move(images), std::move(maps));
      },
      nb::arg("config"), nb::arg("telescopes"), nb::arg("data"), nb::arg("variances"),
      nb::arg("masks"));
  m.def(
      "simulate_data",
      [](const config::Config& c, const InArray& model, std::uint64_t stream) {
        const auto sim = config::simulate_data(c.noise, to_image(model, "model"), stream);
        return nb::make_tuple(image_array(sim.photon_noise_only), image_array(sim.data));
      },
      nb::arg("config"), nb::arg("model"), nb::arg("stream") = 1);
  m.def(
      "config_sampler_options",
      [](const config::Config& c) {
        config::SamplerConfig sc = c.sampler;
        if (sc.metric == "fisher")
          sc.metric = "dense_e";  // the metric itself is set by airy.sample
        return config::sampler_options(sc);
      },
      nb::arg("config"));
}

}  // namespace airy::python
