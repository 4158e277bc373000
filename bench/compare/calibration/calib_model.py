# SPDX-License-Identifier: BSD-3-Clause
"""The dLux 0.15.1 model of examples/calibration.toml and the negative log posterior airy
maximises, shared by check_forward.py, fit_dlux.py and evaluate.py (bench/compare/calibration).

The telescope is built from the airy TOML itself, with dLux's own classes:

* the pupil: `dlu.combine([dlu.circle, dlu.spider], edge_oversample)` (bench/compare/dlux_model.py)
  and `dl.layers.BasisOptic(zernike basis, T, coefficients, normalise=True)`;
* `dl.AngularOpticalSystem(npix, diameter, layers, psf_npix, psf_pixel_scale, oversample)`;
* the stars: one `dl.PointSources(wavelengths, positions (rad), fluxes, weights)`, the
  wavelengths numpy's linspace over `band_nm` like airy's (uniform weights);
* the flat field: `dl.LayeredDetector([("flat", dl.layers.ApplyPixelResponse(map))])`;
* the exposures: one `dl.Dither(dithers, optics, source, detector)` per distinct optics (a
  `dl.Telescope` with the dither added to `source.position` where one exposure has those
  optics); an exposure with `diversity_noll` gets the optics plus airy's "diversity" layer,
  `dl.layers.Optic(opd = sum_j c_j Z_j, normalise=False)` after the aperture.

Only what the calibration configs use is supported; anything else raises, so that the two sides
cannot silently fit different models.

The objective is airy's log density on its unconstrained coordinates u (what `airy optimize`
maximises, printed as `objective` in optimize_starts.csv), negated:

  -log p = -sum_e sum_p log N(d_ep; mu_ep, max(mu_ep, 0) + sigma^2)   (poisson_gaussian)
           - sum_p log N(f_p; 1, 0.05) - sum_j log N(c_j [nm]; 0, 30)
           - sum_k log N(x_k, y_k [arcsec]; 0, 1)
           - sum_k log N(ln F_k; 12, 2)        (log_normal on F plus log|dF/du| = ln F, u = ln F)

Import after the JAX precision has been chosen (jax_enable_x64 must be set before JAX starts).
"""
import math
import os
import sys
import tomllib

import numpy as onp
import jax
import jax.numpy as jnp
import equinox as eqx
import dLux as dl
import dLux.utils as dlu

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dlux_model import build_transmission  # noqa: E402  bench/compare: the same pupil builder

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
ARCSEC = math.pi / (180.0 * 3600.0)  # rad per arcsec (dlu.arcsec2rad)
PRIOR_PATHS = {"detector.pixel_response.map", "optics.aperture.coefficients",
               "source.positions", "source.fluxes"}


# ----------------------------------------------------------------------------- FITS
def read_fits(path):
    """The primary HDU image of a FITS file as float64 [row = y][col = x] (BITPIX -64, -32,
    16, 32; BSCALE/BZERO applied). airy writes float64 primary images."""
    with open(path, "rb") as fh:
        raw = fh.read()
    cards, i = {}, 0
    while True:
        card = raw[i:i + 80].decode("ascii")
        i += 80
        if card.startswith("END"):
            break
        if card[8:10] == "= ":
            cards[card[:8].strip()] = card[10:].split("/")[0].strip()
    i += -i % 2880
    nx, ny = int(cards["NAXIS1"]), int(cards["NAXIS2"])
    dtype = {"-64": ">f8", "-32": ">f4", "16": ">i2", "32": ">i4"}[cards["BITPIX"]]
    a = onp.frombuffer(raw, dtype=dtype, count=nx * ny, offset=i).astype(onp.float64)
    a = a * float(cards.get("BSCALE", 1.0)) + float(cards.get("BZERO", 0.0))
    return a.reshape(ny, nx)


# ----------------------------------------------------------------------------- config
def load_config(path):
    with open(path, "rb") as fh:
        cfg = tomllib.load(fh)
    cfg["_dir"] = os.path.dirname(os.path.abspath(path))
    check_supported(cfg)
    return cfg


