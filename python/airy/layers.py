# SPDX-License-Identifier: BSD-3-Clause
"""dLux's ``dLux.layers`` vocabulary: optical layers (TransmissiveLayer, Optic, BasisOptic,
Tilt, Normalise, Flip, Resize, Rotate) and detector layers (Downsample, ApplyJitter,
ApplyPixelResponse, AddConstant, ApplySaturation, plus airy's GaussianJitter). Each is an
immutable airy C++ layer; parameters are read with ``.get`` and replaced with ``.set``."""
from __future__ import annotations

import numpy as np

from . import _core
from ._base import Base
from ._validate import as_array, as_float, as_int

__all__ = [
    "OpticalLayer", "TransmissiveLayer", "Optic", "BasisOptic", "Tilt", "Normalise", "Flip",
    "Resize", "Rotate", "DetectorLayer", "Downsample", "ApplyJitter", "GaussianJitter",
    "ApplyPixelResponse", "AddConstant", "ApplySaturation",
]


class OpticalLayer(Base):
    """Base of the optical layers (a pupil-plane map on the wavefront)."""


class TransmissiveLayer(OpticalLayer):
    """out = normalise?(in * transmission); transmission (n, n)."""

    _fields = ("transmission", "normalise")

    def __init__(self, transmission, normalise=False):
        super().__init__(transmission=as_array(transmission, "transmission", ndim=2),
                         normalise=bool(normalise))

    def _build(self):
        return _core.make_transmissive(self.transmission, self.normalise)


class Optic(OpticalLayer):
    """out = normalise?(in * transmission * exp(i 2 pi / lambda * opd)); either array may be
    None (dLux's ``phase`` argument is not supported: give an OPD in metres)."""

    _fields = ("transmission", "opd", "normalise")

    def __init__(self, transmission=None, opd=None, normalise=False):
        t = None if transmission is None else as_array(transmission, "transmission", ndim=2)
        o = None if opd is None else as_array(opd, "opd", ndim=2)
        super().__init__(transmission=t, opd=o, normalise=bool(normalise))

    def _build(self):
        return _core.make_optic(self.transmission, self.opd, self.normalise)


class BasisOptic(OpticalLayer):
    """OPD = sum_j coefficients_j basis_j (metres), on an optional transmission (dLux
    BasisOptic(basis, transmission, coefficients, normalise)); basis (k, n, n)."""

    _fields = ("basis", "transmission", "coefficients", "normalise")

    def __init__(self, basis, transmission=None, coefficients=None, normalise=False, as_phase=False):
        if as_phase:
            raise _core.InvalidArgument("BasisOptic: as_phase=True is not supported (coefficients are OPD in metres)")
        b = as_array(basis, "basis", ndim=3)
        t = None if transmission is None else as_array(transmission, "transmission", ndim=2)
        c = np.zeros(b.shape[0]) if coefficients is None else as_array(coefficients, "coefficients", ndim=1)
        super().__init__(basis=b, transmission=t, coefficients=c, normalise=bool(normalise))

    def _build(self):
        return _core.make_basis_optic(self.basis, self.transmission,
                                      as_array(self._values["coefficients"], "coefficients", ndim=1),
                                      self.normalise)


class Tilt(OpticalLayer):
    """out = in * exp(i 2 pi / lambda (theta_x x + theta_y y)); angles (2,) rad (dLux 0.15)."""

    _fields = ("angles",)

    def __init__(self, angles):
        super().__init__(angles=as_array(angles, "angles", shape=(2,)))

    def _build(self):
        a = as_array(self._values["angles"], "angles", shape=(2,))
        return _core.make_tilt(float(a[0]), float(a[1]))


class Normalise(OpticalLayer):
    """out = in / ||in|| (unit power)."""

    def __init__(self):
        super().__init__()

    def _build(self):
        return _core.make_normalise()


class Flip(OpticalLayer):
    """Reverses axis 0 (y) or 1 (x)."""

    _fields = ("axes",)

    def __init__(self, axes):
        super().__init__(axes=as_int(axes, "axes", minimum=0))

    def _build(self):
        return _core.make_flip(self.axes)


class Resize(OpticalLayer):
    """Centred zero-pad or crop to npixels."""

    _fields = ("npixels",)

    def __init__(self, npixels):
        super().__init__(npixels=as_int(npixels, "npixels", minimum=1))

    def _build(self):
        return _core.make_resize(self.npixels)


class Rotate(OpticalLayer):
    """Rotation by ``angle`` rad counter-clockwise (exact for multiples of pi/2, bilinear
    otherwise; dLux's ``order`` and ``complex`` options are not offered)."""

    _fields = ("angle",)

    def __init__(self, angle):
        super().__init__(angle=as_float(angle, "angle"))

    def _build(self):
        return _core.make_rotate(self.angle)


class DetectorLayer(Base):
    """Base of the detector layers (maps on the image, photons)."""

    def apply(self, image):
        """The layer on one image (ny, nx)."""
        return self._ref.apply(as_array(image, "image", ndim=2))


class Downsample(DetectorLayer):
    """Sum over kernel_size x kernel_size blocks (dLux Downsample)."""

    _fields = ("kernel_size",)

    def __init__(self, kernel_size):
        super().__init__(kernel_size=as_int(kernel_size, "kernel_size", minimum=1))

    def _build(self):
        return _core.make_downsample(self.kernel_size)


class ApplyJitter(DetectorLayer):
    """dLux 0.15 ApplyJitter(sigma, kernel_size, oversample): a Gaussian of std sigma sampled
    on linspace(-5, 5, kernel_size * oversample), normalised, block-summed; ``sigma`` is the
    parameter (path detector.<key>.sigma)."""

    _fields = ("sigma", "kernel_size", "oversample")

    def __init__(self, sigma, kernel_size=9, oversample=3):
        super().__init__(sigma=as_float(sigma, "sigma", positive=True),
                         kernel_size=as_int(kernel_size, "kernel_size", minimum=1),
                         oversample=as_int(oversample, "oversample", minimum=1))

    def _build(self):
        return _core.make_dlux_jitter(float(self._values["sigma"]), self.kernel_size, self.oversample)


class GaussianJitter(DetectorLayer):
    """airy's Gaussian blur with sigma in detector pixels (kernel_size 0: automatic)."""

    _fields = ("sigma", "kernel_size")

    def __init__(self, sigma, kernel_size=0):
        super().__init__(sigma=as_float(sigma, "sigma", positive=True),
                         kernel_size=as_int(kernel_size, "kernel_size", minimum=0))

    def _build(self):
        return _core.make_gaussian_jitter(float(self._values["sigma"]), self.kernel_size)


class ApplyPixelResponse(DetectorLayer):
    """image * pixel_response (same shape as the image at this stage)."""

    _fields = ("pixel_response",)

    def __init__(self, pixel_response):
        super().__init__(pixel_response=as_array(pixel_response, "pixel_response", ndim=2))

    def _build(self):
        return _core.make_pixel_response(self.pixel_response)


class AddConstant(DetectorLayer):
    """image + value (photons); parameter path detector.<key>.value."""

    _fields = ("value",)

    def __init__(self, value):
        super().__init__(value=as_float(value, "value"))

    def _build(self):
        return _core.make_background(float(self._values["value"]))


class ApplySaturation(DetectorLayer):
    """min(image, saturation); parameter path detector.<key>.threshold."""

    _fields = ("saturation",)

    def __init__(self, saturation):
        super().__init__(saturation=as_float(saturation, "saturation", positive=True))

    def _build(self):
        return _core.make_saturation(float(self._values["saturation"]))
