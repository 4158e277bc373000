#!/usr/bin/env python3
"""Write dLux reference images to tests/fixtures/dlux/<name>.toml (float64, CPU).

Run through tools/dlux_reference.sh (creates tools/.venv-dlux with pinned dLux 0.15.1,
dLuxToliman 0.5.1, jax CPU). Every configuration is a plain dict (CONFIGS below) that is both
what the model is built from and what is written to the fixture, so a fixture holds everything
needed to rebuild the image without reading this file. Schema: tests/fixtures/dlux/README.md.

Also writes grad_flagship.toml: jax.grad of sum(image * W) for a fixed weight image W with
respect to the 6 AlphaCen parameters and the 7 Zernike coefficients of the flagship.
"""
import math
import os
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as onp  # noqa: E402
import dLux as dl  # noqa: E402
import dLux.utils as dlu  # noqa: E402
import dLuxToliman as dlT  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Flagship Zernike coefficients (metres of OPD, Noll 4..10), explicit (tutorial scale ~1 nm).
FLAGSHIP_NOLL = [4, 5, 6, 7, 8, 9, 10]
FLAGSHIP_COEFFS = [1.5e-9, -0.8e-9, 1.1e-9, -2.0e-9, 0.6e-9, 1.7e-9, -1.2e-9]

CIRCLE_1M = [{"type": "circle", "radius_m": 0.5, "invert": False}]


def alpha_cen(sep=0.1, pa=90.0, x=0.0, y=0.0, log_flux=3.5, contrast=3.37, n_wavels=5,
              bandpass=(530.0, 640.0), weights=None):
    s = {"type": "AlphaCen", "x_position_arcsec": x, "y_position_arcsec": y,
         "separation_arcsec": sep, "position_angle_deg": pa, "log_flux": log_flux,
         "contrast": contrast, "n_wavels": n_wavels, "bandpass_nm": list(bandpass)}
    if weights is None:
        weights = [[1.0 / n_wavels] * n_wavels, [1.0 / n_wavels] * n_wavels]
    s["weights"] = weights
    return s


def point_source(x=0.0, y=0.0, flux=1.0, wavelengths_m=(585e-9,), weights=None):
    if weights is None:
        weights = [1.0] * len(wavelengths_m)
    return {"type": "PointSource", "position_arcsec": [x, y], "flux": flux,
            "wavelengths_m": list(wavelengths_m), "weights": list(weights)}


def point_sources(positions_arcsec, fluxes, wavelengths_m=(560e-9, 610e-9), weights=None):
    if weights is None:
        weights = [1.0] * len(wavelengths_m)
    return {"type": "PointSources", "positions_arcsec": [list(p) for p in positions_arcsec],
            "fluxes": list(fluxes), "wavelengths_m": list(wavelengths_m), "weights": list(weights)}


def point_source_list(positions_arcsec, fluxes, wavelengths_m, weights):
    """K dLux PointSource objects, each with its own Spectrum on one wavelength grid, modelled
    together as a Scene (dl.Telescope(optics, [(key, PointSource), ...]))."""
    return {"type": "Scene", "positions_arcsec": [list(p) for p in positions_arcsec],
            "fluxes": list(fluxes), "wavelengths_m": list(wavelengths_m),
            "weights": [list(w) for w in weights]}


THREE_STARS = point_sources([(0.05, -0.04), (-0.06, 0.02), (0.01, 0.07)], [900.0, 500.0, 250.0],
                            weights=[1.0, 2.0])


def config(name, description, *, npix=128, diameter=1.0, shapes=CIRCLE_1M, ap_oversample=5,
           noll=FLAGSHIP_NOLL, coeffs=FLAGSHIP_COEFFS, basis_diameter=None, psf_npix=16,
           psf_scale=0.03, oversample=1, source=None, detector=None, optic_layer=None):
    cfg = {
        "name": name, "description": description,
        "pupil": {"npixels": npix, "diameter_m": diameter},
        "aperture": {"oversample": ap_oversample, "shapes": shapes},
        "zernike": {"noll": list(noll), "coefficients_m": list(coeffs),
                    "basis_diameter_m": diameter if basis_diameter is None else basis_diameter},
        "optics": {"psf_npixels": psf_npix, "psf_pixel_scale_arcsec": psf_scale,
                   "oversample": oversample},
        "source": source if source is not None else alpha_cen(),
        "detector": detector or [],
    }
    if optic_layer is not None:
        cfg["optic_layer"] = optic_layer
    return cfg


