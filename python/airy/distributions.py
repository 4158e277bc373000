# SPDX-License-Identifier: BSD-3-Clause
"""Priors for airy posteriors, with NumPyro's names and parameters (airy::infer's
distributions underneath, log densities with their normalising constants)."""
from __future__ import annotations

from . import _core
from ._validate import as_float

__all__ = ["Distribution", "Uniform", "Normal", "HalfNormal", "LogNormal", "Exponential",
           "Gamma", "InverseGamma", "Beta", "StudentT", "Cauchy", "HalfCauchy", "make"]


class Distribution:
    """A scalar distribution by airy name and parameters (validated by the C++ factory)."""

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
        self.params = {k: as_float(v, f"{type(self).__name__}.{k}") for k, v in params.items()}
        self.core = _core.make_distribution(self.name, self.params)

    def log_prob(self, x: float) -> float:
        """log p(x) with its normalising constant."""
        return self.core.log_prob(as_float(x, "x"))

    def sample(self, n: int, seed: int = 0):
        """n draws (Philox stream (seed, 0))."""
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
    """A distribution by its config name, e.g. make('normal', loc=0, scale=20)."""
    d = Distribution.__new__(Distribution)
    d.name = name
    d.params = {k: as_float(v, f"{name}.{k}") for k, v in params.items()}
    d.core = _core.make_distribution(name, d.params)
    return d
