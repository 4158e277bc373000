# SPDX-License-Identifier: BSD-3-Clause
"""dLux's ``dLux.utils`` vocabulary (``import airy.utils as dlu``): coordinates, shapes,
``combine``, Zernike polynomials and unit conversions, computed by airy's C++ core.

Arrays are float64 numpy, indexed (y, x); coordinates are (2, ny, nx) = (x map, y map) in
metres, as dLux's ``pixel_coords``.
"""
from __future__ import annotations

import math

import numpy as np

from . import _core
from ._validate import as_array, as_float, as_int

__all__ = [
    "pixel_coords", "nd_coords", "translate_coords", "rotate_coords", "compress_coords",
    "shear_coords", "cart2polar", "circle", "square", "rectangle", "reg_polygon", "spider",
    "annulus", "soft_circle", "soft_square", "soft_rectangle", "soft_reg_polygon",
    "soft_spider", "combine", "downsample", "zernike", "zernike_basis", "noll_indices",
    "arcsec2rad", "rad2arcsec", "deg2rad", "rad2deg",
]


def _coords(coords) -> np.ndarray:
    return as_array(coords, "coords", ndim=3, shape=(2, None, None))


def pixel_coords(npixels, diameter=None, *, radius=None, pixel_scale=None, polar=False):
    """Pixel-centre coordinates (2, n, n) spanning ``diameter`` m (dLux 0.15: exactly one of
    diameter, radius or pixel_scale); x_i = (i - (n-1)/2) d / n. ``polar`` returns (r, phi)."""
    n = as_int(npixels, "npixels", minimum=1)
    given = [v is not None for v in (diameter, radius, pixel_scale)]
    if sum(given) != 1:
        raise _core.InvalidArgument("pixel_coords: give exactly one of diameter, radius, pixel_scale")
    if diameter is not None:
        d = as_float(diameter, "diameter", positive=True)
    elif radius is not None:
        d = 2 * as_float(radius, "radius", positive=True)
    else:
        d = n * as_float(pixel_scale, "pixel_scale", positive=True)
    c = _core.pixel_coords(n, d)
    return _core.to_polar(c) if polar else c


def nd_coords(npixels, pixel_scales=1.0, offsets=0.0):
    """1-D pixel-centre axis (i - (n-1)/2) * pixel_scale - offset (dLux nd_coords, 1-D)."""
    n = as_int(npixels, "npixels", minimum=1)
    return _core.pixel_axis(n, as_float(pixel_scales, "pixel_scales", positive=True)) - as_float(offsets, "offsets")


def translate_coords(coords, translation):
    """coords - translation: a shape evaluated on the result moves by +translation."""
    t = as_array(translation, "translation", shape=(2,))
    return _core.translate(_coords(coords), float(t[0]), float(t[1]))


def rotate_coords(coords, rotation):
    """Coordinates rotated counter-clockwise by ``rotation`` rad (dLux rotate_coords)."""
    return _core.rotate(_coords(coords), as_float(rotation, "rotation"))


def compress_coords(coords, compress):
    """coords * compress (a shape shrinks by compress)."""
    c = as_array(compress, "compress", shape=(2,))
    return _core.compress(_coords(coords), float(c[0]), float(c[1]))


def shear_coords(coords, shear):
    """(x + s_x y, y + s_y x)."""
    s = as_array(shear, "shear", shape=(2,))
    return _core.shear(_coords(coords), float(s[0]), float(s[1]))


def cart2polar(coords):
    """(x, y) -> (hypot(x, y), arctan2(y, x))."""
    return _core.to_polar(_coords(coords))


def _mask(shape, coords, invert):
    return _core.hard_mask(shape.inverted() if invert else shape, _coords(coords))


def circle(coords, radius, invert=False):
    """1 where hypot(x, y) < radius (edges outside), 0 elsewhere; ``invert`` swaps."""
    return _mask(_core.Shape.circle(as_float(radius, "radius", positive=True)), coords, invert)


def annulus(coords, inner_radius, outer_radius, invert=False):
    """1 where inner_radius < r < outer_radius."""
    return _mask(_core.Shape.annulus(as_float(inner_radius, "inner_radius", nonnegative=True),
                                     as_float(outer_radius, "outer_radius", positive=True)), coords, invert)


def square(coords, width, invert=False):
    """1 inside the axis-aligned square of side ``width``."""
    return _mask(_core.Shape.square(as_float(width, "width", positive=True)), coords, invert)


def rectangle(coords, width, height, invert=False):
    """1 inside the rectangle ``width`` (x) by ``height`` (y)."""
    return _mask(_core.Shape.rectangle(as_float(width, "width", positive=True),
                                       as_float(height, "height", positive=True)), coords, invert)


def reg_polygon(coords, rmax, nsides, invert=False):
    """1 inside the regular polygon of circumradius ``rmax`` with a vertex on -x (dLux)."""
    return _mask(_core.Shape.regular_polygon(as_int(nsides, "nsides", minimum=3),
                                             as_float(rmax, "rmax", positive=True)), coords, invert)


