# SPDX-License-Identifier: BSD-3-Clause
"""Run configurations (TOML, docs/config.md) from Python: the same telescope, posterior,
simulated data and sampler settings as the CLI (airy::config underneath)."""
from __future__ import annotations

import os

import numpy as np

from . import _core
from ._validate import NO_MASK, NO_VARIANCE, as_array, as_image_data, as_mask, as_variance
from .telescope import Telescope

__all__ = ["Config", "load_config", "parse_config", "flagship_config"]


class Config:
    """A parsed configuration. ``telescope`` has every parameter at its configured (true)
    value; ``posterior(data)`` is the configured posterior of an image; ``simulate()`` the
    configured noisy data.

    With ``[[exposures]]`` (docs/config.md), ``telescopes`` holds one telescope per exposure
    (the shared optics, source and detector plus the exposure's dither, flux scale, band and
    diversity; ``telescope`` is exposure 0's) and ``posterior([image_0, image_1, ...])`` is the
    joint posterior of all of them. Without, ``telescopes == [telescope]``."""

    def __init__(self, core: _core.Config):
        self.core = core
        self.telescopes = [Telescope.from_core(t) for t in _core.build_exposure_telescopes(core)]
        self.telescope = self.telescopes[0]

    @property
    def num_exposures(self) -> int:
        """Telescopes (and data images) of the configuration: 1 without [[exposures]]."""
        return len(self.telescopes)

    @property
    def exposure_names(self) -> list[str]:
        """Each exposure's label: its configured name, else its index (as airy's messages)."""
        names = list(self.core.exposure_names) or [""]
        return [n or str(i) for i, n in enumerate(names)]

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

    def posterior(self, data, *, variance=None, mask=None):
        """The configured posterior of ``data``: an image (ny, nx photons), or with
        [[exposures]] one image per exposure (a list, or an array (N, ny, nx)).

        ``variance`` / ``mask``: per-pixel maps as airy.Exposure takes them (photons^2; bool or
        integer, nonzero = left out), one array for one image, else one per exposure (a list
        whose entries may be None). Like a run's ``variance``/``err``/``mask`` keys."""
        from .inference import Posterior
        single = self.num_exposures == 1 and not isinstance(data, (list, tuple)) and np.ndim(data) == 2
        if single and variance is None and mask is None:
            d = as_array(data, "data", ndim=2)
            return Posterior._from_core(_core.build_posterior(self.core, self.telescope._core, d))
        raw = [data] if single else list(data)
        if len(raw) != self.num_exposures:
            raise _core.InvalidArgument(
                f"data: {len(raw)} image(s) for {self.num_exposures} exposure(s) of {self.source_name}")
        if variance is None and mask is None:
            images = [as_array(d, f"data[{e}]", ndim=2) for e, d in enumerate(raw)]
            return Posterior._from_core(_core.build_posterior(self.core, [t._core for t in self.telescopes], images))
        maps = {}
        for arg, value in (("variance", variance), ("mask", mask)):
            if value is None:
                maps[arg] = [None] * len(raw)
            elif single:
                maps[arg] = [value]
            else:
                if isinstance(value, np.ndarray) and value.ndim != 3:
                    raise _core.InvalidArgument(f"{arg}: expected one map per exposure (a list, or an array"
                                                f" (N, ny, nx)), got shape {value.shape}")
                maps[arg] = list(value)
                if len(maps[arg]) != len(raw):
                    raise _core.InvalidArgument(f"{arg}: {len(maps[arg])} map(s) for {len(raw)} exposure(s)")
        likelihood = self.core.likelihood_kind
        images, variances, masks = [], [], []
        for e, (d, t) in enumerate(zip(raw, self.telescopes)):
            tag = "" if single else f"[{e}]"
            m = maps["mask"][e]
            m = None if m is None else as_mask(m, f"mask{tag}", t.image_shape)
            images.append(as_image_data(d, f"data{tag}", t.image_shape, m))
            v = maps["variance"][e]
            if v is not None and likelihood == "poisson":
                raise _core.InvalidArgument(f"variance{tag}: a variance map needs a Gaussian likelihood"
                                            f" (the config's likelihood.kind is poisson)")
            variances.append(NO_VARIANCE if v is None else as_variance(v, f"variance{tag}", t.image_shape, m))
            masks.append(NO_MASK if m is None else m)
        return Posterior._from_core(_core.build_posterior(self.core, [t._core for t in self.telescopes],
                                                          images, variances, masks))

    def simulate(self, exposure: int | None = None):
        """(photon_noise_only, data): the configured noise applied to a telescope's model(),
        as `airy simulate`: Philox stream (noise.seed, 1 + e) for exposure e, so exposures
        get independent noise. With [[exposures]] and no ``exposure``: two lists, one image
        per exposure (what ``posterior`` and ``sample`` take)."""
        if exposure is None and self.num_exposures > 1:
            sims = [self.simulate(e) for e in range(self.num_exposures)]
            return [s[0] for s in sims], [s[1] for s in sims]
        e = 0 if exposure is None else exposure
        if isinstance(e, bool) or not isinstance(e, (int, np.integer)) or not 0 <= e < self.num_exposures:
            raise _core.InvalidArgument(f"simulate: exposure = {exposure!r}: expected 0..{self.num_exposures - 1}")
        return _core.simulate_data(self.core, self.telescopes[e].model(), 1 + int(e))

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
