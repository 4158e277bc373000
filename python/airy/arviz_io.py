# SPDX-License-Identifier: BSD-3-Clause
"""airy runs -> ArviZ: InferenceData on ArviZ 0.x (tested: 0.23.4, the newest for Python
3.11) and xarray.DataTree on ArviZ >= 1.0 (from_dict's {group: {var: array}} form), with the
groups posterior, sample_stats, observed_data and log_likelihood, named dims and coords (the
layout of the CLI's posterior.nc, docs/file_formats.md)."""
from __future__ import annotations

import re

import numpy as np

__all__ = ["to_arviz", "arviz_major"]

# airy/CmdStan statistics -> ArviZ's sample_stats names (arviz schema).
_STATS = {"lp": "lp", "accept_stat": "acceptance_rate", "stepsize": "step_size",
          "treedepth": "tree_depth", "n_leapfrog": "n_steps", "divergent": "diverging",
          "energy": "energy"}
_INT_STATS = {"tree_depth", "n_steps"}


def arviz_major() -> int:
    import arviz as az
    return int(az.__version__.split(".")[0])


def _group_variables(names, draws):
    """Splits (chain, draw, n) draws into variables: 'name[i]' columns become one array."""
    groups = {}
    for k, n in enumerate(names):
        m = re.fullmatch(r"(.+)\[(\d+)\]", n)
        base, vector = (m.group(1), True) if m else (n, False)
        groups.setdefault(base, (vector, []))[1].append(k)
    return {b: (draws[..., idx] if vector else draws[..., idx[0]]) for b, (vector, idx) in groups.items()}


def to_arviz(result: dict, posterior, options, *, interrupted=False, log_likelihood=True,
             posterior_predictive=100, dims=None, coords=None, config=None):
    import arviz as az

    names = result["names"]
    post = result["posterior"]
    variables = _group_variables(names, post["draws"])
    dims = dict(dims or {})
    coords = dict(coords or {})
    # Vector sites: a named dimension per variable; Zernike coefficients get the Noll index.
    site_paths = {}
    if posterior is not None:
        site_paths = {name: path for name, _, path, _ in posterior.sites()}
    for var, arr in variables.items():
        if arr.ndim == 3 and var not in dims:
            dim = f"{var}_dim"
            path = site_paths.get(var, "")
            if config is not None and path.endswith(".coefficients") and len(config.core.noll) == arr.shape[-1]:
                dim = "noll"
                coords.setdefault("noll", list(config.core.noll))
            dims[var] = [dim]
    stats = {}
    for k, v in post["stats"].items():
        name = _STATS[k]
        stats[name] = v.astype(bool) if name == "diverging" else (v.astype(np.int64) if name in _INT_STATS else v)
    groups = {"posterior": variables, "sample_stats": stats}
    if "warmup" in result:
        groups["warmup_posterior"] = _group_variables(names, result["warmup"]["draws"])
        groups["warmup_sample_stats"] = {_STATS[k]: v for k, v in result["warmup"]["stats"].items()}
    ll_group = pp_group = None
    if posterior is not None:
        # One observed image per exposure: "image" for one, "image_<exposure label>" for several.
        # Pixels left out of the likelihood (a mask, NaN data) are no data: NaN, as in the CLI's
        # posterior.nc, so az.plot_ppc and nan-aware statistics leave them out.
        n = posterior.num_exposures
        masks = [posterior.core.mask(e).astype(bool) for e in range(n)]
        images = [np.where(m, np.nan, posterior.core.data(e)) for e, m in enumerate(masks)]
        keys = ["image"] if n == 1 else [f"image_{label}" for label in posterior.exposure_names]
        same_shape = all(im.shape == images[0].shape for im in images)
        groups["observed_data"] = dict(zip(keys, images))
        for key, im in zip(keys, images):
            yx = ["y", "x"] if same_shape else [f"y_{key}", f"x_{key}"]
            dims[key] = yx
            coords.setdefault(yx[0], np.arange(im.shape[0]))
            coords.setdefault(yx[1], np.arange(im.shape[1]))
        if log_likelihood and post["draws"].shape[1] > 0:
            ll_group = _log_likelihood_dataset(posterior, post["draws"], keys, images, masks, dims)
        if posterior_predictive and post["draws"].shape[1] > 0:
            pp_group = _posterior_predictive_dataset(posterior, post["draws"], keys, images, dims,
                                                     int(posterior_predictive), options.seed)
    attrs = {"inference_library": "airy", "num_warmup": options.num_warmup,
             "num_chains": options.num_chains, "metric": options.metric,
             "complete": int(all(result["complete"]) and not interrupted),
             "wall_seconds": result["wall_seconds"],
             "gradient_evaluations": int(sum(result["gradient_evaluations"])),
             "adapted_step_size": np.asarray(result["adapted_stepsize"], dtype=float)}
    if posterior is not None:
        attrs["units"] = ",".join(posterior.units)
    if arviz_major() >= 1:  # pragma: no cover - ArviZ 1.x needs Python >= 3.12
        tree = az.from_dict(groups, coords=coords, dims=dims, attrs=attrs,
                            save_warmup="warmup" in result)
        for name, group in (("log_likelihood", ll_group), ("posterior_predictive", pp_group)):
            if group is not None:
                tree[name] = group
        return tree
    idata = az.from_dict(**groups, coords=coords, dims=dims, attrs=attrs,
                         save_warmup="warmup" in result)
    extra = {k: g for k, g in (("log_likelihood", ll_group), ("posterior_predictive", pp_group)) if g is not None}
    if extra:
        idata.add_groups(extra)
    return idata