CONFIGS = [
    config("flagship", "Tutorial flagship: 128 px pupil of 1 m, circle (combine oversample 5), "
           "Noll 4-10 explicit coefficients, 16 px PSF at 0.03 arcsec/px, AlphaCen log_flux 3.5 "
           "sep 0.1 PA 90 contrast 3.37 (5 wavelengths 530-640 nm, uniform)."),
    config("flagship_no_zernike", "Flagship without aberrations (TransmissiveLayer(T, normalise=True)).",
           noll=[], coeffs=[]),
    config("pupil_odd_127", "Odd pupil grid (127 px): centre pixel on the axis.", npix=127),
    config("pupil_even_64", "Small even pupil grid (64 px), 2x larger coefficients.", npix=64,
           coeffs=[2 * c for c in FLAGSHIP_COEFFS]),
    config("oversample_2", "Flagship optics with oversample 2: 32x32 output at 0.015 arcsec/px "
           "(not downsampled).", oversample=2),
    config("oversample_3", "Flagship optics with oversample 3: 48x48 output at 0.01 arcsec/px, "
           "source at sep 0.12 PA 60.", oversample=3, source=alpha_cen(sep=0.12, pa=60.0)),
    config("spiders_secondary", "Toliman-like pupil: circle r 0.5 x inverted circle r 0.128 x "
           "3 spider arms (width 0.02 m, angles 0/120/240 deg); single on-axis point source, "
           "32 px PSF.",
           shapes=[{"type": "circle", "radius_m": 0.5, "invert": False},
                   {"type": "circle", "radius_m": 0.128, "invert": True},
                   {"type": "spider", "width_m": 0.02, "angles_deg": [0.0, 120.0, 240.0]}],
           noll=[], coeffs=[], psf_npix=32, source=point_source(flux=1.0)),
    config("spiders_4arm", "Circle x 4 spider arms (width 0.03 m at 45/135/225/315 deg), "
           "defocus + astigmatism, binary.",
           shapes=[{"type": "circle", "radius_m": 0.5, "invert": False},
                   {"type": "spider", "width_m": 0.03, "angles_deg": [45.0, 135.0, 225.0, 315.0]}],
           noll=[4, 5, 6], coeffs=[20e-9, -10e-9, 15e-9], psf_npix=24,
           source=alpha_cen(sep=0.15, pa=30.0)),
    config("hexagon", "Regular hexagon reg_polygon(rmax 0.5, 6 sides): vertex on +-x, flat "
           "top/bottom; monochromatic on-axis point source, odd 17 px PSF (star on the centre pixel).",
           shapes=[{"type": "reg_polygon", "rmax_m": 0.5, "nsides": 6, "invert": False}],
           noll=[], coeffs=[], psf_npix=17, source=point_source(flux=100.0)),
    config("annulus", "Annulus: circle r 0.5 x inverted circle r 0.2; Noll 4-10 coefficients, "
           "AlphaCen default geometry.",
           shapes=[{"type": "circle", "radius_m": 0.5, "invert": False},
                   {"type": "circle", "radius_m": 0.2, "invert": True}]),
    config("defocus_large", "Large defocus (Noll 4 = 250 nm) plus spherical (Noll 11 = 40 nm), "
           "32 px PSF.", noll=[4, 11], coeffs=[250e-9, 40e-9], psf_npix=32,
           source=alpha_cen(sep=0.2, pa=90.0)),
    config("coma_trefoil_strong", "Strong odd aberrations (coma + trefoil 40 nm) to pin the "
           "0.15 Fourier/tilt sign convention (PSF of odd modes is point-reflected vs 0.14).",
           noll=[7, 8, 9, 10], coeffs=[40e-9, -25e-9, 30e-9, 15e-9], psf_npix=24,
           source=point_source(x=0.03, y=-0.015, flux=1000.0,
                               wavelengths_m=[550e-9, 600e-9], weights=[1.0, 1.0])),
    config("binary_sep005_pa30", "AlphaCen sep 0.05 arcsec PA 30 deg.",
           source=alpha_cen(sep=0.05, pa=30.0)),
    config("binary_sep02_pa200_offset", "AlphaCen sep 0.2 PA 200 deg, centre offset "
           "(x 0.03, y -0.02) arcsec, log_flux 4.0, contrast 2.0.", psf_npix=20,
           source=alpha_cen(sep=0.2, pa=200.0, x=0.03, y=-0.02, log_flux=4.0, contrast=2.0)),
    config("binary_sep03_pa315_c1", "AlphaCen sep 0.3 PA 315 deg (=-45), contrast 1, 3 "
           "wavelengths.", psf_npix=24,
           source=alpha_cen(sep=0.3, pa=315.0, contrast=1.0, n_wavels=3)),
    config("poly_weights", "AlphaCen with 7 wavelengths over 500-700 nm and non-uniform, "
           "different spectral weights per star (normalised per row by the model).",
           source=alpha_cen(sep=0.1, pa=120.0, n_wavels=7, bandpass=(500.0, 700.0),
                            weights=[[1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0],
                                     [4.0, 3.5, 3.0, 2.5, 2.0, 1.5, 1.0]])),
    config("detector_downsample_jitter", "Oversample 2 optics (32x32) then LayeredDetector "
           "[Downsample(2), ApplyJitter(sigma 0.8, kernel_size 9, oversample 3)] -> 16x16.",
           oversample=2, detector=[{"type": "Downsample", "kernel_size": 2},
                                   {"type": "ApplyJitter", "sigma": 0.8, "kernel_size": 9,
                                    "oversample": 3}]),
    config("detector_jitter_only", "No downsample: ApplyJitter(sigma 1.5, kernel_size 5, "
           "oversample 1) on the 16x16 flagship image, then AddConstant(2.0).",
           detector=[{"type": "ApplyJitter", "sigma": 1.5, "kernel_size": 5, "oversample": 1},
                     {"type": "AddConstant", "value": 2.0}]),
    config("point_source_poly", "Single PointSource off axis (0.02, -0.01) arcsec, flux 1000, "
           "3 wavelengths with weights 1:2:1, Noll 4-10.",
           source=point_source(x=0.02, y=-0.01, flux=1000.0,
                               wavelengths_m=[550e-9, 585e-9, 620e-9], weights=[1.0, 2.0, 1.0])),
    config("single_wavelength_band", "AlphaCen with n_wavels = 1 over the default 530-640 nm "
           "band: dLuxToliman's linspace gives the band's start (530 nm), not its centre.",
           source=alpha_cen(n_wavels=1)),
    config("pixel_response", "Flagship then LayeredDetector [ApplyPixelResponse(map)] with a "
           "smooth positive 16x16 map 1 + 0.2 sin(0.7 x + 0.3) cos(0.5 y) + 0.05 (x - y)/16.",
           detector=[{"type": "ApplyPixelResponse", "map": "smooth16"}]),
    config("point_sources", "dLux PointSources: 3 stars (0.05, -0.04), (-0.06, 0.02), "
           "(0.01, 0.07) arcsec, fluxes 900/500/250, 2 wavelengths 560/610 nm weights 1:2, "
           "Noll 4-10, 20 px PSF.", psf_npix=20, source=THREE_STARS),
    config("zernike_oversize", "Flagship with the Zernike basis on a 1.01 m disk over the 1 m "
           "pupil grid (dLuxToliman z_oversize = 1.01; dlu.circular_aperture zernike_oversize "
           "= 0.01): zernike(j, pixel_coords(128, 1.0), 1.01).", basis_diameter=1.01,
           coeffs=[10 * c for c in FLAGSHIP_COEFFS]),
    config("diffractive_pupil", "Toliman-like diffractive pupil: 64 px pupil of 1 m, circle r "
           "0.5 x inverted circle r 0.128 x 3 spiders (0.02 m, 0/120/240 deg), Noll 4-10 on a "
           "1.01 m basis, then dl.layers.Optic(transmission=map, opd=binary 3-arm spiral x "
           "292.5 nm (pi at 585 nm), normalise=False); AlphaCen sep 0.2 PA 30, 24 px PSF.",
           npix=64,
           shapes=[{"type": "circle", "radius_m": 0.5, "invert": False},
                   {"type": "circle", "radius_m": 0.128, "invert": True},
                   {"type": "spider", "width_m": 0.02, "angles_deg": [0.0, 120.0, 240.0]}],
           basis_diameter=1.01, psf_npix=24, source=alpha_cen(sep=0.2, pa=30.0),
           optic_layer={"name": "pupil", "normalise": False, "transmission": "ripple_pad",
                        "opd": "spiral_3arm"}),
    config("point_sources_spectra", "Three dLux PointSource objects with their own spectra "
           "(a Scene): (0.05, -0.04), (-0.06, 0.02), (0.01, 0.07) arcsec, fluxes 900/500/250, "
           "3 wavelengths 550/600/650 nm with weights 1:2:1, 4:1:0, 0.5:1:3; Noll 4-10, 20 px.",
           psf_npix=20,
           source=point_source_list([(0.05, -0.04), (-0.06, 0.02), (0.01, 0.07)],
                                    [900.0, 500.0, 250.0], [550e-9, 600e-9, 650e-9],
                                    [[1.0, 2.0, 1.0], [4.0, 1.0, 0.0], [0.5, 1.0, 3.0]])),
    config("soft_circle", "Differentiable soft-edged circle: dlu.soft_circle(pixel_coords(128, 1), "
           "0.5, clip_dist 0.01) (aperture oversample 1), Noll 4-10.",
           shapes=[{"type": "soft_circle", "radius_m": 0.5, "clip_dist_m": 0.01, "invert": False}],
           ap_oversample=1),
]