def check_supported(cfg):
    o = cfg.get("optics", {})
    if o.get("type", "angular") != "angular":
        raise ValueError("calibration bench: optics.type must be 'angular'")
    ap = o.get("aperture", {})
    if ap.get("soft_edge", "oversample") != "oversample" or not ap.get("normalise", True):
        raise ValueError("calibration bench: aperture soft_edge 'oversample', normalise = true only")
    ab = o.get("aberrations", {})
    if "coefficients" not in ab or "basis_diameter" in ab or o.get("layers"):
        raise ValueError("calibration bench: explicit aberrations.coefficients, no basis_diameter, "
                         "no [[optics.layers]] only")
    s = cfg.get("source", {})
    if s.get("type") != "points" or "wavelengths_nm" in s or "weights" in s \
            or "star_weights" in s:
        raise ValueError("calibration bench: source.type = 'points' with band_nm/n_wavelengths only")
    layers = cfg.get("detector", {}).get("layers", [])
    if [L["type"] for L in layers] != ["pixel_response"]:
        raise ValueError("calibration bench: exactly one detector layer, pixel_response")
    lk = cfg.get("likelihood", {})
    if lk.get("kind", "poisson_gaussian") != "poisson_gaussian":
        raise ValueError("calibration bench: likelihood.kind = 'poisson_gaussian' only")
    for e in cfg.get("exposures", []):
        extra = set(e) - {"name", "data", "dither", "diversity_noll", "diversity_coefficients"}
        if extra:
            raise ValueError(f"calibration bench: exposure keys {sorted(extra)} not supported")
    if set(cfg.get("priors", {})) != PRIOR_PATHS:
        raise ValueError(f"calibration bench: priors must be exactly {sorted(PRIOR_PATHS)}")
    p = cfg["priors"]
    want = {"detector.pixel_response.map": ("normal", None),
            "optics.aperture.coefficients": ("normal", "nm"),
            "source.positions": ("normal", "arcsec"), "source.fluxes": ("log_normal", None)}
    for path, (dist, unit) in want.items():
        if p[path]["dist"] != dist or p[path].get("unit") != unit or "unit_scale" in p[path]:
            raise ValueError(f"calibration bench: prior {path} must be {dist} in {unit}")


def wavelengths_m(cfg):
    s = cfg["source"]
    lo, hi = s["band_nm"]
    return 1e-9 * onp.linspace(lo, hi, int(s.get("n_wavelengths", 1)))


def exposures(cfg):
    """[(name, dither_arcsec (2,), diversity ((noll...), (coeff...)))], in file order."""
    out = []
    for k, e in enumerate(cfg.get("exposures", [{}])):
        d = tuple(float(v) for v in e.get("dither", [0.0, 0.0]))
        div = (tuple(int(j) for j in e.get("diversity_noll", [])),
               tuple(float(c) for c in e.get("diversity_coefficients", [])))
        out.append((e.get("name", str(k)), d, div))
    return out


def config_values(cfg):
    """The configured parameter values, in dLux units: positions (K, 2) rad, fluxes (K,)
    photons, coefficients (J,) m, flat (n, n) (the layer's FITS file, or ones)."""
    s = cfg["source"]
    pos = onp.stack([onp.asarray(s["positions_x"], float), onp.asarray(s["positions_y"], float)], 1)
    flux = 10.0 ** onp.asarray(s["log_fluxes"], float)
    coeffs = onp.asarray(cfg["optics"]["aberrations"]["coefficients"], float)
    n = int(cfg["optics"]["psf_npix"]) * int(cfg["optics"].get("oversample", 1))
    layer = cfg["detector"]["layers"][0]
    flat = read_fits(os.path.join(cfg["_dir"], layer["file"])) if "file" in layer else onp.ones((n, n))
    return {"position": pos * ARCSEC, "flux": flux, "coefficients": coeffs, "flat": flat}


