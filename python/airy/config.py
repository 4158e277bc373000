# SPDX-License-Identifier: BSD-3-Clause
"""Run configurations (TOML, docs/config.md) from Python: the same telescope, posterior,
simulated data and sampler settings as the CLI (airy::config underneath)."""
from __future__ import annotations

import os

from . import _core
from ._validate import as_array
from .telescope import Telescope

__all__ = ["Config", "load_config", "parse_config", "flagship_config"]


class Config:
    """A parsed configuration. ``telescope`` has every parameter at its configured (true)
    value; ``posterior(data)`` is the configured posterior of an image; ``simulate()`` the
    configured noisy data."""

    def __init__(self, core: _core.Config):
        self.core = core
        self.telescope = Telescope.from_core(_core.build_telescope(core))

    @property
    def priors(self):
        return list(self.core.priors)

    @property
    def sampler(self):
        return self.core.sampler

    @property
    def source_name(self) -> str:
        return self.core.source_name

    def to_toml(self) -> str:
        """The configuration as TOML (what the CLI writes as config.toml)."""
        return self.core.to_toml()

    def posterior(self, data):
        """The configured posterior of ``data`` (ny, nx photons)."""
        from .inference import Posterior
        d = as_array(data, "data", ndim=2)
        return Posterior._from_core(_core.build_posterior(self.core, self.telescope._core, d))

    def simulate(self):
        """(photon_noise_only, data): the configured noise applied to telescope.model()
        (Philox stream (noise.seed, 1), as `airy simulate`)."""
        return _core.simulate_data(self.core, self.telescope.model())

    def sampler_options(self):
        """The [sampler] table as airy._core.SamplerOptions."""
        return _core.config_sampler_options(self.core)


def load_config(path) -> Config:
    """Reads and validates a TOML configuration; errors name the file and the key."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file path, got {type(path).__name__}")
    return Config(_core.load_config(os.fspath(path)))


def parse_config(text: str, source_name: str = "<string>") -> Config:
    """Parses TOML text."""
    return Config(_core.parse_config(text, source_name))


def flagship_config() -> Config:
    """The flagship configuration (examples/binary_star.toml, as `airy demo` runs it)."""
    return Config(_core.parse_config(_core.flagship_toml(), "<embedded flagship>"))
