// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief How much memory a configuration needs, estimated from the array sizes the optics
/// engine allocates, and the check that stops an impossible run before it allocates.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"

namespace airy::config {
namespace {

constexpr double kReal = 8.0;      // bytes of a double
constexpr double kComplex = 16.0;  // bytes of a complex<double>

std::string gib(double bytes) { return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024 * 1024)); }

double num_wavelengths(const SourceConfig& s) {
  return s.wavelengths_nm.empty() ? s.n_wavelengths : static_cast<double>(s.wavelengths_nm.size());
}

double num_stars(const SourceConfig& s) {
  if (s.type == "binary") return 2.0;
  if (s.type == "points")
    return static_cast<double>(std::max<std::size_t>(1, s.positions_x.size()));
  return 1.0;
}

}  // namespace

std::uint64_t MemoryEstimate::total(int chains) const {
  const std::uint64_t running =
      model + static_cast<std::uint64_t>(chains) * (per_chain + draws_per_chain);
  return std::max(build_peak, running);
}

MemoryEstimate estimate_memory(const Config& c, int output_dim) {
  const OpticsConfig& o = c.optics;
  // All in double: npix^2 x oversample^2 overflows 32-bit integers long before memory runs out.
  const double n = o.npix;
  const double n2 = n * n;
  const double e = o.soft_edge == "oversample" ? o.edge_oversample : 1.0;
  const double shapes = static_cast<double>(std::max<std::size_t>(1, o.shapes.size()));
  const double k = static_cast<double>(o.noll.size());
  const double m = static_cast<double>(o.psf_npix) * o.oversample;
  const double l = num_wavelengths(c.source);
  const double s = num_stars(c.source);
  const double layers = 1.0;  // the config builds one pupil layer ("aperture")

  MemoryEstimate est;
  // Aperture sampling (optics::aperture_transmission): x, y coordinates, one hard mask per
  // shape, the signed-distance temporaries of the mask being built (~4 arrays) and combine()'s
  // product, all on the (N E)^2 grid (measured: 7.8 arrays for one circle at N E = 2560),
  // then the N^2 result and, with aberrations, the Zernike basis being built (K + 4 arrays).
  const double build = (8.0 + shapes) * n2 * e * e * kReal + (k + 5.0) * n2 * kReal;
  // The telescope: transmission and basis (N^2 and K N^2 doubles) and, per wavelength, the MFT
  // matrices A, B and their adjoints (4 N M complex).
  const double model = (1.0 + k) * n2 * kReal + 4.0 * l * n * m * kComplex;
  // One workspace (psf_engine.cpp, optic_layers.cpp make_workspace): the pupil layer's
  // buffers (OPD, phase, sin/cos, pixel lists: ~13 N^2 doubles; phasors and pre-phase fields:
  // 2 L N^2 complex; compact basis K N^2 doubles; amplitudes L N^2 complex), the fields of
  // every layer at every wavelength ((layers + 1) L N^2 complex), the real-split GEMM
  // operands (~6 N^2 doubles and 2 S L M N doubles twice), the star fields E_sl (S L M^2
  // complex), the GEMM intermediates (2 N S M + N M complex) and small M^2 buffers.
  const double layer_ws = 13.0 * n2 * kReal + 3.0 * l * n2 * kComplex + (k + 1.0) * n2 * kReal;
  const double engine_ws = (layers + 1.0) * l * n2 * kComplex + 6.0 * n2 * kReal +
                           4.0 * s * l * m * n * kReal + s * l * m * m * kComplex +
                           (2.0 * s * m + m) * n * kComplex + 2.0 * n2 * kComplex +
                           6.0 * m * m * kComplex;
  // Every exposure has its own telescope and workspace (built one after another: the aperture
  // peak is not multiplied).
  const double exposures = static_cast<double>(std::max<std::size_t>(1, c.exposures.size()));
  double per_chain = exposures * (layer_ws + engine_ws);
  const SamplerConfig& sc = c.sampler;
  double kept = (static_cast<double>(sc.num_samples) +
                 (sc.save_warmup ? static_cast<double>(sc.num_warmup) : 0.0)) /
                std::max(1, sc.thin);
  if (sc.method == "pt") {
    // Parallel tempering: a "chain" is one PT run of R = pt_chains replicas, each with its own
    // workspace; per replica its per-chain moments (R (1 + 2 d) doubles, d ~ output_dim) and
    // their gathered copy; per run the round's record of l, accept_stat and swap acceptance
    // (3 T R doubles, T = 2^pt_rounds scans). A process of `mpirun -np K` holds about R/K
    // replicas: the estimate is that of one process holding them all. Draws kept: T.
    const double r = sc.pt_chains;
    const double scans = std::ldexp(1.0, sc.pt_rounds);
    const double moments = 2.0 * r * r * (1.0 + 2.0 * std::max(output_dim, 1)) * kReal;
    per_chain = r * per_chain + moments + 3.0 * scans * r * kReal;
    kept = scans;
  }
  // Each kept draw stores the output coordinates plus 7 sampler statistics.
  const double draws = output_dim > 0 ? kept * (output_dim + 7.0) * kReal : 0.0;
  est.build_peak = static_cast<std::uint64_t>(std::min(build, 1.8e19));
  est.model = static_cast<std::uint64_t>(std::min(exposures * model, 1.8e19));
  est.per_chain = static_cast<std::uint64_t>(std::min(per_chain, 1.8e19));
  est.draws_per_chain = static_cast<std::uint64_t>(std::min(draws, 1.8e19));
  return est;
}

