// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The run configuration (a TOML file, docs/config.md) as plain data: optics, source,
/// detector, noise, likelihood, priors and sampler settings. Parsing validates every key
/// (unknown keys are errors that suggest the nearest known key); building turns it into a
/// telescope and a posterior (config/build.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace airy::config {

/// One aperture shape (dLux geometry): circle, annulus, square, rectangle, polygon, hexagon,
/// spider. Lengths in metres, angles in degrees.
struct ShapeConfig {
  std::string type;            ///< shape name
  double radius = 0.0;         ///< circle / polygon circumradius / hexagon (m)
  double inner_radius = 0.0;   ///< annulus inner radius (m)
  double width = 0.0;          ///< square side, rectangle x-size, spider arm width (m)
  double height = 0.0;         ///< rectangle y-size (m)
  int sides = 0;               ///< polygon sides
  std::vector<double> angles;  ///< spider arm angles (deg, dLux: 0 = towards -y, clockwise)
  double centre_x = 0.0;       ///< shape centre x (m)
  double centre_y = 0.0;       ///< shape centre y (m)
  double rotation = 0.0;       ///< rotation (deg)
  bool invert = false;         ///< obscuration: transmission 1 outside the shape
};

/// A pupil layer given by maps ([[optics.layers]], docs/config.md): dLux `Optic(transmission,
/// opd, normalise)`, each map a FITS image of npix x npix pupil pixels ([y, x]). Its
/// parameters are optics.<name>.transmission and optics.<name>.opd (m), fixed unless a prior
/// names them.
struct OpticLayerConfig {
  std::string type = "optic";    ///< "optic" (dLux Optic)
  std::string name;              ///< layer key (parameter paths optics.<name>.*)
  std::string transmission;      ///< FITS file of the amplitude transmission, in [0, 1] ("" = none)
  std::string transmission_hdu;  ///< its HDU: number or EXTNAME ("" = primary)
  std::string opd;               ///< FITS file of the OPD map ("" = none)
  std::string opd_hdu;           ///< its HDU ("" = primary)
  std::string opd_unit = "m";    ///< unit of the OPD file's values (a length: m, um, nm, ...)
  bool normalise = false;        ///< unit total power after the layer
};

/// The pupil and focal plane.
struct OpticsConfig {
  std::string type = "angular";          ///< "angular" or "cartesian"
  int npix = 128;                        ///< pupil samples across the diameter
  double diameter = 1.0;                 ///< pupil diameter (m)
  int psf_npix = 16;                     ///< detector pixels across the PSF
  double psf_pixel_scale = 0.03;         ///< arcsec/px (angular) or m/px (cartesian)
  int oversample = 1;                    ///< focal-plane oversampling
  double focal_length = 0.0;             ///< m (cartesian only)
  std::vector<ShapeConfig> shapes;       ///< aperture = product of shapes
  std::string soft_edge = "oversample";  ///< "oversample", "analytic" or "hard"
  int edge_oversample = 5;               ///< sub-samples per pupil pixel for soft_edge = oversample
  double edge_width = 0.0;               ///< analytic soft edge half-width (m); 0 = one pupil pixel
  bool normalise = true;                 ///< unit total power in the pupil
  std::vector<int> noll;                 ///< Zernike Noll indices of the aberration basis
  /// Diameter (m) of the disk the Zernikes are defined on, over the same pupil grid; 0 = the
  /// pupil diameter (dLux circular_aperture's D (1 + zernike_oversize); dLuxToliman: 1.01 D).
  double basis_diameter = 0.0;
  std::vector<double> coefficients;      ///< Zernike coefficients (m of OPD RMS), one per index
  double coefficients_rms = 0.0;         ///< if coefficients is empty: rms * N(0,1) draws (m)
  std::uint64_t coefficients_seed = 0;   ///< seed of those draws
  std::vector<OpticLayerConfig> layers;  ///< map layers after the aperture, in order
};

