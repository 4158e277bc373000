# SPDX-License-Identifier: BSD-3-Clause
"""Priors for airy posteriors, with NumPyro's names and parameters (airy::infer's
distributions underneath, log densities with their normalising constants)."""
from __future__ import annotations

import numpy as np

from . import _core
from ._validate import as_array, as_float

__all__ = ["Distribution", "Uniform", "Normal", "HalfNormal", "LogNormal", "Exponential",
           "Gamma", "InverseGamma", "Beta", "StudentT", "Cauchy", "HalfCauchy", "make"]


class Distribution:
    """A distribution by airy name and parameters (validated by the C++ factory).

    Scalar parameters give a scalar prior, applied to each entry of a vector site. A numpy
    array as a parameter (e.g. ``Normal(loc=flat_guess, scale=0.05)`` with ``flat_guess`` of
    shape (64, 64)) gives a per-element prior over a vector site of that many entries: entry i
    ~ family(params_i), a scalar parameter shared by all, as a config's ``loc = [...]`` or
    ``loc = {file = ..., hdu = ...}`` (airy::infer::make_independent; arrays row-major, so a
    map's (y, x) entry is element y * nx + x). ``shape`` is () or the arrays' shape."""

    name = ""
    _params: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        if len(args) > len(self._params):
            raise TypeError(f"{type(self).__name__}: at most {len(self._params)} positional arguments")
        params = dict(zip(self._params, args))
        for k, v in kwargs.items():
            if k not in self._params:
                raise TypeError(f"{type(self).__name__}: unknown parameter '{k}' (takes {', '.join(self._params)})")
            params[k] = v
        self._init(type(self).__name__, params)

    def _init(self, label, params):
        arrays = {k: v for k, v in params.items() if np.ndim(v) > 0}
        if not arrays:
            self.shape = ()
            self.params = {k: as_float(v, f"{label}.{k}") for k, v in params.items()}
            self.core = _core.make_distribution(self.name, self.params)
            return
        shapes = {k: np.shape(v) for k, v in arrays.items()}
        if len(set(shapes.values())) > 1:
            raise _core.InvalidArgument(f"{label}: per-element parameters of different shapes: "
                                        + ", ".join(f"{k} {s}" for k, s in shapes.items()))
        self.shape = next(iter(shapes.values()))
        self.params = {k: (as_array(v, f"{label}.{k}") if k in arrays else as_float(v, f"{label}.{k}"))
                       for k, v in params.items()}
        flat = {k: (list(v.ravel()) if k in arrays else [v]) for k, v in self.params.items()}
        self.core = _core.make_independent(self.name, flat, int(np.prod(self.shape)))

    @property
    def event_size(self) -> int:
        """1 for a scalar prior, else the number of elements of a per-element one."""
        return self.core.event_size

    def log_prob(self, x) -> float:
        """log p(x) with its normalising constant (x of ``shape`` for a per-element prior)."""
        if self.shape:
            return self.core.log_prob_vector(as_array(x, "x", shape=self.shape))
        return self.core.log_prob(as_float(x, "x"))

    def sample(self, n: int, seed: int = 0):
        """n draws (Philox stream (seed, 0)): shape (n,), or (n, *shape) for a per-element prior."""
        if self.shape:
            return self.core.sample_vector(int(seed), int(n)).reshape(int(n), *self.shape)
        return self.core.sample(int(seed), int(n))

    def __repr__(self):
        return self.core.describe()


def _make(cls_name, name, params):
    return type(cls_name, (Distribution,), {"name": name, "_params": params,
                                            "__doc__": f"{name}({', '.join(params)})"})


Uniform = _make("Uniform", "uniform", ("low", "high"))
Normal = _make("Normal", "normal", ("loc", "scale"))
HalfNormal = _make("HalfNormal", "half_normal", ("scale",))
LogNormal = _make("LogNormal", "log_normal", ("loc", "scale"))
Exponential = _make("Exponential", "exponential", ("rate",))
Gamma = _make("Gamma", "gamma", ("concentration", "rate"))
InverseGamma = _make("InverseGamma", "inverse_gamma", ("concentration", "rate"))
Beta = _make("Beta", "beta", ("concentration1", "concentration0"))
StudentT = _make("StudentT", "student_t", ("df", "loc", "scale"))
Cauchy = _make("Cauchy", "cauchy", ("loc", "scale"))
HalfCauchy = _make("HalfCauchy", "half_cauchy", ("scale",))


def make(name: str, **params) -> Distribution:
    """A distribution by its config name, e.g. make('normal', loc=0, scale=20); an array
    parameter makes a per-element prior (see Distribution)."""
    d = Distribution.__new__(Distribution)
    d.name = name
    d._init(name, params)
    return d
