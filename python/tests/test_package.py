# SPDX-License-Identifier: BSD-3-Clause
"""The package itself: version, build facts, exceptions."""
import importlib.metadata
import re

import airy


def test_version_is_the_cmake_project_version(root):
    text = (root / "CMakeLists.txt").read_text()
    version = re.search(r"project\(airy VERSION ([0-9.]+)", text).group(1)
    assert airy.__version__ == version
    assert importlib.metadata.version("airy") == version


def test_wheel_uses_the_bsd_fft_and_the_pinned_ffi_api():
    # pyproject.toml builds without FFTW (GPL): Eigen's kissfft serves the FFT propagator.
    assert airy.fft_backend == "eigen-kissfft"
    import airy.jax as aj
    assert aj.ffi_api_version() == (0, 3)  # jaxlib 0.10.2's headers


def test_exceptions_are_python_exceptions():
    assert issubclass(airy.InvalidArgument, ValueError)
    assert issubclass(airy.AiryError, RuntimeError)
