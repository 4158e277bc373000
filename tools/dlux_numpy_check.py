#!/usr/bin/env python3
"""Rebuild every tests/fixtures/dlux/*.toml image with plain numpy from the file alone,
following the recipe in tests/fixtures/dlux/README.md, and report the error.

This checks that the fixtures and the README are self-sufficient (no dLux needed): it is the
recipe the C++ code must implement. Needs numpy only (run with tools/.venv-dlux/bin/python).
Usage: tools/.venv-dlux/bin/python tools/dlux_numpy_check.py [fixture.toml ...]
"""
import glob
import math
import os
import sys
import tomllib

import numpy as np

ARCSEC = np.pi / (180.0 * 3600.0)
DEG = np.pi / 180.0


def pixel_coords(n, d):
    s = d / n
    x = (np.arange(n) - (n - 1) / 2) * s
    X, Y = np.meshgrid(x, x, indexing="xy")  # X varies along columns, Y along rows
    return X, Y


def rotate(X, Y, th):  # dlu.rotate_coords
    return math.cos(th) * X - math.sin(th) * Y, math.sin(th) * X + math.cos(th) * Y


def shape(s, X, Y):
    t = s["type"]
    if t == "circle":
        d = np.hypot(X, Y) - s["radius_m"]
        return (d > 0 if s["invert"] else d < 0).astype(float)
    if t == "spider":
        inside = np.zeros(X.shape, bool)
        for a in s["angles_deg"]:
            xr, yr = rotate(X, Y, a * DEG)
            inside |= np.maximum(np.abs(xr) - s["width_m"] / 2, yr) < 0
        return (~inside).astype(float)
    if t == "reg_polygon":
        n, r = s["nsides"], s["rmax_m"]
        ang = np.linspace(-np.pi, np.pi, n, endpoint=False)
        vx, vy = r * np.cos(ang), r * np.sin(ang)
        dists = []
        for i in range(n):
            j = (i + 1) % n
            dx, dy = vx[j] - vx[i], vy[j] - vy[i]
            m = np.inf if dx == 0 else dy / dx
            x0, y0 = vx[i], vy[i]
            if m == 0:
                d = -np.sign(y0) * (y0 - Y)
            elif m == np.inf:
                d = -np.sign(x0) * (x0 - X)
            else:
                d = -np.sign(y0 - m * x0) * (m * X - Y + y0 - m * x0) / math.sqrt(m * m + 1)
            dists.append(d)
        d = np.max(dists, axis=0)
        return (d > 0 if s["invert"] else d < 0).astype(float)
    if t == "soft_circle":
        d = -(np.hypot(X, Y) - s["radius_m"])
        if s["invert"]:
            d = -d
        c = s["clip_dist_m"]
        d = np.clip(d, -c, c)
        if d.max() == d.min():
            return (d > 0).astype(float)
        return (d - d.min()) / (d.max() - d.min())
    raise ValueError(t)


def transmission(cfg):
    n, D = cfg["pupil"]["npixels"], cfg["pupil"]["diameter_m"]
    ov = cfg["aperture"]["oversample"]
    X, Y = pixel_coords(n * ov, D)
    A = np.ones((n * ov, n * ov))
    for s in cfg["aperture"]["shapes"]:
        A = A * shape(s, X, Y)
    return A.reshape(n, ov, n, ov).mean(axis=(1, 3))


def noll_nm(j):
    n = math.ceil(-0.5 + math.sqrt(1 + 8 * j) / 2) - 1
    jmin = n * (n + 1) // 2 + 1
    shifts = (j - jmin + 1 - (n & 1)) // 2
    sign = 1 if j % 2 == 0 else -1
    return n, sign * ((n & 1) + 2 * shifts)


