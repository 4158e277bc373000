# SPDX-License-Identifier: BSD-3-Clause
"""airy's NUTS, MAP and Fisher from Python: image posteriors built from Python objects or a
config, custom log densities written in Python or JAX, and ``sample`` returning ArviZ data."""
from __future__ import annotations

import numbers

import numpy as np

from . import _core
from ._validate import NO_MASK, NO_VARIANCE, as_array, as_float, as_image_data, as_int, as_mask, as_variance
from .distributions import Distribution
from .telescope import Telescope

__all__ = ["Prior", "Exposure", "Posterior", "LogDensity", "sample", "optimize", "fisher"]


class Prior:
    """A prior on one telescope parameter path: ``dist`` applies to each entry, in ``unit``
    (telescope value = scale * sampled value), output ``name`` (default: the path's leaf).

    ``exposure`` (multi-exposure posteriors): None = one value shared by every exposure; an
    int e = exposure e's own parameter (output ``<name>_e<e>``); ``"*"`` = one per exposure
    (as the config's ``"exposures.<i>.<path>"`` and ``"exposures.*.<path>"``)."""

    def __init__(self, path: str, dist: Distribution, unit: str = "", scale: float = 1.0, name: str = "",
                 exposure=None):
        if not isinstance(path, str):
            raise TypeError(f"Prior: path: expected a str, got {type(path).__name__}")
        if not isinstance(dist, Distribution):
            raise TypeError(f"Prior '{path}': dist: expected an airy.distributions.Distribution, got {type(dist).__name__}")
        self.path, self.dist, self.unit, self.name = path, dist, str(unit), str(name)
        self.scale = as_float(scale, f"Prior '{path}': scale", positive=True)
        if exposure is not None and exposure != "*":
            exposure = as_int(exposure, f"Prior '{path}': exposure", minimum=0)
        self.exposure = exposure


class Exposure:
    """One exposure of a joint fit: the telescope that renders it (with the exposure's fixed
    settings: dither, band, diversity, flux scale), its data (ny, nx photons) and likelihood
    (as in Posterior) with read-noise ``sigma`` photons; ``name`` labels it ("" = its index).

    Real data's per-pixel noise and bad pixels (docs/calibration.md, the config's
    ``variance``/``err``/``mask`` keys):

    - ``variance``: (ny, nx) photons^2, replacing sigma^2 pixel by pixel (``gaussian``: the
      pixel's variance; ``poisson_gaussian(_exact)``: its read variance, v = max(mu, 0) +
      variance). Finite and > 0 on every pixel that is not masked; not with ``poisson``.
    - ``mask``: (ny, nx) bool or integer, nonzero = left out of the likelihood (data and
      variance there may be NaN). NaN data pixels need a mask.
    """

    def __init__(self, telescope: Telescope, data, likelihood: str = "poisson_gaussian",
                 sigma: float = 3.0, name: str = "", *, variance=None, mask=None):
        if not isinstance(telescope, Telescope):
            raise TypeError(f"Exposure: telescope: expected an airy.Telescope, got {type(telescope).__name__}")
        label = f"exposure '{name}': " if name else ""
        self.telescope = telescope
        shape = telescope.image_shape
        self.likelihood = str(likelihood)
        self.mask = None if mask is None else as_mask(mask, f"{label}mask", shape)
        self.data = as_image_data(data, f"{label}data", shape, self.mask)
        self.variance = None
        if variance is not None:
            if self.likelihood == "poisson":
                raise _core.InvalidArgument(
                    f"{label}variance: a variance map needs a Gaussian likelihood (gaussian, poisson_gaussian or"
                    " poisson_gaussian_exact); poisson's variance is the model itself")
            self.variance = as_variance(variance, f"{label}variance", shape, self.mask)
        self.sigma = as_float(sigma, f"{label}sigma", positive=True)
        self.name = str(name)


