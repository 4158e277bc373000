# SPDX-License-Identifier: BSD-3-Clause
"""examples/python/hmc_tutorial.py at reduced length: NumPyro with airy's JAX function and
airy.sample agree on the tutorial's 6-parameter posterior, and so does NumPyro with dLux when
dLux is installed (bench/compare/requirements-python.txt; not in the test pins)."""
import importlib.util

import numpy as np
import pytest

pytest.importorskip("numpyro")


def test_hmc_tutorial_reduced(root):
    spec = importlib.util.spec_from_file_location("hmc_tutorial", root / "examples" / "python" / "hmc_tutorial.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.run(warmup=100, samples=150, chains=1, npix=32, seed=0, quiet=True)
    tables = [out["table"]] + ([out["table_dlux"]] if out["table_dlux"] is not None else [])
    for table in tables:
        assert [r[0] for r in table] == mod.PARAMETERS
        for name, m_np, sd_np, m_airy, sd_airy, z_mean, z_sd in table:
            assert np.isfinite([m_np, sd_np, m_airy, sd_airy]).all(), name
            assert abs(z_mean) < 5 and abs(z_sd) < 5, (name, z_mean, z_sd)