/// The source: "binary" (AlphaCen parametrisation), "point" or "points".
struct SourceConfig {
  std::string type = "binary";
  double x_position = 0.0;                       ///< arcsec (binary: mid-point)
  double y_position = 0.0;                       ///< arcsec
  double separation = 0.1;                       ///< arcsec (binary)
  double position_angle = 90.0;                  ///< deg from +y towards +x (binary)
  double log_flux = 3.5;                         ///< log10 total photons
  double contrast = 3.37;                        ///< F_A / F_B (binary)
  std::vector<double> positions_x;               ///< arcsec (points)
  std::vector<double> positions_y;               ///< arcsec (points)
  std::vector<double> log_fluxes;                ///< log10 photons per star (points)
  std::vector<double> wavelengths_nm;            ///< explicit wavelengths (nm); empty = band below
  std::vector<double> band_nm = {530.0, 640.0};  ///< band (nm) when wavelengths are not given
  int n_wavelengths = 5;                         ///< samples across the band
  std::vector<double> weights;  ///< spectral weights (normalised to 1); empty = uniform
  /// type "points" only: one weight row per star (each normalised to 1), instead of `weights`.
  std::vector<std::vector<double>> star_weights;
};

/// One detector layer.
struct DetectorLayerConfig {
  std::string type;    ///< downsample, jitter, pixel_response, background, saturation
  int factor = 1;      ///< downsample factor
  double sigma = 0.0;  ///< jitter sigma (detector pixels)
  double value = 0.0;  ///< background (photons) or saturation threshold
  std::string file;    ///< pixel_response FITS file (empty = ones)
};

/// How simulated data are made noisy.
struct NoiseConfig {
  bool photon = true;       ///< Poisson photon noise
  double read_sigma = 3.0;  ///< Gaussian read noise sigma (photons); 0 = none
  std::uint64_t seed = 0;   ///< noise seed
};

/// The likelihood of the data.
struct LikelihoodConfig {
  std::string kind = "poisson_gaussian";  ///< poisson, gaussian, poisson_gaussian(_exact)
  double sigma = 3.0;                     ///< read noise / Gaussian sigma (photons)
};

/// A per-element distribution parameter read from a FITS image (`loc = {file = "...", hdu =
/// ...}`), e.g. a flat-field prior's mean per pixel.
struct PriorMapFile {
  std::string file;  ///< FITS file (relative to the config's directory when loaded)
  std::string hdu;   ///< a number ("1") or an EXTNAME; "" = primary
};

/// A prior on one telescope parameter path (a site of the posterior). A parameter is a number
/// (every element of a vector site takes it), an inline array (one value per element, row-major
/// [y, x] for a map) or a FITS map; with any array or map the prior is per element
/// (infer::make_independent).
struct PriorConfig {
  std::string path;                      ///< telescope parameter path, e.g. "source.separation"
  std::string dist;                      ///< distribution name (airy::infer factory)
  std::map<std::string, double> params;  ///< distribution parameters, in `unit`
  std::string unit;  ///< display/sampling unit, e.g. "nm" ("" = the path's own unit)
  /// Explicit value_in_path_units / value_in_unit; when absent the factor follows from `unit`
  /// and the path's unit (same dimension required), resolved when the posterior is built.
  std::optional<double> unit_scale;
  std::optional<double> truth;                        ///< informational (plots) when not simulated
  std::map<std::string, std::vector<double>> arrays;  ///< per-element parameters, inline
  std::map<std::string, PriorMapFile> maps;           ///< per-element parameters from FITS
};