class Posterior:
    """p(parameters | images): priors on telescope paths and one image likelihood per
    exposure ('poisson', 'gaussian', 'poisson_gaussian' (default), 'poisson_gaussian_exact')
    with read-noise ``sigma`` photons, or a per-pixel ``variance`` map and a ``mask`` of pixels
    to leave out (see Exposure). ``priors``: {path: Distribution} or a list of Prior.

    ``Posterior(telescope, priors, data)``: one image. ``Posterior([Exposure, ...], priors)``:
    several exposures fitted jointly (airy::posterior::ImagePosterior's N exposures): a prior
    is shared by every exposure unless its ``exposure`` says otherwise, and the log density is
    sum_e log L_e(d_e | model_e(shared, own_e)) + log priors."""

    def __init__(self, telescope, priors, data=None, likelihood: str = "poisson_gaussian",
                 sigma: float = 3.0, *, variance=None, mask=None):
        if isinstance(telescope, (list, tuple)):
            if data is not None:
                raise _core.InvalidArgument("data: a list of Exposure objects carries its own data (pass data=None)")
            for arg, v in (("variance", variance), ("mask", mask)):
                if v is not None:
                    raise _core.InvalidArgument(f"{arg}: a list of Exposure objects carries its own maps"
                                                f" (pass airy.Exposure(..., {arg}=...))")
            exposures = list(telescope)
            if not exposures:
                raise _core.InvalidArgument("exposures: at least one Exposure is needed")
            for e in exposures:
                if not isinstance(e, Exposure):
                    raise TypeError(f"exposures: expected airy.Exposure objects, got {type(e).__name__}")
        elif isinstance(telescope, Telescope):
            if data is None:
                raise _core.InvalidArgument("data: the observed image is needed")
            exposures = [Exposure(telescope, data, likelihood, sigma, variance=variance, mask=mask)]
        else:
            raise TypeError(f"telescope: expected an airy.Telescope or a list of airy.Exposure, got {type(telescope).__name__}")
        if isinstance(priors, dict):
            priors = [Prior(k, v) for k, v in priors.items()]
        if not priors:
            raise _core.InvalidArgument("priors: at least one prior is needed")
        n = len(exposures)
        sites = []
        for p in priors:
            if not isinstance(p, Prior):
                raise TypeError(f"priors: expected Prior objects, got {type(p).__name__}")
            if p.exposure is None:
                owners = [-1]
            elif p.exposure == "*":
                owners = list(range(n))
            else:
                if p.exposure >= n:
                    raise _core.InvalidArgument(f"Prior '{p.path}': exposure = {p.exposure}: there are {n} exposure(s) (0..{n - 1})")
                owners = [p.exposure]
            # Paths may be spelled as dLux does; the telescope that owns the site resolves it.
            path = exposures[max(owners[0], 0)].telescope.resolve(p.path)
            sites += [(path, p.dist.core, p.scale, p.unit, p.name, e) for e in owners]
        self._init(_core.ImagePosterior([e.telescope._core for e in exposures], [e.data for e in exposures],
                                        [e.likelihood for e in exposures], [e.sigma for e in exposures],
                                        [e.name for e in exposures], sites,
                                        [NO_VARIANCE if e.variance is None else e.variance for e in exposures],
                                        [NO_MASK if e.mask is None else e.mask for e in exposures]))

    @classmethod
    def _from_core(cls, core):
        p = cls.__new__(cls)
        p._init(core)
        return p

    def _init(self, core):
        self.core = core
        self.density = core.log_density()
        self.telescopes = [Telescope.from_core(core.telescope(e)) for e in range(core.num_exposures)]
        self.telescope = self.telescopes[0]

    @property
    def num_exposures(self) -> int:
        return self.core.num_exposures

    @property
    def exposure_names(self) -> list[str]:
        """Each exposure's label: its name, else its index (as airy's messages)."""
        return [self.core.exposure_name(e) or str(e) for e in range(self.num_exposures)]

    @property
    def dim(self) -> int:
        """Unconstrained dimension."""
        return self.density.dim

    @property
    def names(self) -> list[str]:
        """Output names, vectors as name[i] (1-based)."""
        return self.core.names()

    @property
    def units(self) -> list[str]:
        return self.core.units()

    @property
    def data(self):
        """The observed image (ny, nx); with several exposures, the list of their images."""
        if self.num_exposures == 1:
            return self.core.data(0)
        return [self.core.data(e) for e in range(self.num_exposures)]

    @property
    def variance(self):
        """The variance map (ny, nx photons^2) or None; with several exposures, their list."""
        v = [self.core.variance(e) for e in range(self.num_exposures)]
        return v[0] if self.num_exposures == 1 else v

    @property
    def mask(self):
        """The pixels left out of the likelihood (bool (ny, nx): the given mask plus NaN data
        pixels); with several exposures, their list."""
        m = [self.core.mask(e).astype(bool) for e in range(self.num_exposures)]
        return m[0] if self.num_exposures == 1 else m

    def sites(self):
        """(name, size, path, unit) of each sampled block."""
        return list(zip(self.core.site_names(), self.core.site_sizes(), self.core.site_paths(), self.core.site_units()))

    def site_exposures(self) -> list[int]:
        """Each site's exposure: -1 shared by all, else the exposure it belongs to."""
        return self.core.site_exposures()

    def log_density(self, theta_unc):
        """(log p(theta_unc), gradient) on the unconstrained space (log-Jacobians included)."""
        return self.density.log_density_gradient(as_array(theta_unc, "theta_unc", shape=(self.dim,)))

    def constrain(self, theta_unc) -> np.ndarray:
        return self.density.constrain(as_array(theta_unc, "theta_unc", shape=(self.dim,)))

    def unconstrain(self, values) -> np.ndarray:
        return self.density.unconstrain(as_array(values, "values", shape=(self.density.output_dim,)))

    def current_values(self) -> np.ndarray:
        """Site values of the telescopes' parameters (the truth when they simulated the data)."""
        return self.core.current_values()

    def telescope_at(self, values, exposure: int = 0) -> Telescope:
        """Exposure ``exposure``'s telescope with the sampled parameters at ``values`` (site
        units)."""
        e = as_int(exposure, "exposure", minimum=0)
        return Telescope.from_core(self.core.telescope_at(as_array(values, "values", ndim=1), e))