def _angles(angles):
    return [float(a) for a in as_array(angles, "angles").ravel()]


def spider(coords, width, angles):
    """0 inside half-line arms of ``width`` m at ``angles`` deg (0 towards -y, clockwise),
    1 elsewhere (dLux spider)."""
    return _core.hard_mask(_core.Shape.spider(as_float(width, "width", positive=True), _angles(angles)),
                           _coords(coords))


def _soft(shape, coords, clip_dist, invert):
    """dLux soft_*: the signed distance clipped to +-clip_dist, rescaled to [0, 1] over the
    whole array ((d - min d) / (max d - min d)); with both clip limits present this is airy's
    soft_mask ramp. If max d == min d: d > 0 (dLux 0.15.1)."""
    c = _coords(coords)
    s = shape.inverted() if invert else shape
    clip = as_float(clip_dist, "clip_dist", positive=True)
    d = np.clip(-_core.signed_distance(s, c), -clip, clip)
    lo, hi = d.min(), d.max()
    if hi == lo:
        return (d > 0).astype(np.float64)
    if lo == -clip and hi == clip:
        return _core.soft_mask(s, c, clip)
    return (d - lo) / (hi - lo)


def soft_circle(coords, radius, clip_dist=0.1, invert=False):
    """Anti-aliased circle (dLux soft_circle)."""
    return _soft(_core.Shape.circle(as_float(radius, "radius", positive=True)), coords, clip_dist, invert)


def soft_square(coords, width, clip_dist=0.1, invert=False):
    """Anti-aliased square (dLux soft_square)."""
    return _soft(_core.Shape.square(as_float(width, "width", positive=True)), coords, clip_dist, invert)


def soft_rectangle(coords, width, height, clip_dist=0.1, invert=False):
    """Anti-aliased rectangle (dLux soft_rectangle)."""
    return _soft(_core.Shape.rectangle(as_float(width, "width", positive=True),
                                       as_float(height, "height", positive=True)), coords, clip_dist, invert)


def soft_reg_polygon(coords, rmax, nsides, clip_dist=0.1, invert=False):
    """Anti-aliased regular polygon (dLux soft_reg_polygon)."""
    return _soft(_core.Shape.regular_polygon(as_int(nsides, "nsides", minimum=3),
                                             as_float(rmax, "rmax", positive=True)), coords, clip_dist, invert)


def soft_spider(coords, width, angles, clip_dist=0.1, invert=False):
    """Anti-aliased spider (dLux soft_spider)."""
    return _soft(_core.Shape.spider(as_float(width, "width", positive=True), _angles(angles)),
                 coords, clip_dist, invert)


def combine(arrays, oversample=1, use_sum=False):
    """Product (or sum) of ``arrays``, then the mean over oversample x oversample blocks
    (dLux combine)."""
    arrs = [as_array(a, f"arrays[{i}]", ndim=2) for i, a in enumerate(arrays)]
    if not arrs:
        raise _core.InvalidArgument("combine: arrays: empty list")
    k = as_int(oversample, "oversample", minimum=1)
    if use_sum:
        total = np.sum(arrs, axis=0)
        return total if k == 1 else _core.downsample(np.ascontiguousarray(total), k, False)
    return _core.combine(arrs, k)


def downsample(array, n, mean=True):
    """Mean (or sum) over non-overlapping n x n blocks (dLux downsample)."""
    return _core.downsample(as_array(array, "array", ndim=2), as_int(n, "n", minimum=1), not mean)


def zernike(j, coords, diameter=2.0):
    """Noll Zernike j (RMS 1 on the disk of ``diameter`` m, 0 outside) on ``coords``. airy is
    finite at rho = 0 for every j (dLux gives NaN there for sin modes on odd grids)."""
    return _core.zernike(as_int(j, "j", minimum=1), _coords(coords), as_float(diameter, "diameter", positive=True))


def zernike_basis(js, coords, diameter=2.0):
    """Stack (k, ny, nx) of zernike(j) for j in ``js``."""
    noll = [as_int(j, "js", minimum=1) for j in np.ravel(js)]
    return _core.zernike_basis(noll, _coords(coords), as_float(diameter, "diameter", positive=True))


def noll_indices(j):
    """Noll index -> (n, m)."""
    return _core.noll_to_nm(as_int(j, "j", minimum=1))


def arcsec2rad(values):
    """arcsec -> rad."""
    return np.asarray(values) * (math.pi / 648000.0)


def rad2arcsec(values):
    """rad -> arcsec."""
    return np.asarray(values) / (math.pi / 648000.0)


def deg2rad(values):
    """deg -> rad."""
    return np.asarray(values) * (math.pi / 180.0)


def rad2deg(values):
    """rad -> deg."""
    return np.asarray(values) * (180.0 / math.pi)