def zernike(j, X, Y, diameter):
    n, m = noll_nm(j)
    x, y = X / (diameter / 2), Y / (diameter / 2)
    rho, th = np.hypot(x, y), np.arctan2(y, x)
    am = abs(m)
    R = np.zeros_like(rho)
    for k in range((n - am) // 2 + 1):
        c = (-1) ** k * math.factorial(n - k) / (
            math.factorial(k) * math.factorial((n + am) // 2 - k) * math.factorial((n - am) // 2 - k))
        R += c * rho ** (n - 2 * k)
    norm = math.sqrt(n + 1) * (math.sqrt(2) if m != 0 else 1.0)
    A = np.cos(am * th) if m >= 0 else np.sin(am * th)
    return np.where(rho <= 1, R * norm * A, 0.0)


def mft_matrix(n_in, d_in, n_out, d_out, lam):
    u = (np.arange(n_in) - (n_in - 1) / 2) / n_in                      # pupil, units of D
    v = (np.arange(n_out) - (n_out - 1) / 2) * d_out * n_in * d_in / lam  # focal, units of lambda/D
    return np.exp(-2j * np.pi * np.outer(u, v))                          # 0.15+: minus sign


def psf(cfg, amp, opd, pos_rad, lam):
    n, D = cfg["pupil"]["npixels"], cfg["pupil"]["diameter_m"]
    o = cfg["optics"]
    n_out = o["psf_npixels"] * o["oversample"]
    d_out = o["psf_pixel_scale_arcsec"] / o["oversample"] * ARCSEC
    X, Y = pixel_coords(n, D)
    tilt = pos_rad[0] * X + pos_rad[1] * Y                              # 0.15+: plus sign
    E = amp * np.exp(1j * 2 * np.pi / lam * (opd + tilt))
    M = mft_matrix(n, D / n, n_out, d_out, lam)
    F = M.T @ E @ M * (D / n) * d_out / lam
    return np.abs(F) ** 2


def model(cfg, dither_arcsec=(0.0, 0.0)):
    n, D = cfg["pupil"]["npixels"], cfg["pupil"]["diameter_m"]
    T = transmission(cfg)
    amp = T / math.sqrt(np.sum(T * T))
    X, Y = pixel_coords(n, D)
    z = cfg["zernike"]
    opd = np.zeros((n, n))
    for j, c in zip(z["noll"], z["coefficients_m"]):
        opd += c * zernike(j, X, Y, z["basis_diameter_m"])
    if "optic_layer" in cfg:  # dl.layers.Optic: x transmission, + opd, optional normalise
        ol = cfg["optic_layer"]
        if "transmission" in ol:
            amp = amp * np.array(ol["transmission"], dtype=np.float64)
        if "opd_m" in ol:
            opd = opd + np.array(ol["opd_m"], dtype=np.float64)
        if ol["normalise"]:
            amp = amp / math.sqrt(np.sum(amp * amp))
    s = cfg["source"]
    stars = []  # (position rad (2,), flux, wavelengths, normalised weights)
    if s["type"] == "AlphaCen":
        r = s["separation_arcsec"] / 2
        phi = s["position_angle_deg"] * DEG
        sep = np.array([r * math.sin(phi), r * math.cos(phi)])
        p = np.array([s["x_position_arcsec"], s["y_position_arcsec"]])
        F = 10.0 ** s["log_flux"]
        c = s["contrast"]
        lams = 1e-9 * np.linspace(s["bandpass_nm"][0], s["bandpass_nm"][1], s["n_wavels"])
        w = np.array(s["weights"], float)
        w = w / w.sum(1, keepdims=True)
        stars.append(((p + sep) * ARCSEC, F * c / (1 + c), lams, w[0]))
        stars.append(((p - sep) * ARCSEC, F / (1 + c), lams, w[1]))
    elif s["type"] == "Scene":  # PointSource objects, each with its own Spectrum
        for pos, flux, w in zip(s["positions_arcsec"], s["fluxes"], s["weights"]):
            w = np.array(w, float)
            stars.append((np.array(pos) * ARCSEC, flux, np.array(s["wavelengths_m"]), w / w.sum()))
    elif s["type"] == "PointSources":
        w = np.array(s["weights"], float)
        for pos, flux in zip(s["positions_arcsec"], s["fluxes"]):
            stars.append((np.array(pos) * ARCSEC, flux, np.array(s["wavelengths_m"]), w / w.sum()))
    else:
        w = np.array(s["weights"], float)
        stars.append((np.array(s["position_arcsec"]) * ARCSEC, s["flux"],
                      np.array(s["wavelengths_m"]), w / w.sum()))
    # dLux Dither: the dither (rad) is added to every star's position.
    stars = [(pos + np.array(dither_arcsec) * ARCSEC, f, l, w) for pos, f, l, w in stars]
    img = 0.0
    for pos, flux, lams, w in stars:
        for lam, wl in zip(lams, w):
            img = img + flux * wl * psf(cfg, amp, opd, pos, lam)
    for L in cfg["detector"].get("layers", []):
        if L["type"] == "Downsample":
            k = L["kernel_size"]
            m = img.shape[0] // k
            img = img.reshape(m, k, m, k).sum(axis=(1, 3))
        elif L["type"] == "ApplyJitter":
            ks, ov, sig = L["kernel_size"], L["oversample"], L["sigma"]
            x = np.linspace(-5.0, 5.0, ks * ov)
            g = np.exp(-0.5 * (x / sig) ** 2) / (sig * math.sqrt(2 * np.pi))
            K = np.outer(g, g)
            K = K / K.sum()
            K = K.reshape(ks, ov, ks, ov).sum(axis=(1, 3))
            img = convolve_same(img, K)
        elif L["type"] == "AddConstant":
            img = img + L["value"]
        elif L["type"] == "ApplyPixelResponse":
            img = img * np.asarray(L["data"], dtype=np.float64)
        else:
            raise ValueError(L["type"])
    return img


def convolve_same(a, K):
    """scipy/jax convolve(a, K, mode='same') for an odd square kernel."""
    n, k = a.shape[0], K.shape[0]
    c = (k - 1) // 2
    pad = np.pad(a, c)
    out = np.zeros_like(a)
    Kf = K[::-1, ::-1]
    for i in range(k):
        for j in range(k):
            out += Kf[i, j] * pad[i:i + n, j:j + n]
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(root, "tests", "fixtures", "dlux", "*.toml")))
    worst = 0.0
    for fn in files:
        cfg = tomllib.load(open(fn, "rb"))
        if "loss_value" in cfg:  # gradient fixture: check the loss against the numpy image
            base = tomllib.load(open(os.path.join(os.path.dirname(fn), cfg["config"]), "rb"))
            loss = float(np.sum(model(base) * np.array(cfg["weights"]["data"])))
            err = abs(loss - cfg["loss_value"]) / abs(cfg["loss_value"])
            worst = max(worst, err)
            print("%-32s |numpy loss - dLux loss| / |loss| = %.3g" % (os.path.basename(fn), err))
            continue
        if "dither" in cfg:  # dither fixture: one image per offset, optional pixel response
            base = tomllib.load(open(os.path.join(os.path.dirname(fn), cfg["config"]), "rb"))
            flat = np.array(cfg["dither"]["pixel_response_map"]) if cfg["dither"][
                "pixel_response"] else 1.0
            for k, d in enumerate(cfg["dither"]["offsets_arcsec"]):
                ref = np.array(cfg["dither"]["images"][k])
                err = np.max(np.abs(model(base, d) * flat - ref)) / np.max(np.abs(ref))
                worst = max(worst, err)
            print("%-32s max|numpy - dLux| / max = %.3g (%d dithers)"
                  % (os.path.basename(fn), err, len(cfg["dither"]["images"])))
            continue
        ref = np.array(cfg["image"]["data"])
        img = model(cfg)
        err = np.max(np.abs(img - ref)) / np.max(np.abs(ref))
        worst = max(worst, err)
        print("%-32s max|numpy - dLux| / max = %.3g" % (os.path.basename(fn), err))
    print("worst %.3g" % worst)
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
