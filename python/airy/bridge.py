# SPDX-License-Identifier: BSD-3-Clause
"""A bridgestan-style interface to an airy posterior (BridgeStan's StanModel method names),
so that other samplers (BlackJAX through airy.jax.log_density_function, emcee, nutpie's
pyfunc, hand-written HMC) can drive airy's log density and gradient."""
from __future__ import annotations

import numpy as np

from ._validate import as_array
from .inference import Posterior

__all__ = ["BridgeModel"]


class BridgeModel:
    """bridgestan.StanModel's methods on an airy Posterior: ``param_unc_num``,
    ``param_num``, ``param_names``, ``param_unc_names``, ``param_constrain``,
    ``param_unconstrain``, ``log_density``, ``log_density_gradient``.

    ``jacobian=True`` (the default, what samplers on the unconstrained space need) includes the
    change-of-variables terms; ``jacobian=False`` leaves them out (MAP in the constrained
    space). ``propto`` is accepted for compatibility: airy always keeps every constant.
    """

    def __init__(self, posterior: Posterior):
        if not isinstance(posterior, Posterior):
            raise TypeError(f"posterior: expected an airy.Posterior, got {type(posterior).__name__}")
        self.posterior = posterior

    def name(self) -> str:
        return "airy_image_posterior"

    def param_unc_num(self) -> int:
        return self.posterior.dim

    def param_num(self, include_tp: bool = False, include_gq: bool = False) -> int:
        return self.posterior.density.output_dim

    def param_names(self, include_tp: bool = False, include_gq: bool = False) -> list[str]:
        """Constrained names, Stan style: 'coefficients.1' for coefficients[1]."""
        return [n.replace("[", ".").rstrip("]") for n in self.posterior.names]

    def param_unc_names(self) -> list[str]:
        return [n.replace("[", ".").rstrip("]") for n in self.posterior.names]

    def param_constrain(self, theta_unc, include_tp=False, include_gq=False, out=None, rng=None):
        v = self.posterior.constrain(theta_unc)
        if out is not None:
            out[...] = v
            return out
        return v

    def param_unconstrain(self, theta, out=None):
        u = self.posterior.unconstrain(theta)
        if out is not None:
            out[...] = u
            return out
        return u

    def log_density(self, theta_unc, propto: bool = True, jacobian: bool = True) -> float:
        return self.log_density_gradient(theta_unc, propto, jacobian)[0]

    def log_density_gradient(self, theta_unc, propto: bool = True, jacobian: bool = True, out=None):
        """(log p, d log p / d theta_unc)."""
        u = as_array(theta_unc, "theta_unc", shape=(self.posterior.dim,))
        lp, grad = self.posterior.log_density(u)
        if not jacobian:
            lj, glj = self.posterior.core.log_jacobian(u)
            lp, grad = lp - lj, grad - glj
        if out is not None:
            out[...] = grad
            grad = out
        return float(lp), np.asarray(grad)
