// SPDX-License-Identifier: BSD-3-Clause
// airy::posterior from Python: the image posterior (priors on telescope paths + one image
// likelihood per exposure, N >= 1 exposures with shared and per-exposure sites), MAP/ML fits, the
// Fisher information, and the change-of-variables term for a bridgestan-style
// log_density(jacobian=False).
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <memory>
#include <span>
#include <tuple>

#include "airy/core/error.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "airy/posterior/map_fit.hpp"
#include "airy/posterior/pointwise.hpp"
#include "common.hpp"
#include "infer_refs.hpp"
#include "pixel_maps.hpp"

namespace airy::python {
namespace {

using posterior::ImagePosterior;
/// (path, prior, scale, unit, name, exposure) of one sampled telescope parameter; exposure -1:
/// shared by every exposure, e >= 0: exposure e's own (posterior::ParameterSite).
using SiteTuple = std::tuple<std::string, DistRef, double, std::string, std::string, int>;

OutArray doubles(const std::vector<double>& v) { return owned_array(v, {v.size()}); }

/// sum_s log|det dT_s/du_s| at theta_unc and its gradient (the term bridgestan's
/// jacobian=false leaves out).
nb::tuple log_jacobian(const infer::SiteModel& model, const InArray& theta) {
  if (static_cast<int>(num_elements(theta)) != model.dim()) {
    throw_invalid("log_jacobian", "theta_unc",
                  "expected " + std::to_string(model.dim()) + " values");
  }
  std::vector<double> grad(static_cast<std::size_t>(model.dim()), 0.0);
  double total = 0;
  const auto& sites = model.sites();
  for (std::size_t s = 0; s < sites.size(); ++s) {
    const auto& sl = model.slices()[s];
    const std::span<const double> u(theta.data() + sl.unconstrained_offset,
                                    static_cast<std::size_t>(sl.unconstrained_size));
    std::vector<double> x(static_cast<std::size_t>(sl.size)), gx(x.size(), 0.0);
    total += sites[s].bijector->forward(u, x);
    sites[s].bijector->pullback(u, x, gx,
                                std::span<double>(grad.data() + sl.unconstrained_offset, u.size()));
  }
  return nb::make_tuple(total,
                        owned_array(std::move(grad), {static_cast<std::size_t>(model.dim())}));
}

/// Exposure index e, checked (InvalidArgument naming the range, not an out_of_range crash).
int exposure_index(const ImagePosterior& p, int e) {
  if (e < 0 || e >= p.num_exposures()) {
    throw_invalid("ImagePosterior", "exposure",
                  std::to_string(e) + " is not an exposure (0.." +
                      std::to_string(p.num_exposures() - 1) + ")");
  }
  return e;
}

/// Per-pixel log L of exposure e's data at each draw (N, site values) -> (N, ny, nx), NaN at
/// the pixels left out of the likelihood: ArviZ's log_likelihood group. One render per draw
/// through the posterior's own binding with one workspace (posterior::pointwise_log_likelihood,
/// the CLI's posterior.nc uses the same), the read noise at each draw's value when sampled;
/// the GIL is released.
OutArray log_likelihood_draws(const ImagePosterior& p, const InArray& draws, int e) {
  e = exposure_index(p, e);
  const int n = p.log_density().site_dim();
  if (draws.ndim() != 2 || static_cast<int>(draws.shape(1)) != n) {
    throw_invalid("log_likelihood_draws", "draws",
                  "expected shape (num_draws, " + std::to_string(n) + ")");
  }
  const RealImage& d = p.likelihood(e).data();
  const std::size_t nd = draws.shape(0), npix = static_cast<std::size_t>(d.size());
  std::vector<double> out(nd * npix, 0.0);
  {
    nb::gil_scoped_release release;
    posterior::pointwise_log_likelihood(
        p, e, std::span<const double>(draws.data(), nd * static_cast<std::size_t>(n)), nd,
        out.data());
  }
  return owned_array(std::move(out),
                     {nd, static_cast<std::size_t>(d.rows()), static_cast<std::size_t>(d.cols())});
}

/// Replicated data of exposure e at each draw (N, site values) -> (N, ny, nx), NaN at masked
/// pixels: ArviZ's posterior_predictive group. Draw i uses Philox stream first_stream + i of
/// seed (posterior::replicate_draws, the CLI's noise models).
OutArray replicate_draws(const ImagePosterior& p, const InArray& draws, int e, std::uint64_t seed,
                         std::uint64_t first_stream) {
  e = exposure_index(p, e);
  const int n = p.log_density().site_dim();
  if (draws.ndim() != 2 || static_cast<int>(draws.shape(1)) != n) {
    throw_invalid("replicate_draws", "draws",
                  "expected shape (num_draws, " + std::to_string(n) + ")");
  }
  const RealImage& d = p.likelihood(e).data();
  const std::size_t nd = draws.shape(0), npix = static_cast<std::size_t>(d.size());
  std::vector<double> out(nd * npix, 0.0);
  {
    nb::gil_scoped_release release;
    posterior::replicate_draws(
        p, e, std::span<const double>(draws.data(), nd * static_cast<std::size_t>(n)), nd, seed,
        first_stream, out.data());
  }
  return owned_array(std::move(out),
                     {nd, static_cast<std::size_t>(d.rows()), static_cast<std::size_t>(d.cols())});
}

nb::dict optimize_dict(const posterior::OptimizeResult& r) {
  nb::dict out;
  out["names"] = r.names;
  out["units"] = r.units;
  out["best"] = r.best;
  out["seconds"] = r.seconds;
  nb::list starts;
  for (const auto& s : r.starts) {
    nb::dict d;
    d["start"] = doubles(s.start);
    d["values"] = doubles(s.values);
    d["unconstrained"] = doubles(s.unconstrained);
    d["objective"] = s.objective;
    d["gradient_norm"] = s.gradient_norm;
    d["evaluations"] = s.evaluations;
    d["reason"] = s.reason;
    d["success"] = s.success;
    starts.append(d);
  }
  out["starts"] = starts;
  return out;
}

nb::dict fisher_dict(const posterior::FisherResult& f) {
  nb::dict out;
  out["names"] = f.names;
  out["units"] = f.units;
  out["values"] = doubles(f.values);
  out["unconstrained"] = doubles(f.unconstrained);
  out["fisher"] = matrix_array(f.fisher);
  out["covariance"] = matrix_array(f.covariance);
  out["crb"] = doubles(f.crb);
  out["correlation"] = matrix_array(f.correlation);
  out["fisher_unconstrained"] = matrix_array(f.fisher_unconstrained);
  out["prior_hessian"] = matrix_array(f.prior_hessian);
  out["laplace_unconstrained"] = matrix_array(f.laplace_unconstrained);
  out["laplace"] = matrix_array(f.laplace);
  out["laplace_sd"] = doubles(f.laplace_sd);
  return out;
}

}  // namespace

void bind_posterior(nb::module_& m) {
  nb::class_<ImagePosterior>(m, "ImagePosterior",
                             "Priors on telescope paths + an image likelihood (airy::posterior).")
      .def(
          "__init__",
          [](ImagePosterior* self, const std::vector<model::Telescope>& telescopes,
             const std::vector<InArray>& data, const std::vector<std::string>& likelihoods,
             const std::vector<double>& sigmas, const std::vector<std::string>& names,
             const std::vector<SiteTuple>& sites, const std::vector<InArray>& variances,
             const std::vector<MaskArray>& masks) {
            const std::size_t n = telescopes.size();
            if (data.size() != n || likelihoods.size() != n || sigmas.size() != n ||
                names.size() != n || (!variances.empty() && variances.size() != n) ||
                (!masks.empty() && masks.size() != n)) {
              throw_invalid("ImagePosterior", "exposures",
                            "telescopes, data, likelihoods, sigmas, names, variances and masks "
                            "differ in length");
            }
            std::vector<posterior::Exposure> exposures;
            for (std::size_t e = 0; e < n; ++e) {
              const std::string label = "exposure " + std::to_string(e);
              // An empty array (or no list at all) = no map for this exposure.
              posterior::PixelMaps maps = to_pixel_maps(variances.empty() ? nullptr : &variances[e],
                                                        masks.empty() ? nullptr : &masks[e], label);
              exposures.push_back(
                  {names[e], telescopes[e],
                   posterior::ImageLikelihood(
                       posterior::parse_likelihood(likelihoods[e], label + ": likelihood"),
                       to_image(data[e], (label + ": data").c_str()), sigmas[e], std::move(maps))});
            }
            std::vector<posterior::ParameterSite> ps;
            for (const auto& [path, prior, scale, unit, name, exposure] : sites) {
              ps.push_back({path, prior.ptr, scale, unit, name, exposure});
            }
            new (self) ImagePosterior(std::move(exposures), std::move(ps));
          },
          nb::arg("telescopes"), nb::arg("data"), nb::arg("likelihoods"), nb::arg("sigmas"),
          nb::arg("names"), nb::arg("sites"), nb::arg("variances") = std::vector<InArray>{},
          nb::arg("masks") = std::vector<MaskArray>{})
      .def("log_density",
           [](const ImagePosterior& p) { return LogDensityRef{p.log_density_ptr()}; })
      .def_prop_ro("num_exposures", &ImagePosterior::num_exposures)
      .def(
          "telescope",
          [](const ImagePosterior& p, int e) { return p.telescope(exposure_index(p, e)); },
          nb::arg("exposure") = 0)
      .def(
          "exposure_name",
          [](const ImagePosterior& p, int e) { return p.exposure_name(exposure_index(p, e)); },
          nb::arg("exposure"))
      .def("site_exposures",
           [](const ImagePosterior& p) {
             std::vector<int> n;
             for (const auto& s : p.sites()) n.push_back(s.exposure);
             return n;
           })
      .def("names", [](const ImagePosterior& p) { return p.log_density().output_names(); })
      .def("units", &ImagePosterior::output_units)
      .def("site_names",
           [](const ImagePosterior& p) {
             std::vector<std::string> n;
             for (const auto& s : p.log_density().sites()) n.push_back(s.name);
             return n;
           })
      .def("site_sizes",
           [](const ImagePosterior& p) {
             std::vector<int> n;
             for (const auto& s : p.log_density().sites()) n.push_back(s.size);
             return n;
           })
      .def("site_paths",
           [](const ImagePosterior& p) {
             std::vector<std::string> n;
             for (const auto& s : p.sites()) n.push_back(s.path);
             return n;
           })
      .def("site_units",
           [](const ImagePosterior& p) {
             std::vector<std::string> n;
             for (const auto& s : p.sites()) n.push_back(s.unit);
             return n;
           })
      .def("current_values", [](const ImagePosterior& p) { return doubles(p.current_values()); })
      .def(
          "telescope_at",
          [](const ImagePosterior& p, const InArray& v, int e) {
            const RealVector x = to_vector(v);
            return p.telescope_at(std::vector<double>(x.data(), x.data() + x.size()),
                                  exposure_index(p, e));
          },
          nb::arg("values"), nb::arg("exposure") = 0)
      .def(
          "data",
          [](const ImagePosterior& p, int e) {
            return image_array(p.likelihood(exposure_index(p, e)).data());
          },
          nb::arg("exposure") = 0)
      .def(
          "likelihood_kind",
          [](const ImagePosterior& p, int e) {
            return posterior::likelihood_name(p.likelihood(exposure_index(p, e)).kind());
          },
          nb::arg("exposure") = 0)
      .def(
          "variance",
          [](const ImagePosterior& p, int e) {
            return variance_array(p.likelihood(exposure_index(p, e)));
          },
          nb::arg("exposure") = 0, "Exposure e's variance map (photons^2), or None.")
      .def(
          "mask",
          [](const ImagePosterior& p, int e) {
            return mask_array(p.likelihood(exposure_index(p, e)));
          },
          nb::arg("exposure") = 0,
          "Exposure e's pixels left out of the likelihood (given mask + NaN data), uint8 (ny, nx).")
      .def(
          "num_masked",
          [](const ImagePosterior& p, int e) {
            return static_cast<long>(p.likelihood(exposure_index(p, e)).num_masked());
          },
          nb::arg("exposure") = 0)
      .def(
          "likelihood_sigma",
          [](const ImagePosterior& p, int e) { return p.likelihood(exposure_index(p, e)).sigma(); },
          nb::arg("exposure") = 0)
      .def(
          "log_likelihood_draws",
          [](const ImagePosterior& p, const InArray& draws, int e) {
            return log_likelihood_draws(p, draws, e);
          },
          nb::arg("draws"), nb::arg("exposure") = 0)
      .def(
          "replicate_draws",
          [](const ImagePosterior& p, const InArray& draws, int e, std::uint64_t seed,
             std::uint64_t first_stream) {
            return replicate_draws(p, draws, e, seed, first_stream);
          },
          nb::arg("draws"), nb::arg("exposure") = 0, nb::arg("seed") = 0,
          nb::arg("first_stream") = 0)
      .def("log_jacobian", [](const ImagePosterior& p, const InArray& theta) {
        return log_jacobian(p.log_density(), theta);
      });

  m.def(
      "optimize",
      [](const ImagePosterior& p, const std::string& objective, int num_starts, std::uint64_t seed,
         int max_evaluations, const std::vector<std::vector<double>>& starts) {
        posterior::OptimizeOptions o;
        o.objective = posterior::parse_objective(objective, "objective");
        o.num_starts = num_starts;
        o.seed = seed;
        o.max_evaluations = max_evaluations;
        o.starts = starts;
        posterior::OptimizeResult r;
        {
          nb::gil_scoped_release release;
          r = posterior::optimize(p, o);
        }
        return optimize_dict(r);
      },
      nb::arg("posterior"), nb::arg("objective"), nb::arg("num_starts"), nb::arg("seed"),
      nb::arg("max_evaluations"), nb::arg("starts"));
  m.def(
      "fisher",
      [](const ImagePosterior& p, const InArray& values) {
        const RealVector v = to_vector(values);
        posterior::FisherResult f;
        {
          nb::gil_scoped_release release;
          f = posterior::fisher_information(p, std::span<const double>(v.data(), v.size()));
        }
        return fisher_dict(f);
      },
      nb::arg("posterior"), nb::arg("values"));
}

}  // namespace airy::python
