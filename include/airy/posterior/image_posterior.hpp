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
///
/// Threads (PosteriorOptions::threads, default 1): one evaluation may render and pull back its
/// exposures on several threads of a pool owned by the per-chain workspace (for when chains are
/// fewer than cores). Each exposure writes only its own buffers (value, read-noise and
/// parameter cotangents); the sums above then run on the calling thread in exposure order, so
/// the log density and its gradient are the same bits for every thread count.
///
/// Shared PSFs (PosteriorOptions::share_psf, default on): exposures that see the same PSF up
/// to a whole-pixel dither (model::shares_psf: same optics and source, their parameters bound
/// to the same sites, no sampled dither) form a group that renders one PSF on a grid enlarged
/// by the dither range and crops it per exposure (model::SharedPsf); the group's pullback adds
/// the exposures' cropped PSF cotangents and pulls the sum back once. For E such exposures the
/// PSF work drops E-fold; the results equal the separate renders to rounding (~1e-15
/// relative). A group is one unit of the threads' work.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "airy/infer/distribution.hpp"
#include "airy/infer/site_model.hpp"
#include "airy/model/shared_psf.hpp"
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

/// How an ImagePosterior evaluates (not what it computes: results do not depend on these).
struct PosteriorOptions {
  /// Threads that share one evaluation, over exposures (the caller's included); at most the
  /// number of exposures are used. 1 = evaluate on the calling thread only.
  int threads = 1;
  /// Render one PSF for the exposures that differ only by whole-pixel dithers (see above).
  bool share_psf = true;
};

/// The posterior of `sites` given the exposures' data. Immutable and thread-safe.
class ImagePosterior {
 public:
  /// @throws InvalidArgument for no exposure or no site, an unknown path (naming the nearest
  ///   and the exposure), a duplicate (path, exposure), an exposure index out of range, a
  ///   data image whose shape differs from its telescope's image, a non-positive scale, a
  ///   prior whose support leaves the parameter's domain, or a read-noise site on an exposure
  ///   whose likelihood has no read noise (Poisson, or a variance map), or options.threads < 1.
  ImagePosterior(std::vector<Exposure> exposures, std::vector<ParameterSite> sites,
                 PosteriorOptions options = {});
  /// One exposure (N = 1).
  ImagePosterior(model::Telescope telescope, std::vector<ParameterSite> sites,
                 ImageLikelihood likelihood);

  /// The log density to sample (unconstrained space; draws come back in site units).
  [[nodiscard]] const infer::SiteModel& log_density() const { return *model_; }
  [[nodiscard]] std::shared_ptr<const infer::SiteModel> log_density_ptr() const { return model_; }
  [[nodiscard]] const std::vector<ParameterSite>& sites() const { return sites_; }

  /// The same posterior evaluated on `threads` threads per evaluation (shares the exposures;
  /// a new log density whose workspaces own a pool of min(threads, units) threads).
  /// @throws InvalidArgument for threads < 1.
  [[nodiscard]] ImagePosterior with_threads(int threads) const;
  /// Threads one evaluation uses: min(options.threads, units of work), a unit being an
  /// exposure of its own or a shared-PSF group.
  [[nodiscard]] int threads() const { return threads_; }
  /// The shared-PSF groups: each the exposure indices (ascending) that render one PSF.
  [[nodiscard]] std::vector<std::vector<int>> shared_psf_groups() const;

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
  /// Exposures that render one PSF (model::SharedPsf): the wide telescope's bound paths (the
  /// members' source and optics sites) and their flat site coordinates.
  struct Group {
    std::shared_ptr<const model::SharedPsf> shared;
    model::ParameterSet set;
    std::vector<int> global;
    std::vector<int> members;  ///< exposure indices, ascending
  };
  std::vector<Bound> exposures_;
  std::vector<Group> groups_;
  int num_units_ = 1;  ///< exposures outside groups + groups
  std::vector<ParameterSite> sites_;
  std::vector<int> site_offsets_;  ///< first flat coordinate of each site
  std::vector<int> site_sizes_;
  std::vector<double> scales_;  ///< per flat coordinate
  std::vector<infer::Site> infer_sites_;
  int threads_ = 1;
  std::shared_ptr<const infer::SiteModel> model_;

  /// model_ from the exposures, sites and threads_.
  void build_model();
};

}  // namespace airy::posterior