# ----------------------------------------------------------------------------- model
class Calibration:
    """The dLux instruments of the config's exposures; `images(params)` is (E, n, n)."""

    def __init__(self, cfg, dtype):
        o = cfg["optics"]
        npix, D = int(o["npix"]), float(o.get("diameter", 1.0))
        T = jnp.asarray(build_transmission(cfg), dtype)
        coords = dlu.pixel_coords(npix, D)
        noll = [int(j) for j in o["aberrations"]["noll"]]
        basis = jnp.asarray(onp.array([onp.asarray(dlu.zernike(j, coords, D)) for j in noll]), dtype)
        v = config_values(cfg)
        aperture = dl.layers.BasisOptic(basis, T, jnp.asarray(v["coefficients"], dtype),
                                        normalise=True)
        src = dl.PointSources(wavelengths=jnp.asarray(wavelengths_m(cfg), dtype),
                              position=jnp.asarray(v["position"], dtype),
                              flux=jnp.asarray(v["flux"], dtype))
        det = dl.LayeredDetector([("flat", dl.layers.ApplyPixelResponse(
            jnp.asarray(v["flat"], dtype)))])
        self.names, self.groups, order = [], [], []
        by_div = {}
        for idx, (name, dither, div) in enumerate(exposures(cfg)):
            self.names.append(name)
            by_div.setdefault(div, []).append((idx, dither))
        for div, members in by_div.items():
            layers = [("aperture", aperture)]
            if div[0]:
                zs = [onp.asarray(dlu.zernike(j, coords, D)) for j in div[0]]
                opd = sum(c * z for c, z in zip(div[1], zs))
                layers.append(("diversity", dl.layers.Optic(opd=jnp.asarray(opd, dtype),
                                                            normalise=False)))
            optics = dl.AngularOpticalSystem(npix, D, layers, int(o["psf_npix"]),
                                             float(o["psf_pixel_scale"]),
                                             int(o.get("oversample", 1)))
            dithers = jnp.asarray(onp.array([d for _, d in members]) * ARCSEC, dtype)
            if len(members) > 1:
                self.groups.append((dl.Dither(dithers, optics, src, det), None))
            else:
                # One exposure: a dl.Telescope with the dither added to the positions, which
                # is what Dither.model does per dither. A one-dither dl.Dither (a vmap over an
                # axis of 1) jitted forward-only in float32 renders a wrong image on XLA CPU
                # (JAX 0.10.2: 2.6x the peak off; float64, eager, grad and 4 dithers are fine).
                self.groups.append((dl.Telescope(optics, src, det), dithers[0]))
            order += [i for i, _ in members]
        self.order = onp.argsort(onp.array(order))  # stacked groups -> file order

    @staticmethod
    def _set(inst, p):
        return eqx.tree_at(
            lambda t: (t.source.position, t.source.flux,
                       t.optics.layers["aperture"].coefficients,
                       t.detector.layers["flat"].pixel_response),
            inst, (p["position"], p["flux"], p["coefficients"], p["flat"]))

    def images(self, p):
        out = []
        for inst, dither in self.groups:
            inst = self._set(inst, p)
            out.append(inst.model() if dither is None else
                       inst.add("source.position", dither).model()[None])
        return jnp.concatenate(out, 0)[self.order]


# ----------------------------------------------------------------------------- posterior
def make_objective(cfg, model):
    """-log p(u) of airy (module docstring) as a function of (params in dLux units, data)."""
    pr = cfg["priors"]
    sigma2 = float(cfg["likelihood"].get("sigma", 3.0)) ** 2

    def normal(x, loc, scale):
        return -0.5 * jnp.square((x - loc) / scale) - math.log(scale) - HALF_LOG_2PI

    ff, zc = pr["detector.pixel_response.map"], pr["optics.aperture.coefficients"]
    ps, fl = pr["source.positions"], pr["source.fluxes"]

    def neg_log_posterior(p, data):
        mu = model.images(p)
        v = jnp.where(mu > 0, mu, 0.0) + sigma2
        r = data - mu
        log_like = jnp.sum(-0.5 * r * r / v - 0.5 * jnp.log(v)) - data.size * HALF_LOG_2PI
        log_prior = (jnp.sum(normal(p["flat"], ff["loc"], ff["scale"]))
                     + jnp.sum(normal(p["coefficients"] * 1e9, zc["loc"], zc["scale"]))
                     + jnp.sum(normal(p["position"] / ARCSEC, ps["loc"], ps["scale"]))
                     + jnp.sum(normal(jnp.log(p["flux"]), fl["loc"], fl["scale"])))
        return -(log_like + log_prior)

    return neg_log_posterior


def load_data(cfg, kind="data"):
    """The exposures' images (E, n, n): `kind` = "data" (the exposure's data file) or "psf"
    (airy simulate's noise-free psf_<name>.fits next to it)."""
    out = []
    for e in cfg["exposures"]:
        path = os.path.join(cfg["_dir"], e["data"])
        if kind == "psf":
            path = os.path.join(os.path.dirname(path), "psf_" + e["name"] + ".fits")
        out.append(read_fits(path))
    return onp.stack(out)


def to_dtype(p, dtype):
    return {k: jnp.asarray(v, dtype) for k, v in p.items()}
