"""dLux + dLuxToliman forward model built from an airy TOML configuration.

Shared by numpyro_side.py (the NumPyro fit) and simulate_dlux.py (the fallback data set used
when airy's CLI is not available). Only the subset of airy's configuration used by the
benchmark configs is supported (angular optics, `oversample` soft edge, circle/spider/annulus
shapes, Zernike aberrations, a binary source, the poisson_gaussian/gaussian/poisson
likelihoods); anything else raises, so the two sides can never silently differ.

Import this module only after JAX precision has been configured.
"""
import tomllib

import numpy as onp
import jax.numpy as jnp
import dLux as dl
import dLux.utils as dlu
import dLuxToliman as dlT

STELLAR = ["x_position", "y_position", "separation", "position_angle", "log_flux", "contrast"]

# Sampling unit -> the path's own unit (metres for lengths, arcsec for sky angles, deg for PA).
UNIT_SCALE = {"nm": 1e-9, "um": 1e-6, "mm": 1e-3, "m": 1.0, "mas": 1e-3, "arcsec": 1.0,
              "deg": 1.0}


def load_config(path):
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def true_coefficients_m(cfg):
    """Explicit coefficients if present, else rms x N(0,1) from numpy (NOT airy's Philox
    stream: only for the fallback data set; airy's truth.toml is used when airy simulates)."""
    ab = cfg.get("optics", {}).get("aberrations", {})
    noll = ab.get("noll", [])
    if not noll:
        return []
    if "coefficients" in ab:
        return [float(c) for c in ab["coefficients"]]
    rms = float(ab.get("coefficients_rms", 0.0))
    rng = onp.random.default_rng(int(ab.get("coefficients_seed", 0)))
    return list(rms * rng.standard_normal(len(noll)))


def check_supported(cfg):
    o = cfg.get("optics", {})
    if o.get("type", "angular") != "angular":
        raise ValueError("bench/compare supports optics.type = 'angular' only")
    ap = o.get("aperture", {})
    if ap.get("soft_edge", "oversample") != "oversample":
        raise ValueError("bench/compare supports aperture.soft_edge = 'oversample' only")
    if not ap.get("normalise", True):
        raise ValueError("bench/compare supports aperture.normalise = true only")
    if cfg.get("detector", {}).get("layers"):
        raise ValueError("bench/compare supports configs without detector layers only")
    s = cfg.get("source", {})
    if s.get("type", "binary") != "binary":
        raise ValueError("bench/compare supports source.type = 'binary' only")
    if "wavelengths_nm" in s or "weights" in s:
        raise ValueError("bench/compare supports band_nm/n_wavelengths spectra only")


def build_transmission(cfg):
    o = cfg.get("optics", {})
    npix, D = int(o.get("npix", 128)), float(o.get("diameter", 1.0))
    ap = o.get("aperture", {})
    ov = int(ap.get("edge_oversample", 5))
    coords = dlu.pixel_coords(ov * npix, D)
    shapes = ap.get("shapes") or [{"type": "circle", "radius": D / 2}]
    arrays = []
    for s in shapes:
        if s.get("centre_x", 0.0) or s.get("centre_y", 0.0) or s.get("rotation", 0.0):
            raise ValueError("shifted/rotated shapes are not supported here")
        t = s["type"]
        if t == "circle":
            arrays.append(dlu.circle(coords, s["radius"], invert=s.get("invert", False)))
        elif t == "annulus":
            arrays.append(dlu.circle(coords, s["radius"]) *
                          dlu.circle(coords, s["inner_radius"], invert=True))
        elif t == "spider":
            if s.get("invert", False):
                raise ValueError("inverted spider not supported")
            arrays.append(dlu.spider(coords, s["width"], list(s["angles"])))
        else:
            raise ValueError(f"shape {t!r} not supported by bench/compare")
    return dlu.combine(arrays, ov)


def build_telescope(cfg, coefficients_m=None, source_values=None):
    """The dLux telescope of the config. coefficients_m: initial OPD coefficients (metres)."""
    check_supported(cfg)
    o = cfg.get("optics", {})
    npix, D = int(o.get("npix", 128)), float(o.get("diameter", 1.0))
    T = build_transmission(cfg)
    noll = o.get("aberrations", {}).get("noll", [])
    if noll:
        coords = dlu.pixel_coords(npix, D)
        basis = jnp.array([dlu.zernike(int(j), coords, D) for j in noll])
        c = jnp.asarray(coefficients_m if coefficients_m is not None
                        else true_coefficients_m(cfg), dtype=basis.dtype)
        layer = dl.layers.BasisOptic(basis, T, c, normalise=True)
    else:
        layer = dl.layers.TransmissiveLayer(T, normalise=True)
    optics = dl.AngularOpticalSystem(npix, D, [("aperture", layer)], int(o.get("psf_npix", 16)),
                                     float(o.get("psf_pixel_scale", 0.03)),
                                     int(o.get("oversample", 1)))
    s = cfg.get("source", {})
    kw = dict(x_position=s.get("x_position", 0.0), y_position=s.get("y_position", 0.0),
              separation=s.get("separation", 0.1), position_angle=s.get("position_angle", 90.0),
              log_flux=s.get("log_flux", 3.5), contrast=s.get("contrast", 3.37))
    if source_values:
        kw.update(source_values)
    src = dlT.AlphaCen(n_wavels=int(s.get("n_wavelengths", 5)),
                       bandpass=tuple(s.get("band_nm", [530.0, 640.0])),
                       **{k: float(v) for k, v in kw.items()})
    return dl.Telescope(optics, ("source", src))


def priors(cfg):
    """[(site name, path, prior table, unit scale)] in file order."""
    out = []
    for path, p in cfg.get("priors", {}).items():
        name = path.split(".")[-1]
        if path.startswith("source."):
            if name not in STELLAR:
                raise ValueError(f"prior path {path} not supported")
        elif path != "optics.aperture.coefficients":
            raise ValueError(f"prior path {path} not supported")
        if "unit_scale" in p:
            scale = float(p["unit_scale"])
        else:
            scale = UNIT_SCALE[p["unit"]] if "unit" in p else 1.0
        out.append((name, path, p, scale))
    return out


def likelihood(cfg):
    lk = cfg.get("likelihood", {})
    return lk.get("kind", "poisson_gaussian"), float(lk.get("sigma", 3.0))