class LogDensity:
    """A log density on unconstrained R^dim for airy's NUTS.

    ``LogDensity(fn, dim, names=None)``: fn(theta) -> (logp, grad) (numpy);
    ``LogDensity.from_jax(fn, dim)``: a JAX scalar function, differentiated with jax.grad
    (jit-compiled, float64).
    """

    def __init__(self, fn, dim: int, names=None):
        if not callable(fn):
            raise TypeError(f"fn: expected a callable returning (logp, grad), got {type(fn).__name__}")
        self.dim = as_int(dim, "dim", minimum=1)
        self.names = list(names) if names is not None else [f"theta[{i + 1}]" for i in range(self.dim)]
        if len(self.names) != self.dim:
            raise _core.InvalidArgument(f"names: {len(self.names)} names for dim = {self.dim}")
        self.fn = fn
        self.core = _core.make_python_density(self.dim, fn, self.names)

    @classmethod
    def from_jax(cls, fn, dim: int, names=None):
        import jax
        import jax.numpy as jnp

        vg = jax.jit(jax.value_and_grad(fn))

        def numpy_fn(theta):
            # float64 when JAX has x64 enabled (jax.config.update("jax_enable_x64", True)),
            # float32 otherwise; airy's sampler always works in float64.
            v, g = vg(jnp.asarray(theta))
            return float(v), np.asarray(g, dtype=np.float64)

        return cls(numpy_fn, dim, names)

    def __call__(self, theta):
        return self.core.log_density_gradient(as_array(theta, "theta", shape=(self.dim,)))


def density_core(target):
    """The C++ log density of a Posterior or LogDensity; TypeError naming ``target`` else."""
    if isinstance(target, Posterior):
        return target.density
    if isinstance(target, LogDensity):
        return target.core
    raise TypeError(f"target: expected an airy Posterior, Config or LogDensity, got {type(target).__name__}")