# ----------------------------------------------------------------------------- builders
def build_transmission(cfg):
    npix = cfg["pupil"]["npixels"]
    D = cfg["pupil"]["diameter_m"]
    ov = cfg["aperture"]["oversample"]
    coords = dlu.pixel_coords(npix * ov, D)
    arrays = []
    for s in cfg["aperture"]["shapes"]:
        t = s["type"]
        if t == "circle":
            arrays.append(dlu.circle(coords, s["radius_m"], invert=s["invert"]))
        elif t == "reg_polygon":
            arrays.append(dlu.reg_polygon(coords, s["rmax_m"], s["nsides"], invert=s["invert"]))
        elif t == "spider":
            arrays.append(dlu.spider(coords, s["width_m"], s["angles_deg"]))
        elif t == "soft_circle":
            arrays.append(dlu.soft_circle(coords, s["radius_m"], clip_dist=s["clip_dist_m"],
                                          invert=s["invert"]))
        else:
            raise ValueError(t)
    return dlu.combine(arrays, ov)


def build_basis(cfg):
    z = cfg["zernike"]
    if not z["noll"]:
        return None
    coords = dlu.pixel_coords(cfg["pupil"]["npixels"], cfg["pupil"]["diameter_m"])
    return jnp.array([dlu.zernike(j, coords, z["basis_diameter_m"]) for j in z["noll"]])


