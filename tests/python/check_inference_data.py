#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Opens an airy InferenceData NetCDF file the way ArviZ 0.x does, with both engines.

usage: check_inference_data.py FILE NCHAIN NDRAW VECTOR_VAR VECTOR_LEN
ArviZ 0.23's InferenceData.from_netcdf lists the groups (h5netcdf.File / netCDF4.Dataset),
then calls xr.open_dataset(path, group=g, engine=e) for each. Exit status 0 when all pass.
"""
import sys

import h5netcdf
import netCDF4
import numpy as np
import xarray as xr

ROOT_ATTRS = ("created_at", "creation_library", "creation_library_version",
              "inference_library", "inference_library_version")
STATS = {"lp": "f", "acceptance_rate": "f", "step_size": "f", "tree_depth": "i",
         "n_steps": "i", "diverging": "b", "energy": "f"}


def groups(path, engine):
    if engine == "h5netcdf":
        with h5netcdf.File(path, "r") as f:
            return list(f.groups), dict(f.attrs), list(f.variables), list(f.dimensions)
    with netCDF4.Dataset(path) as f:
        return (list(f.groups), {k: f.getncattr(k) for k in f.ncattrs()}, list(f.variables),
                list(f.dimensions))


def main(path, nchain, ndraw, vec, veclen):
    for engine in ("h5netcdf", "netcdf4"):
        names, attrs, root_vars, root_dims = groups(path, engine)
        assert root_vars == [] and root_dims == [], (engine, root_vars, root_dims)
        for key in ROOT_ATTRS:
            assert key in attrs, (engine, key)
        for g in ("posterior", "sample_stats"):
            assert g in names, (engine, names)
        for g in names:
            ds = xr.open_dataset(path, group=g, engine=engine)
            for key in ROOT_ATTRS:
                assert key in ds.attrs, (engine, g, key)
            for dim in ds.dims:
                assert dim in ds.coords, (engine, g, "dim without coordinate", dim)
                assert ds[dim].dtype == np.int64, (engine, g, dim, ds[dim].dtype)
            if g in ("posterior", "sample_stats", "warmup_posterior", "warmup_sample_stats"):
                assert ds.sizes["chain"] == nchain, (engine, g, dict(ds.sizes))
                if not g.startswith("warmup"):
                    assert ds.sizes["draw"] == ndraw, (engine, g, dict(ds.sizes))
                assert list(ds["chain"].values) == list(range(nchain))
                for name, var in ds.data_vars.items():
                    assert var.dims[:2] == ("chain", "draw"), (engine, g, name, var.dims)
            if g.endswith("sample_stats"):
                for name, kind in STATS.items():
                    assert ds[name].dtype.kind == kind, (engine, g, name, ds[name].dtype)
                assert ds["diverging"].dtype == bool
            if g == "posterior":
                v = ds[vec]
                assert v.dims == ("chain", "draw", f"{vec}_dim_0") or len(v.dims) == 3, v.dims
                assert v.shape == (nchain, ndraw, veclen), v.shape
                assert v.dtype == np.float64
            if g == "observed_data":
                img = ds["image"]
                assert img.dims == ("y", "x"), img.dims
            ds.close()
    if hasattr(xr, "open_datatree"):
        tree = xr.open_datatree(path)
        assert "posterior" in tree.children
    print(f"ok: {path}: groups {names}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