def _options(num_warmup, num_samples, num_chains, seed, **kw):
    o = _core.SamplerOptions()
    o.num_warmup = as_int(num_warmup, "num_warmup", minimum=0)
    o.num_samples = as_int(num_samples, "num_samples", minimum=0)
    o.num_chains = as_int(num_chains, "num_chains", minimum=1)
    o.seed = as_int(seed, "seed", minimum=0)
    for k, v in kw.items():
        if v is None:
            continue
        if not hasattr(o, k):
            raise TypeError(f"sample: unknown option '{k}'")
        setattr(o, k, v)
    return o


def sample(target, data=None, *, num_warmup=None, num_samples=None, num_chains=None, seed=None,
           metric=None, init=None, delta=None, max_depth=None, thin=None, save_warmup=None,
           num_threads=None, inv_metric=None, progress_bar=True, log_likelihood=True,
           posterior_predictive=100, dims=None, coords=None):
    """Runs airy's NUTS and returns ArviZ data (InferenceData on ArviZ 0.x, DataTree on 1.x).

    ``target``: a Posterior, a Config (with ``data``), or a LogDensity. Options default to the
    config's [sampler] table, else CmdStan's (1000 + 1000, 4 chains, diag_e). ``init``: None
    (uniform(-2, 2) unconstrained), 'map' (best of L-BFGS starts; Posterior/Config only), or
    values (one vector or one per chain). The GIL is released while sampling; Ctrl-C stops
    every chain after its current iteration and the draws so far are returned (attrs
    ``complete = 0``).

    For a Posterior or Config the result also has ``observed_data`` (every exposure; NaN at
    the pixels left out of the likelihood), ``log_likelihood`` (per pixel, for az.loo /
    az.waic; with several exposures also ``image``, the joint model) and, unless
    ``posterior_predictive=0``, ``posterior_predictive``: replicated data for about that many
    draws in all (evenly spaced in every chain), for az.plot_ppc. The layout is the CLI's
    posterior.nc (docs/file_formats.md).
    """
    from . import arviz_io
    from .config import Config

    cfg = None
    if isinstance(target, Config):
        if data is None:
            raise _core.InvalidArgument("sample: data: a Config needs the observed image")
        cfg = target
        target = cfg.posterior(data)
    elif data is not None:
        raise _core.InvalidArgument("sample: data: only a Config takes data (a Posterior already has it)")
    density = density_core(target)

    o = cfg.sampler_options() if cfg is not None else _core.SamplerOptions()
    base = dict(num_warmup=o.num_warmup, num_samples=o.num_samples, num_chains=o.num_chains, seed=o.seed)
    for k, v in dict(num_warmup=num_warmup, num_samples=num_samples, num_chains=num_chains, seed=seed).items():
        if v is not None:
            base[k] = v
    extra = {k: getattr(o, k) for k in ("metric", "delta", "max_depth", "thin", "save_warmup", "num_threads")}
    extra.update({k: v for k, v in dict(metric=metric, delta=delta, max_depth=max_depth, thin=thin,
                                         save_warmup=save_warmup, num_threads=num_threads).items() if v is not None})
    if extra["metric"] not in ("unit_e", "diag_e", "dense_e"):
        raise _core.InvalidArgument(f"sample: metric = '{extra['metric']}': expected unit_e, diag_e or dense_e")
    options = _options(**base, **extra)
    if inv_metric is not None:
        options.inv_metric = as_array(inv_metric, "inv_metric")
    map_values = None
    # (init may be an array of values: compare with "map" only when it is a string)
    want_map = (isinstance(init, str) and init == "map") or (init is None and cfg is not None and cfg.sampler.init == "map")
    laplace = cfg is not None and (cfg.sampler.metric == "fisher" or cfg.sampler.metric_init == "laplace")
    if (want_map or laplace) and isinstance(target, Posterior):
        starts = cfg.sampler.map_starts if cfg is not None else 16
        fit = optimize(target, num_starts=starts, seed=options.seed)
        map_values = fit["values"]
        if want_map:
            options.init = [list(map_values)]
        if laplace and inv_metric is None:
            lap = fisher(target, map_values, as_xarray=False)["laplace_unconstrained"]
            options.inv_metric = lap if options.metric == "dense_e" else np.ascontiguousarray(np.diag(lap))
            if cfg.sampler.metric == "fisher":
                options.adapt_metric = False
    elif isinstance(init, str):
        raise _core.InvalidArgument(f"sample: init = '{init}': expected None, 'map' (posteriors) or values")
    elif init is not None:
        arr = np.atleast_2d(as_array(init, "init"))
        options.init = [list(r) for r in arr]

    result, interrupted = _run(density, options, progress_bar)
    return arviz_io.to_arviz(result, target if isinstance(target, Posterior) else None, options,
                             interrupted=interrupted, log_likelihood=log_likelihood,
                             posterior_predictive=posterior_predictive, dims=dims, coords=coords,
                             config=cfg)