def build_optics(cfg, transmission, basis, coeffs):
    if basis is None:
        layer = dl.layers.TransmissiveLayer(transmission, normalise=True)
    else:
        layer = dl.layers.BasisOptic(basis, transmission, coeffs, normalise=True)
    layers = [("aperture", layer)]
    if "optic_layer" in cfg:
        ol = cfg["optic_layer"]
        n, D = cfg["pupil"]["npixels"], cfg["pupil"]["diameter_m"]
        t = jnp.array(pupil_map(ol["transmission"], n, D)) if ol.get("transmission") else None
        opd = jnp.array(pupil_map(ol["opd"], n, D)) if ol.get("opd") else None
        layers.append((ol["name"], dl.layers.Optic(transmission=t, opd=opd,
                                                   normalise=ol["normalise"])))
    o = cfg["optics"]
    return dl.AngularOpticalSystem(cfg["pupil"]["npixels"], cfg["pupil"]["diameter_m"],
                                   layers, o["psf_npixels"],
                                   o["psf_pixel_scale_arcsec"], o["oversample"])


def build_source(s, overrides=None):
    if s["type"] == "AlphaCen":
        kw = dict(n_wavels=s["n_wavels"], separation=s["separation_arcsec"],
                  position_angle=s["position_angle_deg"], x_position=s["x_position_arcsec"],
                  y_position=s["y_position_arcsec"], log_flux=s["log_flux"],
                  contrast=s["contrast"], bandpass=tuple(s["bandpass_nm"]),
                  weights=jnp.array(s["weights"]))
        if overrides:
            kw.update(overrides)
        return dlT.AlphaCen(**kw)
    if s["type"] == "PointSource":
        return dl.PointSource(wavelengths=jnp.array(s["wavelengths_m"]),
                              position=dlu.arcsec2rad(jnp.array(s["position_arcsec"])),
                              flux=s["flux"], weights=jnp.array(s["weights"]))
    if s["type"] == "PointSources":
        return dl.PointSources(wavelengths=jnp.array(s["wavelengths_m"]),
                               position=dlu.arcsec2rad(jnp.array(s["positions_arcsec"])),
                               flux=jnp.array(s["fluxes"]), weights=jnp.array(s["weights"]))
    if s["type"] == "Scene":
        return [("star%d" % k, dl.PointSource(wavelengths=jnp.array(s["wavelengths_m"]),
                                              position=dlu.arcsec2rad(jnp.array(p)), flux=f,
                                              weights=jnp.array(w)))
                for k, (p, f, w) in enumerate(zip(s["positions_arcsec"], s["fluxes"],
                                                  s["weights"]))]
    raise ValueError(s["type"])


def pupil_map(name, n, D):
    """Deterministic pupil maps (n x n, [y, x]) on pixel_coords(n, D), written into the
    fixture so that no formula is needed to rebuild them."""
    x = (onp.arange(n) - (n - 1) / 2) * D / n
    X, Y = onp.meshgrid(x, x)
    if name == "ripple_pad":
        # amplitude transmission in [0.8, 1] with an opaque square pad (0) off axis
        t = 0.9 + 0.1 * onp.cos(2 * onp.pi * X / 0.4) * onp.sin(2 * onp.pi * Y / 0.3)
        t[(onp.abs(X - 0.2) < 0.05) & (onp.abs(Y + 0.1) < 0.05)] = 0.0
        return t
    if name == "spiral_3arm":
        # binary 3-arm spiral, pi phase at 585 nm: opd = mask * 585e-9 / 2 m
        mask = onp.cos(3 * onp.arctan2(Y, X) + 2 * onp.pi * onp.hypot(X, Y) / 0.15) > 0
        return mask.astype(onp.float64) * 585e-9 / 2
    raise ValueError(name)


def build_detector(layers):
    if not layers:
        return None
    out = []
    for L in layers:
        if L["type"] == "Downsample":
            out.append(dl.layers.Downsample(L["kernel_size"]))
        elif L["type"] == "ApplyJitter":
            out.append(dl.layers.ApplyJitter(L["sigma"], kernel_size=L["kernel_size"],
                                             oversample=L["oversample"]))
        elif L["type"] == "AddConstant":
            out.append(dl.layers.AddConstant(L["value"]))
        elif L["type"] == "ApplyPixelResponse":
            out.append(dl.layers.ApplyPixelResponse(jnp.array(pixel_map(L["map"]))))
        else:
            raise ValueError(L["type"])
    return dl.LayeredDetector(out)


def pixel_map(name):
    """Deterministic positive pixel-response maps named in the configs."""
    if name == "smooth16":
        y, x = onp.mgrid[0:16, 0:16].astype(onp.float64)
        return 1.0 + 0.2 * onp.sin(0.7 * x + 0.3) * onp.cos(0.5 * y) + 0.05 * (x - y) / 16.0
    if name.startswith("smooth_"):
        n = int(name.split("_")[1])
        y, x = onp.mgrid[0:n, 0:n].astype(onp.float64)
        return 1.0 + 0.15 * onp.sin(0.9 * x + 0.2) * onp.cos(0.6 * y + 0.1) + 0.03 * (x - y) / n
    raise ValueError(name)


def build_telescope(cfg):
    T = build_transmission(cfg)
    B = build_basis(cfg)
    C = jnp.array(cfg["zernike"]["coefficients_m"]) if B is not None else None
    optics = build_optics(cfg, T, B, C)
    src = build_source(cfg["source"])
    det = build_detector(cfg["detector"])
    scene = src if isinstance(src, list) else ("source", src)
    tel = dl.Telescope(optics, scene, det) if det is not None else dl.Telescope(optics, scene)
    return tel, T, B, src, det


