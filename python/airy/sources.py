# SPDX-License-Identifier: BSD-3-Clause
"""Sources: dLux's PointSource and PointSources, and dLuxToliman's AlphaCen (airy's
BinarySource). Positions are given in radians as in dLux and stored by airy in arcsec: the
telescope parameter paths are source.x_position / source.y_position in arcsec."""
from __future__ import annotations

import numpy as np

from . import _core
from ._base import Base
from ._validate import as_array, as_float, as_int
from .utils import rad2arcsec

__all__ = ["Source", "PointSource", "PointSources", "BinarySource", "AlphaCen"]


class Source(Base):
    """Base of the sources."""

    def star_positions(self):
        """(S, 2) star positions (x, y) in rad and (S, L) photons per wavelength."""
        return self._ref.star_positions_and_amplitudes()


def _weights(weights, n, name="weights"):
    return np.ones(n) / n if weights is None else as_array(weights, name, shape=(n,))


class PointSource(Source):
    """dLux PointSource(wavelengths, position=(0, 0) rad, flux=1, weights=None); its telescope
    paths are source.x_position, source.y_position (arcsec), source.flux, source.weights."""

    _fields = ("wavelengths", "position", "flux", "weights")

    def __init__(self, wavelengths, position=(0.0, 0.0), flux=1.0, weights=None):
        wl = as_array(wavelengths, "wavelengths", ndim=1)
        super().__init__(wavelengths=wl, position=as_array(position, "position", shape=(2,)),
                         flux=as_float(flux, "flux", positive=True), weights=_weights(weights, wl.size))

    def _build(self):
        x, y = rad2arcsec(self._values["position"])
        return _core.make_point_source(self.wavelengths, self.weights, float(x), float(y), self.flux, False)


class PointSources(Source):
    """dLux PointSources(wavelengths, position (K, 2) rad, flux (K,), weights=None); paths
    source.positions (arcsec, (K, 2)), source.fluxes, source.weights.

    ``weights``: one spectrum shared by every star (L,), or one per star (K, L), row k star
    k's relative weights on the shared wavelength grid (each normalised to sum 1 in the model;
    the config's ``[source] type = "points"`` with ``weights = [[...], ...]``; dLux: a
    Telescope of K PointSource objects, each with its own Spectrum). The path source.weights
    then holds K * L values, row-major (star, wavelength)."""

    _fields = ("wavelengths", "position", "flux", "weights")

    def __init__(self, wavelengths, position, flux=None, weights=None):
        wl = as_array(wavelengths, "wavelengths", ndim=1)
        pos = as_array(position, "position", shape=(None, 2))
        f = np.ones(pos.shape[0]) if flux is None else as_array(flux, "flux", shape=(pos.shape[0],))
        k = pos.shape[0]
        if weights is not None and np.ndim(weights) == 1 and k > 1 and np.size(weights) == k * wl.size:
            weights = np.reshape(weights, (k, wl.size))  # the path's flat (star, wavelength) form
        if weights is not None and np.ndim(weights) == 2:
            w = as_array(weights, "weights", shape=(k, wl.size))
        else:
            w = _weights(weights, wl.size)
        super().__init__(wavelengths=wl, position=pos, flux=f, weights=w)

    def _build(self):
        pos = np.ascontiguousarray(rad2arcsec(self._values["position"]))
        w = self._values["weights"]
        if np.ndim(w) == 2:
            return _core.make_point_sources_per_star(self.wavelengths, np.ascontiguousarray(w), pos, self.flux)
        return _core.make_point_sources(self.wavelengths, w, pos, self.flux)


class BinarySource(Source):
    """Two stars with the AlphaCen parametrisation: mid-point (x_position, y_position) arcsec,
    separation arcsec, position_angle deg (0 = +y, 90 = +x), log_flux (log10 total photons),
    contrast F_A / F_B; wavelengths in metres, weights (2, L) or (L,) relative."""

    _fields = ("wavelengths", "x_position", "y_position", "separation", "position_angle",
               "log_flux", "contrast", "weights")

    def __init__(self, wavelengths, separation=10.0, position_angle=90.0, x_position=0.0,
                 y_position=0.0, log_flux=6.979, contrast=3.37, weights=None):
        wl = as_array(wavelengths, "wavelengths", ndim=1)
        if weights is None:
            w = np.ones((2, wl.size)) / wl.size
        else:
            w = as_array(weights, "weights")
            if w.shape == (wl.size,):
                w = np.stack([w, w])
            if w.shape != (2, wl.size):
                raise _core.InvalidArgument(f"weights: expected shape (2, {wl.size}) or ({wl.size},), got {w.shape}")
        super().__init__(wavelengths=wl, separation=as_float(separation, "separation"),
                         position_angle=as_float(position_angle, "position_angle"),
                         x_position=as_float(x_position, "x_position"),
                         y_position=as_float(y_position, "y_position"),
                         log_flux=as_float(log_flux, "log_flux"),
                         contrast=as_float(contrast, "contrast", positive=True), weights=w)

    def _build(self):
        v = self._values
        return _core.make_binary_source(v["wavelengths"], np.ascontiguousarray(v["weights"][0]),
                                        np.ascontiguousarray(v["weights"][1]), v["x_position"],
                                        v["y_position"], v["separation"], v["position_angle"],
                                        v["log_flux"], v["contrast"])


class AlphaCen(BinarySource):
    """dLuxToliman 0.5.1's AlphaCen(n_wavels=5, separation=10.0, position_angle=90,
    x_position=0.0, y_position=0.0, log_flux=6.979, contrast=3.37, bandpass=(530, 640) nm,
    weights=None): wavelengths linspace(bandpass, n_wavels) nm, uniform weights."""

    _fields = ("x_position", "y_position", "separation", "position_angle", "log_flux",
               "contrast", "weights", "n_wavels", "bandpass")

    def __init__(self, n_wavels=5, separation=10.0, position_angle=90.0, x_position=0.0,
                 y_position=0.0, log_flux=6.979, contrast=3.37, bandpass=(530.0, 640.0),
                 weights=None):
        n = as_int(n_wavels, "n_wavels", minimum=1)
        band = as_array(bandpass, "bandpass", shape=(2,))
        wl = 1e-9 * np.linspace(band[0], band[1], n)
        super().__init__(wl, separation, position_angle, x_position, y_position, log_flux,
                         contrast, weights)
        object.__setattr__(self, "_values", {**self._values, "n_wavels": n, "bandpass": band})

    def _rebuild(self, values):
        v = dict(values)
        v.pop("wavelengths", None)
        return AlphaCen(**v)