/// NUTS settings (CmdStan names).
struct SamplerConfig {
  /// "nuts" (Stan's NUTS) or "pt" (non-reversible parallel tempering with NUTS explorers,
  /// docs/inference.md §6): num_chains independent PT runs, each one output chain of its
  /// 2^pt_rounds beta = 1 draws, plus the evidence log Z.
  std::string method = "nuts";
  int num_chains = 4;
  int num_warmup = 2000;
  int num_samples = 2000;
  std::uint64_t seed = 1;  ///< [0, 2^63 - 1]
  int num_threads = 0;     ///< 0 = one per chain up to the core count
  /// Threads that share one log-density evaluation (of a chain, or of the MAP), over
  /// exposures: 0 = auto (the cores the chains running at once leave, at most the number of
  /// exposures), n >= 1 = n (at most the number of exposures). Results do not depend on it.
  int threads_per_chain = 0;
  /// diag_e, dense_e, unit_e, or fisher: dense metric = Laplace covariance at the MAP
  /// (inverse of Fisher + negative prior Hessian, unconstrained), kept fixed while warmup
  /// adapts only the step size (docs/fisher.md).
  std::string metric = "diag_e";
  std::string init = "random";  ///< "random" (uniform(-2, 2) unconstrained) or "map"
  int map_starts = 16;          ///< L-BFGS starts drawn from the priors for init/metric
  /// A coarse grid searched before the MAP's L-BFGS (docs/inference.md "Grid
  /// initialisation"): {parameter, points} in the order given, the parameter an output name
  /// ("separation", "coefficients[2]") or a prior path ("source.separation"); empty = none.
  std::vector<std::pair<std::string, int>> map_grid;
  int map_grid_starts = 4;  ///< the best grid points started by L-BFGS (with the random ones)
  /// Where windowed adaptation of diag_e/dense_e starts: "identity" (Stan's default) or
  /// "laplace" (the Laplace metric at the MAP, then adapted as usual: no early warmup spent
  /// with a badly scaled metric).
  std::string metric_init = "identity";
  double delta = 0.8;
  int max_depth = 10;
  bool save_warmup = false;
  int thin = 1;
  // method = "pt" only (parallel tempering; each is an error with "nuts").
  int pt_chains = 10;                  ///< points of the beta ladder per run, in [2, 4096]
  int pt_rounds = 10;                  ///< round r runs 2^r scans; the last one's are the draws
  std::string pt_reference = "prior";  ///< beta = 0: "prior" or "gaussian"
  double pt_gaussian_sd = 2.0;         ///< gaussian reference: initial sd (unconstrained)
  int pt_gaussian_refit_round = 4;     ///< gaussian reference: refitted after rounds >= this
  int pt_explorer_steps = 1;           ///< NUTS transitions per scan and chain
};

/// Figure settings of every command (the [plot] table; `airy plot` flags override them;
/// docs/plots.md).
struct PlotConfig {
  /// Figure width in inches (3.5 = a journal column, 7 = a page); text stays >= 7 pt at that
  /// printed width. 0 = each figure's default.
  double width = 0.0;
  /// Corner and trace subset: output names ("separation", "coefficients[2]"), prior paths
  /// ("source.separation"), or a vector's name or path for all its entries
  /// ("optics.aperture.coefficients"). Empty = every sampled parameter.
  std::vector<std::string> parameters;
  std::vector<std::string> formats = {"png", "pdf"};  ///< any of "png", "pdf", "svg"
  std::string stretch = "linear";  ///< PSF/data/model images: linear, sqrt, log or asinh
  double dpi = 150.0;              ///< PNG resolution (dots per inch)
};

/// What `airy fit` writes besides the draws, and the sky position of its images (the [output]
/// table, docs/file_formats.md).
struct OutputConfig {
  /// posterior.nc groups: "auto" writes each when it takes at most auto_max_megabytes (8 bytes
  /// a value), "true" always, "false" never. log_likelihood: per unmasked pixel and draw (for
  /// az.loo / az.waic); posterior_predictive: a replicated image per exposure for
  /// posterior_predictive_draws draws spread over the chains (for az.plot_ppc).
  std::string log_likelihood = "auto";
  std::string posterior_predictive = "auto";
  int posterior_predictive_draws = 100;  ///< in all chains together, in [1, 100000]
  double auto_max_megabytes = 256.0;     ///< "auto"'s limit per group, MB (10^6 bytes), > 0
  /// The sky position (ICRS, degrees) of the optical axis: CRVAL1/CRVAL2 of the TAN WCS of
  /// angular systems' images. Unset = (0, 0).
  std::optional<double> pointing_ra;   ///< [0, 360)
  std::optional<double> pointing_dec;  ///< [-90, 90]
};