std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0;
  std::string unit;
  while (meminfo >> key >> value >> unit) {
    if (key == "MemAvailable:") return value * 1024;
  }
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * page : UINT64_MAX;
}

void check_memory(const Config& c, int chains, int output_dim,
                  std::optional<std::uint64_t> available) {
  const MemoryEstimate est = estimate_memory(c, output_dim);
  const std::uint64_t need = est.total(chains);
  const std::uint64_t have = available ? *available : available_memory_bytes();
  if (need <= have) return;
  // Name the part that dominates, with the keys that size it.
  const double running = static_cast<double>(need) - static_cast<double>(est.build_peak);
  std::string keys;
  if (est.build_peak >= need) {
    keys = fmt::format(
        "optics.npix = {} with optics.aperture.edge_oversample = {} (the aperture "
        "is sampled on a {} x {} grid)",
        c.optics.npix, c.optics.soft_edge == "oversample" ? c.optics.edge_oversample : 1,
        static_cast<long long>(c.optics.npix) *
            (c.optics.soft_edge == "oversample" ? c.optics.edge_oversample : 1),
        static_cast<long long>(c.optics.npix) *
            (c.optics.soft_edge == "oversample" ? c.optics.edge_oversample : 1));
  } else if (c.sampler.method == "pt" &&
             static_cast<double>(chains) * est.draws_per_chain <= 0.5 * running) {
    keys = fmt::format(
        "sampler.pt_chains = {} replicas (one workspace each) x sampler.num_chains = {} PT "
        "run(s), or optics.npix = {} (`mpirun -np K` spreads the replicas over K processes)",
        c.sampler.pt_chains, chains, c.optics.npix);
  } else if (static_cast<double>(chains) * est.draws_per_chain > 0.5 * running) {
    keys = c.sampler.method == "pt"
               ? fmt::format("sampler.num_chains = {} x 2^sampler.pt_rounds = 2^{} kept draws",
                             chains, c.sampler.pt_rounds)
               : fmt::format("sampler.num_chains = {} x sampler.num_samples = {} kept draws",
                             chains, c.sampler.num_samples);
  } else {
    keys = fmt::format(
        "optics.npix = {}, optics.psf_npix x oversample = {}, {} wavelength(s) and {} chain(s)",
        c.optics.npix, static_cast<long long>(c.optics.psf_npix) * c.optics.oversample,
        static_cast<long long>(num_wavelengths(c.source)), chains);
  }
  throw InvalidArgument(fmt::format(
      "{}: this configuration needs about {} of memory ({}) but {} are available: reduce {}",
      c.source_name, gib(static_cast<double>(need)),
      fmt::format("model {}, {} per chain, aperture sampling {}",
                  gib(static_cast<double>(est.model)),
                  gib(static_cast<double>(est.per_chain + est.draws_per_chain)),
                  gib(static_cast<double>(est.build_peak))),
      gib(static_cast<double>(have)), keys));
}

}  // namespace airy::config
