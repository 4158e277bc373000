# SPDX-License-Identifier: BSD-3-Clause
"""airy runs -> ArviZ: InferenceData on ArviZ 0.x (tested: 0.23.4, the newest for Python
3.11) and xarray.DataTree on ArviZ >= 1.0 (from_dict's {group: {var: array}} form), with the
groups posterior, sample_stats, observed_data and log_likelihood, named dims and coords."""
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
             dims=None, coords=None, config=None):
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
    if posterior is not None:
        # One observed image per exposure: "image" for one, "image_<exposure label>" for several.
        n = posterior.num_exposures
        images = [posterior.core.data(e) for e in range(n)]
        keys = ["image"] if n == 1 else [f"image_{label}" for label in posterior.exposure_names]
        same_shape = all(im.shape == images[0].shape for im in images)
        groups["observed_data"] = dict(zip(keys, images))
        for key, im in zip(keys, images):
            yx = ["y", "x"] if same_shape else [f"y_{key}", f"x_{key}"]
            dims[key] = yx
            coords.setdefault(yx[0], np.arange(im.shape[0]))
            coords.setdefault(yx[1], np.arange(im.shape[1]))
        if log_likelihood and post["draws"].shape[1] > 0:
            c, d, m = post["draws"].shape
            flat = np.ascontiguousarray(post["draws"].reshape(c * d, m))
            groups["log_likelihood"] = {
                key: posterior.core.log_likelihood_draws(flat, e).reshape(c, d, *im.shape)
                for e, (key, im) in enumerate(zip(keys, images))}
    attrs = {"inference_library": "airy", "num_warmup": options.num_warmup,
             "num_chains": options.num_chains, "metric": options.metric,
             "complete": int(all(result["complete"]) and not interrupted),
             "wall_seconds": result["wall_seconds"],
             "gradient_evaluations": int(sum(result["gradient_evaluations"])),
             "adapted_step_size": np.asarray(result["adapted_stepsize"], dtype=float)}
    if posterior is not None:
        attrs["units"] = ",".join(posterior.units)
    if arviz_major() >= 1:  # pragma: no cover - ArviZ 1.x needs Python >= 3.12
        return az.from_dict(groups, coords=coords, dims=dims, attrs=attrs,
                            save_warmup="warmup" in result)
    return az.from_dict(**groups, coords=coords, dims=dims, attrs=attrs,
                        save_warmup="warmup" in result)