/// One exposure of a multi-exposure fit ([[exposures]], docs/config.md): its data and the
/// fixed settings that differ between exposures. Telescope parameters shared by every exposure
/// keep their paths; an exposure's own are addressed as "exposures.<i>.<path>" in [priors]
/// ("exposures.*.<path>": one site per exposure).
struct ExposureConfig {
  std::string name;         ///< label ("" = its index)
  std::string data;         ///< FITS file of the data ("" = HDU <index> of the --data file)
  std::string hdu;          ///< HDU of `data`: a number ("1") or an EXTNAME ("SCI"); "" = primary
  double dither_x = 0.0;    ///< pointing offset added to every star, arcsec (exposure.dither)
  double dither_y = 0.0;    ///< arcsec
  double flux_scale = 1.0;  ///< multiplies every star's photons (exposure.flux_scale), > 0
  /// The exposure's own band (a filter): replaces the source's spectrum keys when set.
  std::optional<SourceConfig> spectrum;
  /// A fixed diversity OPD added to the pupil (e.g. defocus): Noll indices and coefficients (m
  /// of OPD RMS) on the pupil's Zernike basis, as the layer "optics.diversity".
  std::vector<int> diversity_noll;
  std::vector<double> diversity_coefficients;
  /// Per-pixel noise of real data (one of the two, or neither): a variance map (photons^2)
  /// or an ERR map (photons, variance = err^2), each a FITS file ("" = the exposure's data
  /// file) and HDU; set when its file or its HDU is given.
  std::string variance, variance_hdu;
  std::string err, err_hdu;
  /// Pixels to leave out (a mask or a data-quality map): file ("" = the data file) and HDU;
  /// a pixel is excluded when (value & mask_bits) != 0, or when value != 0 without mask_bits.
  std::string mask, mask_hdu;
  std::optional<std::uint64_t> mask_bits;

  [[nodiscard]] bool has_variance() const { return !variance.empty() || !variance_hdu.empty(); }
  [[nodiscard]] bool has_err() const { return !err.empty() || !err_hdu.empty(); }
  [[nodiscard]] bool has_mask() const { return !mask.empty() || !mask_hdu.empty(); }
};

/// A whole run.
struct Config {
  OpticsConfig optics;
  SourceConfig source;
  std::vector<DetectorLayerConfig> detector;
  NoiseConfig noise;
  LikelihoodConfig likelihood;
  std::vector<PriorConfig> priors;  ///< in sampling order
  SamplerConfig sampler;
  PlotConfig plot;
  /// [[exposures]]: empty = one image (the --data file) seen by the telescope as configured.
  std::vector<ExposureConfig> exposures;
  std::string output_dir = "airy-out";
  OutputConfig output;
  std::string source_name;  ///< where the config came from (file path or "<embedded>")
};

/// Parses TOML text. @throws InvalidArgument naming `source_name`, the key (dotted), the value
/// and, for unknown keys, the nearest known key; TOML syntax errors give line and column.
Config parse_config(std::string_view toml_text, std::string_view source_name);
/// Reads and parses a file. @throws InvalidArgument if it cannot be read.
Config load_config(const std::string& path);
/// Writes the configuration back as TOML (the exact settings of a run, overrides included).
std::string to_toml(const Config& config);
/// The flagship configuration embedded in the binary (identical to examples/binary_star.toml).
std::string_view flagship_toml();
/// examples/calibration.toml (the truth of `airy demo calibration`) and
/// examples/calibration_guess.toml (its initial guess), embedded likewise.
std::string_view calibration_toml();
std::string_view calibration_guess_toml();

}  // namespace airy::config
