# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures of the Python tests: repository paths and small, fast models."""
from __future__ import annotations

import os
import pathlib
import tomllib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DLUX = ROOT / "tests" / "fixtures" / "dlux"


def dlux_fixture(name: str) -> dict:
    with open(DLUX / name, "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def cli() -> str:
    """The airy CLI that scripts/test.sh built (AIRY_CLI), else build/apps/airy/airy."""
    path = os.environ.get("AIRY_CLI", str(ROOT / "build" / "apps" / "airy" / "airy"))
    if not os.access(path, os.X_OK):
        pytest.skip(f"the airy CLI is not built at {path} (scripts/test.sh builds it)")
    return path


SMALL_TOML = """
[optics]
type = "angular"
npix = 32
diameter = 1.0
psf_npix = 12
psf_pixel_scale = 0.05
[optics.aperture]
soft_edge = "oversample"
edge_oversample = 3
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
[[optics.aperture.shapes]]
type = "spider"
width = 0.1
angles = [0.0]
[optics.aberrations]
noll = [4, 5, 6]
coefficients = [20e-9, -10e-9, 15e-9]
[source]
type = "binary"
separation = 0.15
position_angle = 90.0
log_flux = 4.0
contrast = 2.0
n_wavelengths = 3
[noise]
seed = 3
[likelihood]
kind = "poisson_gaussian"
sigma = 3.0
[priors."source.x_position"]
dist = "uniform"
low = -0.1
high = 0.1
[priors."source.separation"]
dist = "uniform"
low = 0.05
high = 0.3
[priors."source.log_flux"]
dist = "uniform"
low = 3.5
high = 4.5
[priors."optics.aperture.coefficients"]
dist = "normal"
loc = 0.0
scale = 30.0
unit = "nm"
[sampler]
num_chains = 2
num_warmup = 150
num_samples = 150
seed = 5
"""


@pytest.fixture(scope="session")
def small_config():
    """A 32 px pupil, 12 px image binary with 3 Zernikes: fast enough to sample in tests."""
    import airy
    return airy.parse_config(SMALL_TOML, "<small>")


@pytest.fixture(scope="session")
def small_data(small_config):
    return small_config.simulate()[1]


def rel_err(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
