# SPDX-License-Identifier: BSD-3-Clause
"""dLux's optical systems: AngularOpticalSystem (arcsec pixels) and CartesianOpticalSystem
(a focal length and metre pixels): a pupil of wf_npixels over ``diameter`` m, keyed layers,
then an MFT to psf_npixels * oversample pixels."""
from __future__ import annotations

import numpy as np

from . import _core
from ._base import Base
from ._validate import as_array, as_float, as_int
from .layers import OpticalLayer

__all__ = ["AngularOpticalSystem", "CartesianOpticalSystem", "keyed_layers"]


def keyed_layers(layers, kind, name="layers") -> dict:
    """dLux's list2dictionary: a dict, or a list of layers and (key, layer) pairs; a bare
    layer's key is its class name. Duplicate keys raise (name them explicitly)."""
    if layers is None:
        return {}
    items = layers.items() if isinstance(layers, dict) else layers
    out = {}
    for i, item in enumerate(items):
        if isinstance(item, tuple):
            if len(item) != 2 or not isinstance(item[0], str):
                raise _core.InvalidArgument(f"{name}[{i}]: expected a layer or a (key, layer) pair")
            key, layer = item
        else:
            key, layer = type(item).__name__, item
        if not isinstance(layer, kind):
            raise TypeError(f"{name}[{i}] ('{key}'): expected a {kind.__name__}, got {type(layer).__name__}")
        if key in out:
            raise _core.InvalidArgument(f"{name}: duplicate key '{key}' (give (key, layer) pairs)")
        if "." in key:
            raise _core.InvalidArgument(f"{name}: key '{key}' must not contain '.'")
        out[key] = layer
    return out


class _OpticalSystem(Base):
    def _children(self):
        return self._values["layers"]

    def _with_child(self, key, child):
        layers = dict(self._values["layers"])
        layers[key] = child
        return self._rebuild({**self._values, "layers": layers})

    def get(self, path):
        # dLux paths may spell the container: "layers.aperture.coefficients".
        return super().get(path[len("layers."):] if path.startswith("layers.") else path)

    def _set_one(self, path, value):
        return super()._set_one(path[len("layers."):] if path.startswith("layers.") else path, value)

    def _layer_pairs(self):
        return [(k, l._ref) for k, l in self._values["layers"].items()]

    def psf(self, wavelengths, weights=None, position=(0.0, 0.0)):
        """Polychromatic PSF of one point source at ``position`` (rad), weights summing to 1."""
        wl = as_array(wavelengths, "wavelengths", ndim=1)
        w = np.full(wl.size, 1.0 / wl.size) if weights is None else as_array(weights, "weights", shape=(wl.size,))
        p = as_array(position, "position", shape=(2,))
        return self._ref.psf(wl, w, float(p[0]), float(p[1]))


class AngularOpticalSystem(_OpticalSystem):
    """dLux AngularOpticalSystem(wf_npixels, diameter, layers, psf_npixels, psf_pixel_scale
    [arcsec], oversample=1)."""

    _fields = ("wf_npixels", "diameter", "psf_npixels", "psf_pixel_scale", "oversample")

    def __init__(self, wf_npixels, diameter, layers, psf_npixels, psf_pixel_scale, oversample=1):
        super().__init__(
            wf_npixels=as_int(wf_npixels, "wf_npixels", minimum=1),
            diameter=as_float(diameter, "diameter", positive=True),
            layers=keyed_layers(layers, OpticalLayer),
            psf_npixels=as_int(psf_npixels, "psf_npixels", minimum=1),
            psf_pixel_scale=as_float(psf_pixel_scale, "psf_pixel_scale", positive=True),
            oversample=as_int(oversample, "oversample", minimum=1))

    def _build(self):
        v = self._values
        return _core.make_angular_system(v["wf_npixels"], v["diameter"], self._layer_pairs(),
                                         v["psf_npixels"], v["psf_pixel_scale"], v["oversample"])


class CartesianOpticalSystem(_OpticalSystem):
    """dLux CartesianOpticalSystem(wf_npixels, diameter, layers, focal_length, psf_npixels,
    psf_pixel_scale, oversample=1) with psf_pixel_scale in **metres** per pixel (dLux takes
    microns) and the focal length (m) actually used."""

    _fields = ("wf_npixels", "diameter", "focal_length", "psf_npixels", "psf_pixel_scale", "oversample")

    def __init__(self, wf_npixels, diameter, layers, focal_length, psf_npixels, psf_pixel_scale,
                 oversample=1):
        super().__init__(
            wf_npixels=as_int(wf_npixels, "wf_npixels", minimum=1),
            diameter=as_float(diameter, "diameter", positive=True),
            layers=keyed_layers(layers, OpticalLayer),
            focal_length=as_float(focal_length, "focal_length", positive=True),
            psf_npixels=as_int(psf_npixels, "psf_npixels", minimum=1),
            psf_pixel_scale=as_float(psf_pixel_scale, "psf_pixel_scale", positive=True),
            oversample=as_int(oversample, "oversample", minimum=1))

    def _build(self):
        v = self._values
        return _core.make_cartesian_system(v["wf_npixels"], v["diameter"], self._layer_pairs(),
                                           v["focal_length"], v["psf_npixels"], v["psf_pixel_scale"],
                                           v["oversample"])
