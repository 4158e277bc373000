# SPDX-License-Identifier: BSD-3-Clause
"""dLux's Telescope(optics, source, detector) on airy's C++ Telescope: ``.model()`` renders
the image (photons, float64, (y, x)); ``.get``/``.set``/``.parameters()`` address parameters by
path. airy paths are ``source.<name>``, ``optics.<layer key>.<name>`` and
``detector.<key>.<name>``; dLux spellings resolve to them too: bare names ('x_position'),
'aperture.coefficients', 'optics.layers.aperture.coefficients', '<source key>.separation'."""
from __future__ import annotations

import math

import numpy as np

from . import _core
from ._base import Base
from ._validate import as_array
from .layers import DetectorLayer
from .optics import _OpticalSystem, keyed_layers
from .sources import Source

__all__ = ["Telescope", "LayeredDetector", "Parameter"]


class LayeredDetector(Base):
    """dLux LayeredDetector(layers): detector layers applied in order to the PSF."""

    _fields = ()

    def __init__(self, layers):
        super().__init__(layers=keyed_layers(layers, DetectorLayer))

    def _build(self):
        return None

    def _children(self):
        return self._values["layers"]

    def _with_child(self, key, child):
        layers = dict(self._values["layers"])
        layers[key] = child
        return LayeredDetector(list(layers.items()))


class Parameter(tuple):
    """(path, size, unit, doc) of one telescope parameter."""

    __slots__ = ()

    def __new__(cls, path, size, unit, doc):
        return super().__new__(cls, (path, size, unit, doc))

    path = property(lambda s: s[0])
    size = property(lambda s: s[1])
    unit = property(lambda s: s[2])
    doc = property(lambda s: s[3])


class Telescope:
    """An immutable differentiable telescope.

    ``Telescope(optics, source, detector=None)`` with ``source`` a Source or a (key, Source)
    pair (dLux's ``('source', source)``), ``detector`` a LayeredDetector or a list of detector
    layers. ``Telescope.from_core`` wraps a C++ telescope (e.g. from ``load_config``).
    """

    def __init__(self, optics, source, detector=None):
        if not isinstance(optics, _OpticalSystem):
            raise TypeError(f"optics: expected AngularOpticalSystem or CartesianOpticalSystem, got {type(optics).__name__}")
        key = "source"
        if isinstance(source, (list, tuple)) and len(source) == 1 and not isinstance(source[0], str):
            source = source[0]
        if isinstance(source, (list, tuple)):
            if len(source) != 2 or not isinstance(source[0], str):
                raise _core.InvalidArgument("source: expected a Source or one (key, Source) pair "
                                            "(several sources: use PointSources or BinarySource)")
            key, source = source
        if not isinstance(source, Source):
            raise TypeError(f"source: expected a Source, got {type(source).__name__}")
        if detector is not None and not isinstance(detector, LayeredDetector):
            detector = LayeredDetector(detector)
        det = [] if detector is None else [(k, l._ref) for k, l in detector._values["layers"].items()]
        self._init(_core.Telescope(optics._ref, source._ref, det), key)

    @classmethod
    def from_core(cls, core: _core.Telescope, source_key: str = "source") -> "Telescope":
        """Wraps a C++ telescope (from load_config or a posterior)."""
        t = cls.__new__(cls)
        t._init(core, source_key)
        return t

    def _init(self, core, source_key):
        self._core = core
        self._source_key = source_key
        self._params = [Parameter(*p) for p in core.parameters()]
        self._by_path = {p.path: p for p in self._params}

    # -- parameters --------------------------------------------------------------------------
    def parameters(self) -> list[Parameter]:
        """Every continuous parameter: (path, size, unit, doc), in the core's stable order."""
        return list(self._params)

    def resolve(self, path: str) -> str:
        """The airy path a (possibly dLux-spelled) path names; raises naming the nearest."""
        if not isinstance(path, str):
            raise TypeError(f"path: expected a str, got {type(path).__name__}")
        if path in self._by_path:
            return path
        p = path
        if self._source_key != "source" and p.startswith(self._source_key + "."):
            p = "source." + p[len(self._source_key) + 1:]
        p = p.replace("optics.layers.", "optics.").replace("detector.layers.", "detector.")
        if p in self._by_path:
            return p
        matches = [q for q in self._by_path if q.endswith("." + p)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise _core.InvalidArgument(f"path '{path}' is ambiguous: {', '.join(matches)}")
        self._core.get(path)  # raises InvalidArgument naming the nearest known path
        raise _core.InvalidArgument(f"unknown parameter path '{path}'")  # pragma: no cover

    def _shape(self, path: str, size: int):
        leaf = path.rsplit(".", 1)[-1]
        if leaf in ("transmission", "opd", "map") and size > 1 and math.isqrt(size) ** 2 == size:
            n = math.isqrt(size)
            return (n, n)
        if leaf == "weights" and self._core.source_kind == "BinarySource" and path.startswith("source."):
            return (2, size // 2)
        if leaf == "positions":
            return (size // 2, 2)
        return None if size == 1 else (size,)

    def get(self, path: str):
        """The value of ``path``: a float for scalars, else a float64 array (2-D maps (n, n))."""
        p = self.resolve(path)
        v = self._core.get(p)
        shape = self._shape(p, v.size)
        return float(v[0]) if shape is None else v.reshape(shape)

    def set(self, paths, values) -> "Telescope":
        """A new telescope with ``paths`` (str or list) set to ``values`` (same structure)."""
        if isinstance(paths, str):
            paths, values = [paths], [values]
        paths = list(paths)
        if len(paths) != len(values):
            raise _core.InvalidArgument(f"set: {len(paths)} paths but {len(values)} values")
        core = self._core
        for path, value in zip(paths, values):
            p = self.resolve(path)
            core = core.set(p, as_array(value, f"value of '{path}'").ravel())
        return Telescope.from_core(core, self._source_key)

    # -- evaluation --------------------------------------------------------------------------
    def model(self) -> np.ndarray:
        """The image in photons, float64 (ny, nx) = (y, x)."""
        return self._core.model()

    @property
    def image_shape(self) -> tuple[int, int]:
        return tuple(self._core.image_shape)

    @property
    def pixel_scale(self) -> float:
        """Detector pixel scale: arcsec (angular) or m (Cartesian)."""
        return self._core.pixel_scale

    @property
    def wavelengths(self) -> np.ndarray:
        return self._core.wavelengths()

    def renderer(self, paths):
        """A batched C++ render/VJP over ``paths`` (used by airy.jax and the samplers)."""
        return _core.Renderer(self._core, [self.resolve(p) for p in paths])

    def __repr__(self):
        return f"Telescope({len(self._params)} parameters, image {self.image_shape})"