# ----------------------------------------------------------------------------- TOML output
def f(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def arr1(a):
    return "[" + ", ".join(f(v) for v in onp.asarray(a).reshape(-1)) + "]"


def arr2(a):
    a = onp.asarray(a)
    return "[\n" + "".join("  " + arr1(r) + ",\n" for r in a) + "]"


def ival(v):
    return str(int(v))


def header(name, description):
    return [
        "# dLux reference fixture, generated by tools/dlux_reference.sh -- do not edit.",
        "# Schema and formulas: tests/fixtures/dlux/README.md",
        'name = "%s"' % name,
        'description = "%s"' % description,
        'dlux_version = "%s"' % dl.__version__,
        'dluxtoliman_version = "%s"' % dlT.__version__,
        'jax_version = "%s"' % jax.__version__,
        "float64 = true  # jax_enable_x64, CPU",
        "",
    ]


def source_lines(s, src_obj):
    L = ["[source]", 'type = "%s"' % s["type"]]
    if s["type"] == "AlphaCen":
        for k in ["x_position_arcsec", "y_position_arcsec", "separation_arcsec",
                  "position_angle_deg", "log_flux", "contrast"]:
            L.append("%s = %s" % (k, f(s[k])))
        L.append("n_wavels = %d" % s["n_wavels"])
        L.append("bandpass_nm = %s  # wavelengths = linspace(bandpass[0], bandpass[1], n_wavels) nm"
                 % arr1(s["bandpass_nm"]))
        L.append("wavelengths_m = %s  # = 1e-9 * AlphaCen.wavelengths (stored in nm)"
                 % arr1(1e-9 * onp.asarray(src_obj.wavelengths)))
        L.append("weights = %s  # (2, n_wavels): row 0 = star A, row 1 = star B; the model "
                 "normalises each row to sum 1" % arr2(s["weights"]).replace("\n", "\n"))
        L.append("# derived, for checking:")
        L.append("star_positions_arcsec = %s  # [[xA, yA], [xB, yB]]"
                 % arr2(dlu.rad2arcsec(src_obj.xy_positions)))
        L.append("star_positions_rad = %s" % arr2(src_obj.xy_positions))
        L.append("star_fluxes = %s  # [F*c/(1+c), F/(1+c)], F = 10^log_flux"
                 % arr1(src_obj.raw_fluxes))
    elif s["type"] == "Scene":
        L.append("positions_arcsec = %s  # [[x, y] per star]" % arr2(s["positions_arcsec"]))
        L.append("fluxes = %s  # photons per star" % arr1(s["fluxes"]))
        L.append("wavelengths_m = %s  # shared by every star" % arr1(s["wavelengths_m"]))
        L.append("weights = %s  # (K, L): row k = star k's own Spectrum, normalised to sum 1 by "
                 "the model" % arr2(s["weights"]))
    elif s["type"] == "PointSources":
        L.append("positions_arcsec = %s  # [[x, y] per star]" % arr2(s["positions_arcsec"]))
        L.append("fluxes = %s  # photons per star" % arr1(s["fluxes"]))
        L.append("wavelengths_m = %s" % arr1(s["wavelengths_m"]))
        L.append("weights = %s  # normalised to sum 1 by the model (Spectrum)" % arr1(s["weights"]))
    else:
        L.append("position_arcsec = %s  # [x, y]" % arr1(s["position_arcsec"]))
        L.append("position_rad = %s  # dlu.arcsec2rad(position_arcsec)"
                 % arr1(dlu.arcsec2rad(jnp.array(s["position_arcsec"]))))
        L.append("flux = %s" % f(s["flux"]))
        L.append("wavelengths_m = %s" % arr1(s["wavelengths_m"]))
        L.append("weights = %s  # normalised to sum 1 by the model (Spectrum)" % arr1(s["weights"]))
    return L


def write_config(cfg, outdir):
    tel, T, B, src, det = build_telescope(cfg)
    optics_psf = tel.optics.model(tel.source)  # before the detector
    image = onp.asarray(tel.model(), dtype=onp.float64)
    assert onp.all(onp.isfinite(image)), cfg["name"]
    o = cfg["optics"]
    L = header(cfg["name"], cfg["description"])
    L += ["[pupil]",
          "npixels = %d  # wf_npixels" % cfg["pupil"]["npixels"],
          "diameter_m = %s" % f(cfg["pupil"]["diameter_m"]),
          "",
          "[aperture]",
          "oversample = %d  # shapes on pixel_coords(npixels*oversample, diameter_m), product, "
          "then mean over oversample x oversample blocks (dlu.combine)" % cfg["aperture"]["oversample"],
          "normalise = true  # amplitude = T / sqrt(sum T^2)",
          "transmission_sum = %s  # sum of T (npixels x npixels), for checking" % f(jnp.sum(T)),
          "transmission_sum_sq = %s" % f(jnp.sum(T * T)),
          ""]
    for s in cfg["aperture"]["shapes"]:
        L.append("[[aperture.shapes]]")
        for k, v in s.items():
            if isinstance(v, str):
                L.append('%s = "%s"' % (k, v))
            elif isinstance(v, bool):
                L.append("%s = %s" % (k, "true" if v else "false"))
            elif isinstance(v, int):
                L.append("%s = %d" % (k, v))
            elif isinstance(v, list):
                L.append("%s = %s" % (k, arr1(v)))
            else:
                L.append("%s = %s" % (k, f(v)))
        L.append("")
    z = cfg["zernike"]
    L += ["[zernike]",
          "noll = [%s]" % ", ".join(str(j) for j in z["noll"]),
          "coefficients_m = %s  # OPD metres per mode (RMS-normalised Noll Zernikes)"
          % arr1(z["coefficients_m"]),
          "basis_diameter_m = %s  # zernike(j, pixel_coords(npixels, diameter_m), basis_diameter_m)"
          % f(z["basis_diameter_m"]),
          ""]
    if "optic_layer" in cfg:
        ol = cfg["optic_layer"]
        n, D = cfg["pupil"]["npixels"], cfg["pupil"]["diameter_m"]
        L += ["[optic_layer]  # dl.layers.Optic(transmission, opd, normalise) after the aperture",
              'name = "%s"' % ol["name"],
              "normalise = %s" % ("true" if ol["normalise"] else "false")]
        if ol.get("transmission"):
            L.append("transmission = %s  # [row][col] = [y][x], amplitude (multiplies the field)"
                     % arr2(pupil_map(ol["transmission"], n, D)))
        if ol.get("opd"):
            L.append("opd_m = %s  # [row][col] = [y][x], metres: phase += 2 pi / lambda * opd"
                     % arr2(pupil_map(ol["opd"], n, D)))
        L.append("")
    L += ["[optics]",
          'type = "AngularOpticalSystem"',
          "psf_npixels = %d" % o["psf_npixels"],
          "psf_pixel_scale_arcsec = %s  # detector pixel; the MFT pixel is this / oversample"
          % f(o["psf_pixel_scale_arcsec"]),
          "oversample = %d" % o["oversample"],
          "mft_npixels = %d  # psf_npixels * oversample" % (o["psf_npixels"] * o["oversample"]),
          "mft_pixel_scale_rad = %s  # arcsec2rad(psf_pixel_scale_arcsec / oversample)"
          % f(dlu.arcsec2rad(o["psf_pixel_scale_arcsec"] / o["oversample"])),
          ""]
    L += source_lines(cfg["source"], src)
    L.append("")
    L.append("[detector]")
    L.append("enabled = %s" % ("true" if cfg["detector"] else "false"))
    if cfg["detector"]:
        L.append("optics_image_sum = %s  # sum of the optics output before the detector"
                 % f(jnp.sum(optics_psf)))
    L.append("")
    for lay, obj in zip(cfg["detector"], det.layers.values() if det is not None else []):
        L.append("[[detector.layers]]")
        for k, v in lay.items():
            L.append('%s = %s' % (k, '"%s"' % v if isinstance(v, str) else
                                  (str(v) if isinstance(v, int) else f(v))))
        if lay["type"] == "ApplyPixelResponse":
            L.append("data = %s  # the map (row = y, col = x), multiplied into the image"
                     % arr2(pixel_map(lay["map"])))
        if lay["type"] == "ApplyJitter":
            L.append("kernel = %s  # the layer's normalised kernel (ApplyJitter.kernel), "
                     "convolved with mode 'same'" % arr2(obj.kernel))
        L.append("")
    final_scale = o["psf_pixel_scale_arcsec"] / o["oversample"]
    for lay in cfg["detector"]:
        if lay["type"] == "Downsample":
            final_scale *= lay["kernel_size"]
    idx = onp.unravel_index(onp.argmax(image), image.shape)
    L += ["[image]",
          "npixels = %d" % image.shape[0],
          "pixel_scale_arcsec = %s" % f(final_scale),
          "sum = %s" % f(image.sum()),
          "max = %s" % f(image.max()),
          "argmax = [%d, %d]  # [row, col] = [y, x]" % (idx[0], idx[1]),
          "# data[row][col], row = y index (increasing +y), col = x index (increasing +x)",
          "data = %s" % arr2(image)]
    path = os.path.join(outdir, cfg["name"] + ".toml")
    with open(path, "w") as fh:
        fh.write("\n".join(L) + "\n")
    return path, image


# ----------------------------------------------------------------------------- dither
DITHERS = [
    ("dither_point_sources", "point_sources", [(0.0, 0.0), (0.03, 0.0), (-0.015, 0.045)], False),
    ("dither_pixel_response", "point_sources", [(0.0, 0.0), (0.06, -0.03), (-0.09, 0.03)], True),
]


def write_dither(name, cfg, dithers_arcsec, flat, outdir):
    """dl.Dither(dithers, optics, source, detector): one image per dither, the dither (rad) added
    to source.position (every star). Stored as a stack images[k][row][col]."""
    cfg = dict(cfg)
    if flat:
        cfg["detector"] = [{"type": "ApplyPixelResponse", "map": "smooth_%d" % (
            cfg["optics"]["psf_npixels"] * cfg["optics"]["oversample"])}]
    tel, T, B, src, det = build_telescope(cfg)
    d = dlu.arcsec2rad(jnp.array(dithers_arcsec))
    inst = dl.Dither(d, tel.optics, src, det) if det is not None else dl.Dither(d, tel.optics, src)
    images = onp.asarray(inst.model(), dtype=onp.float64)
    assert images.shape[0] == len(dithers_arcsec)
    base = os.path.join(outdir, cfg["name"] + ".toml")
    L = header(name, "dl.Dither of the %s configuration%s by %s arcsec" % (
        cfg["name"], " with ApplyPixelResponse(%s)" % cfg["detector"][0]["map"] if flat else "",
        dithers_arcsec))
    L += ['config = "%s.toml"  # optics and source: every input as in that file' % cfg["name"],
          "",
          "[dither]",
          "offsets_arcsec = %s  # (k, 2): added to source.position (rad) of every star"
          % arr2(dithers_arcsec),
          "pixel_response = %s" % ("true" if flat else "false")]
    if flat:
        L.append("pixel_response_map = %s" % arr2(pixel_map(cfg["detector"][0]["map"])))
    L += ["images = ["]
    for img in images:
        L.append(arr2(img) + ",")
    L.append("]")
    path = os.path.join(outdir, name + ".toml")
    with open(path, "w") as fh:
        fh.write("\n".join(L) + "\n")
    return path, images


# ----------------------------------------------------------------------------- gradient
PARAMS = ["x_position", "y_position", "separation", "position_angle", "log_flux", "contrast"]
PARAM_UNITS = ["arcsec", "arcsec", "arcsec", "deg", "log10 photons", "ratio"]


def write_grad(cfg, outdir, outname="grad_flagship"):
    T = build_transmission(cfg)
    B = build_basis(cfg)
    s = cfg["source"]
    rng = onp.random.default_rng(12345)
    n = cfg["optics"]["psf_npixels"] * cfg["optics"]["oversample"]
    W = rng.standard_normal((n, n))
    W = jnp.array(W)
    p0 = jnp.array([s["x_position_arcsec"], s["y_position_arcsec"], s["separation_arcsec"],
                    s["position_angle_deg"], s["log_flux"], s["contrast"]])
    c0 = jnp.array(cfg["zernike"]["coefficients_m"])
    jit_idx = [i for i, L in enumerate(cfg["detector"]) if L["type"] == "ApplyJitter"]
    sig0 = jnp.array(cfg["detector"][jit_idx[0]]["sigma"] if jit_idx else 0.0)
    n_out = n
    for L in cfg["detector"]:
        if L["type"] == "Downsample":
            n_out //= L["kernel_size"]
    if n_out != n:
        W = W[:n_out, :n_out]

    def loss(p, c, sig=sig0):
        optics = build_optics(cfg, T, B, c)
        src = build_source(s, dict(zip(PARAMS, [p[i] for i in range(6)])))
        layers = [dict(L) for L in cfg["detector"]]
        for i in jit_idx:
            layers[i]["sigma"] = sig
        det = build_detector(layers)
        tel = dl.Telescope(optics, ("source", src), det) if det is not None else \
            dl.Telescope(optics, ("source", src))
        return jnp.sum(tel.model() * W)

    val = loss(p0, c0)
    gp, gc, gs = jax.grad(loss, argnums=(0, 1, 2))(p0, c0, sig0)
    if jit_idx:
        hs = 1e-6
        fd_s = (loss(p0, c0, sig0 + hs) - loss(p0, c0, sig0 - hs)) / (2 * hs)
    # central finite differences (float64) as a self-check of the stored gradient
    fd_p = []
    for i in range(6):
        h = 1e-6 * max(1.0, abs(float(p0[i])))
        e = jnp.zeros(6).at[i].set(h)
        fd_p.append((loss(p0 + e, c0) - loss(p0 - e, c0)) / (2 * h))
    fd_c = []
    for i in range(len(c0)):
        h = 1e-12
        e = jnp.zeros(len(c0)).at[i].set(h)
        fd_c.append((loss(p0, c0 + e) - loss(p0, c0 - e)) / (2 * h))
    fd_p = onp.array(fd_p)
    fd_c = onp.array(fd_c)
    rel = max(onp.max(onp.abs(fd_p - onp.asarray(gp)) / (onp.abs(onp.asarray(gp)) + 1e-300)),
              onp.max(onp.abs(fd_c - onp.asarray(gc)) / (onp.abs(onp.asarray(gc)) + 1e-300)))
    if jit_idx:
        rel = max(rel, abs(float(fd_s) - float(gs)) / abs(float(gs)))
    L = header(outname, "jax.grad of L = sum(image * W) for the %s configuration "
               "(%s.toml) w.r.t. the 6 AlphaCen parameters, the Zernike coefficients%s."
               % (cfg["name"], cfg["name"], " and the ApplyJitter sigma" if jit_idx else ""))
    L += ['config = "%s.toml"  # the model: every input as in that file' % cfg["name"],
          'loss = "sum(image * W)"  # image = that file\'s [image] data',
          "loss_value = %s" % f(val),
          "fd_max_rel_err = %s  # max over all parameters of |fd - grad|/|grad|" % f(rel),
          "",
          "[source_gradient]  # dL/dparam, parameters in AlphaCen's native units",
          'names = ["%s"]' % '", "'.join(PARAMS),
          'units = ["%s"]' % '", "'.join(PARAM_UNITS),
          "values = %s  # parameter values (= the config file)" % arr1(p0),
          "grad = %s" % arr1(gp),
          "grad_fd = %s  # central finite differences, h = 1e-6*max(1,|p|)" % arr1(fd_p),
          "",
          "[zernike_gradient]  # dL/dcoefficient (per metre of OPD)",
          "noll = [%s]" % ", ".join(str(j) for j in cfg["zernike"]["noll"]),
          "values = %s" % arr1(c0),
          "grad = %s" % arr1(gc),
          "grad_fd = %s  # central finite differences, h = 1e-12 m" % arr1(fd_c),
          ""]
    if jit_idx:
        L += ["[detector_gradient]  # dL/dsigma of the ApplyJitter layer",
              "sigma = %s" % f(sig0),
              "grad = %s" % f(gs),
              "grad_fd = %s  # central finite differences, h = 1e-6" % f(fd_s),
              ""]
    L += ["[weights]  # W = numpy.random.default_rng(12345).standard_normal((m, m)) with m = "
          "psf_npixels*oversample, cropped to W[:k, :k] if the detector downsamples to k; W[row][col]",
          "data = %s" % arr2(W)]
    path = os.path.join(outdir, outname + ".toml")
    with open(path, "w") as fh:
        fh.write("\n".join(L) + "\n")
    return path, rel


def write_grad_optic(cfg, outdir, outname="grad_diffractive_pupil"):
    """jax.grad of sum(image * W) w.r.t. the Optic layer's transmission and opd maps (the
    sampled-map parameters optics.<name>.transmission / optics.<name>.opd of airy)."""
    tel, T, B, src, det = build_telescope(cfg)
    name = cfg["optic_layer"]["name"]
    rng = onp.random.default_rng(12345)
    n = cfg["optics"]["psf_npixels"] * cfg["optics"]["oversample"]
    W = jnp.array(rng.standard_normal((n, n)))
    t0 = tel.get(name + ".transmission")
    o0 = tel.get(name + ".opd")

    def loss(t, o):
        return jnp.sum(tel.set([name + ".transmission", name + ".opd"], [t, o]).model() * W)

    val = loss(t0, o0)
    gt, go = jax.grad(loss, argnums=(0, 1))(t0, o0)
    # central differences at a few pixels as a self-check of the stored gradient
    # pixels of rank 0, 100 and 1000 in |dL/dopd| (inside the pupil: a non-zero gradient)
    order = onp.argsort(-onp.abs(onp.asarray(go)).reshape(-1))
    picks = [tuple(int(i) for i in onp.unravel_index(order[k], go.shape)) for k in (0, 100, 1000)]
    rel = 0.0
    for (r, c) in picks:
        h = 1e-12
        e = jnp.zeros_like(o0).at[r, c].set(h)
        fd = (loss(t0, o0 + e) - loss(t0, o0 - e)) / (2 * h)
        rel = max(rel, abs(float(fd) - float(go[r, c])) / abs(float(go[r, c])))
        h = 1e-6
        e = jnp.zeros_like(t0).at[r, c].set(h)
        fd = (loss(t0 + e, o0) - loss(t0 - e, o0)) / (2 * h)
        rel = max(rel, abs(float(fd) - float(gt[r, c])) / abs(float(gt[r, c])))
    L = header(outname, "jax.grad of L = sum(image * W) for the %s configuration (%s.toml) "
               "w.r.t. the Optic layer's transmission and opd maps." % (cfg["name"], cfg["name"]))
    L += ['config = "%s.toml"  # the model: every input as in that file' % cfg["name"],
          'loss = "sum(image * W)"',
          "loss_value = %s" % f(val),
          "fd_max_rel_err = %s  # central differences at pixels %s (h = 1e-12 m / 1e-6)"
          % (f(rel), picks),
          "",
          "[optic_gradient]  # dL/d map, [row][col] = [y][x]",
          'layer = "%s"' % name,
          "transmission = %s" % arr2(gt),
          "opd = %s  # per metre of OPD" % arr2(go),
          "",
          "[weights]  # W = numpy.random.default_rng(12345).standard_normal((m, m)), m = "
          "psf_npixels*oversample; W[row][col]",
          "data = %s" % arr2(W)]
    path = os.path.join(outdir, outname + ".toml")
    with open(path, "w") as fh:
        fh.write("\n".join(L) + "\n")
    return path, rel


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "fixtures", "dlux")
    os.makedirs(outdir, exist_ok=True)
    only = set(sys.argv[2:])
    for cfg in CONFIGS:
        if only and cfg["name"] not in only:
            continue
        path, img = write_config(cfg, outdir)
        print("wrote %-60s sum %.9g max %.9g" % (os.path.relpath(path, ROOT), img.sum(), img.max()))
    grads = [("grad_flagship", "flagship"), ("grad_detector_jitter", "detector_downsample_jitter")]
    by_name = {c["name"]: c for c in CONFIGS}
    for name, cname, dithers, flat in DITHERS:
        if not only or name in only:
            path, imgs = write_dither(name, by_name[cname], dithers, flat, outdir)
            print("wrote", os.path.relpath(path, ROOT), "images", imgs.shape)
    for outname, cname in grads:
        if not only or outname in only:
            path, rel = write_grad(by_name[cname], outdir, outname)
            print("wrote", os.path.relpath(path, ROOT), "fd max rel err %.3g" % rel)
    if not only or "grad_diffractive_pupil" in only:
        path, rel = write_grad_optic(by_name["diffractive_pupil"], outdir)
        print("wrote", os.path.relpath(path, ROOT), "fd max rel err %.3g" % rel)


if __name__ == "__main__":
    main()
