#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Manual check of airy's outputs with the real readers (not run by CTest: ArviZ and
cmdstanpy are not Debian packages). In a venv with `pip install "arviz<1" cmdstanpy
h5netcdf netCDF4`:

    python tests/python/check_with_arviz.py "out/fit_*.csv" out/fit.nc
"""
import glob
import sys

import arviz as az
import cmdstanpy
import xarray as xr


def main(csv_glob, nc_path):
    files = sorted(glob.glob(csv_glob))
    fit = cmdstanpy.from_csv(files)
    print("cmdstanpy:", fit.draws().shape, "divergences", fit.divergences)
    idata = az.from_cmdstan(files)
    assert idata.sample_stats.diverging.dtype == bool
    print("arviz.from_cmdstan:", dict(idata.posterior.sizes))
    idata = az.from_netcdf(nc_path)
    assert idata.sample_stats.diverging.dtype == bool
    print(az.summary(idata))
    if hasattr(xr, "open_datatree"):  # what ArviZ 1.x's from_netcdf is
        for engine in ("netcdf4", "h5netcdf"):
            tree = xr.open_datatree(nc_path, engine=engine)
            assert tree["sample_stats"].ds.diverging.dtype == bool
            print(f"open_datatree({engine}):", list(tree.children))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
