# SPDX-License-Identifier: BSD-3-Clause
"""airy: differentiable telescope models in dLux's conventions and NUTS inference, with the
numerics in C++ (airy._core) and this package as a thin Python face. docs/python.md."""
from . import _core
from ._core import AiryError, InvalidArgument
from . import distributions, layers, utils
from .config import Config, flagship_config, load_config, parse_config
from .inference import Exposure, LogDensity, Posterior, Prior, fisher, optimize, sample
from .bridge import BridgeModel
from .layers import (AddConstant, ApplyJitter, ApplyPixelResponse, ApplySaturation, BasisOptic,
                     Downsample, Flip, GaussianJitter, Normalise, Optic, Resize, Rotate, Tilt,
                     TransmissiveLayer)
from .optics import AngularOpticalSystem, CartesianOpticalSystem
from .sources import AlphaCen, BinarySource, PointSource, PointSources
from .telescope import LayeredDetector, Telescope

__version__ = _core.__version__
#: Which FFT the FFT propagator uses in this build ("eigen-kissfft" in wheels, "fftw" otherwise).
fft_backend = _core.fft_backend

__all__ = [
    "__version__", "AiryError", "InvalidArgument", "utils", "layers", "distributions",
    "Telescope", "LayeredDetector", "AngularOpticalSystem", "CartesianOpticalSystem",
    "PointSource", "PointSources", "BinarySource", "AlphaCen", "TransmissiveLayer", "Optic",
    "BasisOptic", "Tilt", "Normalise", "Flip", "Resize", "Rotate", "Downsample", "ApplyJitter",
    "GaussianJitter", "ApplyPixelResponse", "AddConstant", "ApplySaturation", "Config",
    "load_config", "parse_config", "flagship_config", "Posterior", "Prior", "Exposure", "LogDensity",
    "sample", "optimize", "fisher", "BridgeModel",
]