def _run(density, options, progress_bar):
    run = _core.SamplerRun(density, options)
    bar = None
    if progress_bar:
        try:
            from tqdm.auto import tqdm
            bar = tqdm(total=run.total, desc=f"airy NUTS ({options.num_chains} chains)", unit="draw")
        except ImportError:  # pragma: no cover - tqdm is a test requirement
            bar = None
    shown = 0
    interrupted = False
    try:
        while not run.wait(0.1):
            if bar is not None:
                now = run.progress
                bar.update(now - shown)
                shown = now
    except KeyboardInterrupt:
        run.abort()
        interrupted = True
        while not run.wait(0.1):
            pass
    finally:
        if bar is not None:
            bar.update(run.progress - shown)
            bar.close()
    return run.result(), interrupted


def optimize(posterior: Posterior, *, objective: str = "map", num_starts: int = 16, seed: int = 1,
             max_evaluations: int = 3000, starts=None) -> dict:
    """MAP (or 'ml') fit by L-BFGS from ``starts`` then ``num_starts`` prior draws. Returns
    {'names', 'units', 'values' (best, numpy), 'objective', 'starts' [...], 'seconds'}."""
    if not isinstance(posterior, Posterior):
        raise TypeError(f"posterior: expected an airy.Posterior, got {type(posterior).__name__}")
    st = [] if starts is None else [list(r) for r in np.atleast_2d(as_array(starts, "starts"))]
    r = _core.optimize(posterior.core, str(objective), as_int(num_starts, "num_starts", minimum=0),
                       as_int(seed, "seed", minimum=0), as_int(max_evaluations, "max_evaluations", minimum=1), st)
    best = r["starts"][r["best"]]
    r["values"] = best["values"]
    r["objective"] = best["objective"]
    return r


def fisher(posterior: Posterior, values=None, *, as_xarray: bool = True):
    """Fisher information, Cramér-Rao bounds and the Laplace covariance at ``values`` (site
    units; default: the telescope's current values). An xarray.Dataset with dims
    (parameter, parameter2), or the plain dict with as_xarray=False."""
    if not isinstance(posterior, Posterior):
        raise TypeError(f"posterior: expected an airy.Posterior, got {type(posterior).__name__}")
    v = posterior.current_values() if values is None else as_array(values, "values", ndim=1)
    f = _core.fisher(posterior.core, v)
    if not as_xarray:
        return f
    import xarray as xr
    names = f["names"]
    mats = ("fisher", "covariance", "correlation", "fisher_unconstrained", "prior_hessian",
            "laplace_unconstrained", "laplace")
    ds = xr.Dataset(
        {**{k: (("parameter", "parameter2"), f[k]) for k in mats},
         **{k: ("parameter", f[k]) for k in ("values", "unconstrained", "crb", "laplace_sd")}},
        coords={"parameter": names, "parameter2": names, "unit": ("parameter", f["units"])})
    return ds
