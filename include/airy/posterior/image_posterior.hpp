// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The joint posterior of telescope parameters given N exposures (N >= 1): named sites
/// (a prior bound to a telescope parameter path, scalar or vector, in a sampling unit, shared
/// by every exposure or belonging to one) plus each exposure's image likelihood, as an
/// airy::infer::LogDensity that any sampler can draw from. One image is the N = 1 case.
///
/// With site values v (in each site's unit), telescope parameters p = scale * v, exposure e's
/// parameters p_e (the shared sites and e's own), its rendered image mu_e(p_e) and data d_e:
///   log p(u) = sum_e log L_e(d_e | mu_e(p_e)) + sum_s [log prior_s(v_s) + log|det dT_s/du_s|]
///   d log p / d v = sum_e scale * (d mu_e / d p_e)^T (d log L_e / d mu_e)
/// (one telescope pullback per exposure, scatter-added into the shared coordinates). The prior
/// and bijector terms are airy::infer::SiteModel's.
///
/// One site is not a telescope parameter: kReadNoisePath ("detector.read_noise"), the read-noise
/// sigma s (photons) of the exposures' Gaussian / Poisson + read-noise likelihoods, shared or
/// one per exposure like any other site. It enters log L_e only, through the pixel variance
/// (v = s^2, or max(mu, 0) + s^2), and its gradient is the likelihood's own d log L_e / d s
/// (ImageLikelihood::log_likelihood with noise = {s}), times the site's scale.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "airy/infer/distribution.hpp"
#include "airy/infer/site_model.hpp"
#include "airy/model/telescope.hpp"
#include "airy/posterior/likelihood.hpp"

namespace airy::posterior {

/// The site path of the read-noise sigma (photons, domain (0, inf)): a detector property that
/// is no telescope parameter but the likelihood's "sigma" noise parameter.
inline constexpr const char* kReadNoisePath = "detector.read_noise";

/// One exposure: the telescope that renders it (with the exposure's fixed settings: dither,
/// band, diversity) and the likelihood of its data.
struct Exposure {
  std::string name;  ///< label in messages and outputs; "" = its index
  model::Telescope telescope;
  ImageLikelihood likelihood;
};

/// One sampled telescope parameter.
struct ParameterSite {
  std::string path;              ///< telescope path, e.g. "optics.aperture.coefficients"
  infer::DistributionPtr prior;  ///< scalar prior applied to each entry (in `unit`)
  double scale = 1.0;            ///< telescope value = scale * site value
  std::string unit;              ///< the site's unit for display ("" = the path's own)
  std::string name;              ///< output name; "" = the path's last component if unique
  /// -1: shared by every exposure (the path must exist in each); e >= 0: exposure e's own
  /// parameter (e.g. its background), named "<name>_e<e>" by default.
  int exposure = -1;
};

/// The posterior of `sites` given the exposures' data. Immutable and thread-safe.
class ImagePosterior {
 public:
  /// @throws InvalidArgument for no exposure or no site, an unknown path (naming the nearest
  ///   and the exposure), a duplicate (path, exposure), an exposure index out of range, a
  ///   data image whose shape differs from its telescope's image, a non-positive scale, a
  ///   prior whose support leaves the parameter's domain, or a read-noise site on an exposure
  ///   whose likelihood has no read noise (Poisson, or a variance map).
  ImagePosterior(std::vector<Exposure> exposures, std::vector<ParameterSite> sites);
  /// One exposure (N = 1).
  ImagePosterior(model::Telescope telescope, std::vector<ParameterSite> sites,
                 ImageLikelihood likelihood);

  /// The log density to sample (unconstrained space; draws come back in site units).
  [[nodiscard]] const infer::SiteModel& log_density() const { return *model_; }
  [[nodiscard]] std::shared_ptr<const infer::SiteModel> log_density_ptr() const { return model_; }
  [[nodiscard]] const std::vector<ParameterSite>& sites() const { return sites_; }

  [[nodiscard]] int num_exposures() const { return static_cast<int>(exposures_.size()); }
  /// Exposure e's telescope, likelihood and name.
  [[nodiscard]] const model::Telescope& telescope(int e = 0) const;
  [[nodiscard]] const ImageLikelihood& likelihood(int e = 0) const;
  [[nodiscard]] const std::string& exposure_name(int e) const;
  /// The paths bound in exposure e (shared sites and e's own, in site order) ...
  [[nodiscard]] const model::ParameterSet& parameter_set(int e = 0) const;
  /// ... and, for each of their flat coordinates, its index in the sites' flat vector.
  [[nodiscard]] const std::vector<int>& global_indices(int e = 0) const;
  /// The flat site coordinate of exposure e's read-noise sigma (a kReadNoisePath site, shared
  /// or e's own), or -1 when it is fixed at likelihood(e).sigma().
  [[nodiscard]] int read_noise_index(int e = 0) const;
  /// Telescope value = scales()[j] * site value j.
  [[nodiscard]] const std::vector<double>& scales() const { return scales_; }

  /// Site values (site units, output order) of the telescopes' current parameters: the
  /// truth when the telescopes simulated the data.
  [[nodiscard]] std::vector<double> current_values() const;
  /// Exposure e's telescope with the sampled parameters set to `values` (site units, output
  /// order).
  [[nodiscard]] model::Telescope telescope_at(const std::vector<double>& values, int e = 0) const;
  /// The unit of each output coordinate: the site's own, else its path's.
  [[nodiscard]] std::vector<std::string> output_units() const;

 private:
  struct Bound {
    std::string name;
    model::Telescope telescope;
    std::shared_ptr<const ImageLikelihood> likelihood;
    model::ParameterSet set;
    std::vector<int> global;  ///< flat coordinate of set -> flat site coordinate
    std::vector<int> sites;   ///< site index of each path of set
    int read_noise = -1;      ///< flat site coordinate of the read-noise sigma, or -1
  };
  std::vector<Bound> exposures_;
  std::vector<ParameterSite> sites_;
  std::vector<int> site_offsets_;  ///< first flat coordinate of each site
  std::vector<int> site_sizes_;
  std::vector<double> scales_;  ///< per flat coordinate
  std::shared_ptr<const infer::SiteModel> model_;
};

}  // namespace airy::posterior
