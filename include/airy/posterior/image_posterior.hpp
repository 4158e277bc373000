// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The joint posterior of telescope parameters given an image: named sites (a prior
/// bound to a telescope parameter path, scalar or vector, in a sampling unit) plus an image
/// likelihood, as an airy::infer::LogDensity that any sampler can draw from.
///
/// With site values v (in each site's unit), telescope parameters p = scale * v, the rendered
/// image mu(p) and the data d:
///   log p(u) = log L(d | mu(p(T(u)))) + sum_s [log prior_s(v_s) + log|det dT_s/du_s|]
///   d log L / d v = scale * (d mu / d p)^T (d log L / d mu)    (one telescope pullback)
/// The prior and bijector terms are airy::infer::SiteModel's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "airy/infer/distribution.hpp"
#include "airy/infer/site_model.hpp"
#include "airy/model/telescope.hpp"
#include "airy/posterior/likelihood.hpp"

namespace airy::posterior {

/// One sampled telescope parameter.
struct ParameterSite {
  std::string path;              ///< telescope path, e.g. "optics.aperture.coefficients"
  infer::DistributionPtr prior;  ///< scalar prior applied to each entry (in `unit`)
  double scale = 1.0;            ///< telescope value = scale * site value
  std::string unit;              ///< the site's unit for display ("" = the path's own)
  std::string name;              ///< output name; "" = the path's last component if unique
};

/// The posterior of `sites` given the data in `likelihood`. Immutable and thread-safe.
class ImagePosterior {
 public:
  /// @throws InvalidArgument for an unknown path (naming the nearest), a duplicate path, a
  ///   data image whose shape differs from the telescope's image, or a non-positive scale.
  ImagePosterior(model::Telescope telescope, std::vector<ParameterSite> sites,
                 ImageLikelihood likelihood);

  /// The log density to sample (unconstrained space; draws come back in site units).
  [[nodiscard]] const infer::SiteModel& log_density() const { return *model_; }
  [[nodiscard]] std::shared_ptr<const infer::SiteModel> log_density_ptr() const { return model_; }
  [[nodiscard]] const model::Telescope& telescope() const { return telescope_; }
  [[nodiscard]] const model::ParameterSet& parameter_set() const { return set_; }
  [[nodiscard]] const std::vector<ParameterSite>& sites() const { return sites_; }
  [[nodiscard]] const ImageLikelihood& likelihood() const { return *likelihood_; }

  /// Site values (site units, output order) of the telescope's current parameters: the
  /// truth when the telescope simulated the data.
  [[nodiscard]] std::vector<double> current_values() const;
  /// The telescope with its sampled parameters set to `values` (site units, output order).
  [[nodiscard]] model::Telescope telescope_at(const std::vector<double>& values) const;
  /// Output name and unit of each output coordinate.
  [[nodiscard]] std::vector<std::string> output_units() const;

 private:
  model::Telescope telescope_;
  std::vector<ParameterSite> sites_;
  std::shared_ptr<const ImageLikelihood> likelihood_;
  model::ParameterSet set_;
  std::vector<double> scales_;  ///< per flat coordinate
  std::shared_ptr<const infer::SiteModel> model_;
};

}  // namespace airy::posterior