def _posterior_predictive_dataset(posterior, draws, keys, images, dims, total, seed):
    """ArviZ's posterior_predictive group as the CLI writes it: per exposure a replicated image
    over observed_data's dims (NaN at masked pixels) for k = clamp(total // chains, 1, draws)
    evenly spaced draws of every chain (draw floor(j draws / k)), the ``draw`` coordinate
    saying which. Replicates of exposure e, chain c, draw j come from Philox stream
    2^40 + e 2^32 + c k + j of the sampler seed."""
    import xarray as xr

    c, d, m = draws.shape
    k = min(max(total // c, 1), d)
    which = np.array([j * d // k for j in range(k)])
    flat = np.ascontiguousarray(draws[:, which, :].reshape(c * k, m))
    variables = {}
    for e, (key, im) in enumerate(zip(keys, images)):
        rep = posterior.core.replicate_draws(flat, e, int(seed), (1 << 40) + (e << 32))
        yx = dims[key]
        variables[key] = xr.DataArray(
            rep.reshape(c, k, *im.shape), dims=["chain", "draw", *yx],
            coords={yx[0]: np.arange(im.shape[0]), yx[1]: np.arange(im.shape[1])},
            attrs={"units": "photon", "long_name": "replicated data: the model of the draw plus the "
                                                  "likelihood's noise (NaN: masked pixel)"})
    ds = xr.Dataset(variables, coords={"chain": np.arange(c), "draw": which})
    ds.attrs["inference_library"] = "airy"
    return ds


def _log_likelihood_dataset(posterior, draws, keys, images, masks, dims):
    """ArviZ's log_likelihood group, laid out as the CLI's posterior.nc (docs/file_formats.md):
    per exposure the variable of its observed image's name, over the observed dims when no
    pixel is left out, else over ``pixel_<name>`` (its unmasked pixels, coordinate y * nx + x);
    with several exposures also ``image``, every unmasked pixel of every exposure over one dim
    ``pixel`` (exposure by exposure): the joint model's, for az.loo(var_name="image").

    A Dataset of its own (not from_dict's shared ``dims``): the same variable name has other
    dims here than in observed_data when pixels are masked."""
    import xarray as xr

    c, d, m = draws.shape
    flat = np.ascontiguousarray(draws.reshape(c * d, m))
    variables, joint, starts = {}, [], []
    total = 0
    for e, (key, im, mask) in enumerate(zip(keys, images, masks)):
        full = posterior.core.log_likelihood_draws(flat, e).reshape(c, d, im.size)
        keep = np.flatnonzero(~mask.ravel())
        kept = full[..., keep]
        joint.append(kept)
        starts.append(f"{key}:{total}")
        total += keep.size
        if keep.size == im.size:
            yx = dims[key]
            variables[key] = xr.DataArray(kept.reshape(c, d, *im.shape), dims=["chain", "draw", *yx],
                                          coords={yx[0]: np.arange(im.shape[0]), yx[1]: np.arange(im.shape[1])})
        else:
            dim = f"pixel_{key}"
            variables[key] = xr.DataArray(kept, dims=["chain", "draw", dim], coords={dim: keep})
    if len(keys) > 1:
        variables = {"image": xr.DataArray(
            np.concatenate(joint, axis=-1), dims=["chain", "draw", "pixel"],
            coords={"pixel": np.arange(total)},
            attrs={"long_name": "log likelihood of each unmasked pixel of every exposure (the joint "
                                "model; pixel ranges start at " + ",".join(starts) + ")"}), **variables}
    for v in variables.values():
        v.attrs["units"] = "1"
    ds = xr.Dataset(variables, coords={"chain": np.arange(c), "draw": np.arange(d)})
    ds.attrs["inference_library"] = "airy"
    return ds
