# SPDX-License-Identifier: BSD-3-Clause
"""Input checks shared by the Python layer: every array that reaches C++ is float64,
C-contiguous, of the expected rank and finite, and a bad one raises an exception that names
the argument (never a crash)."""
from __future__ import annotations

import numbers

import numpy as np

from ._core import InvalidArgument


def as_array(value, name: str, *, ndim: int | None = None, shape: tuple | None = None,
             finite: bool = True) -> np.ndarray:
    """``value`` as a float64 C-contiguous array (no copy when it already is one).

    Raises TypeError for non-numeric input and airy.InvalidArgument (a ValueError) for a
    wrong rank or shape or non-finite entries, naming ``name``.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # e.g. ragged nested lists
        raise InvalidArgument(f"{name}: cannot be converted to an array ({exc})") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name}: expected real numbers, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected numbers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise InvalidArgument(f"{name}: expected a {ndim}-D array, got shape {arr.shape}")
    if shape is not None:
        for i, (want, got) in enumerate(zip(shape, arr.shape)):
            if want is not None and want != got:
                raise InvalidArgument(f"{name}: expected shape {_fmt(shape)}, got {arr.shape}")
        if len(shape) != arr.ndim:
            raise InvalidArgument(f"{name}: expected shape {_fmt(shape)}, got {arr.shape}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise InvalidArgument(f"{name}: non-finite value {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    return arr


def as_float(value, name: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    """A finite real scalar; raises TypeError/InvalidArgument naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray, np.generic)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise InvalidArgument(f"{name}: expected a scalar, got shape {arr.shape}")
    v = float(arr.reshape(()))
    if not np.isfinite(v):
        raise InvalidArgument(f"{name} = {v}: must be finite")
    if positive and v <= 0:
        raise InvalidArgument(f"{name} = {v}: must be > 0")
    if nonnegative and v < 0:
        raise InvalidArgument(f"{name} = {v}: must be >= 0")
    return v


def as_int(value, name: str, *, minimum: int | None = None) -> int:
    """An integer (numpy integers and integral floats accepted); raises naming ``name``."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected an integer, got bool")
    if isinstance(value, (numbers.Integral, np.integer)):
        v = int(value)
    elif isinstance(value, (numbers.Real, np.floating)) and float(value).is_integer():
        v = int(value)
    else:
        raise TypeError(f"{name}: expected an integer, got {value!r}")
    if minimum is not None and v < minimum:
        raise InvalidArgument(f"{name} = {v}: must be >= {minimum}")
    return v


def _fmt(shape) -> str:
    return "(" + ", ".join("n" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


#: "No map" for the C++ side (an array with no element; airy._core reads it as absent).
NO_VARIANCE = np.zeros((0, 0))
NO_MASK = np.zeros((0, 0), dtype=np.uint8)


def _pixel(arr_index) -> str:
    y, x = (int(i) for i in arr_index)
    return f"(x={x}, y={y})"


def as_mask(value, name: str, shape: tuple) -> np.ndarray:
    """A pixel mask of ``shape`` (ny, nx) as uint8, nonzero = left out of the likelihood.

    Accepts bool or integer arrays (a data-quality map: nonzero = bad); floats are refused
    (TypeError naming ``name``: pass ``mask != 0`` to say what counts as masked). Raises
    airy.InvalidArgument for a wrong shape or a mask that leaves no pixel.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise InvalidArgument(f"{name}: cannot be converted to an array ({exc})") from None
    if arr.dtype.kind not in "biu":
        raise TypeError(f"{name}: expected a bool or integer array (nonzero = masked), got dtype {arr.dtype}"
                        " (pass e.g. `mask != 0`)")
    if arr.shape != tuple(shape):
        raise InvalidArgument(f"{name}: expected shape {_fmt(shape)} (the data image), got {arr.shape}")
    out = np.ascontiguousarray(arr != 0, dtype=np.uint8)
    if out.size and out.all():
        raise InvalidArgument(f"{name}: all {out.size} pixels are masked: no data left")
    return out


def as_image_data(value, name: str, shape: tuple, mask: np.ndarray | None) -> np.ndarray:
    """A data image (ny, nx) as float64; non-finite values are allowed only on masked pixels
    (the likelihood leaves them out), else airy.InvalidArgument names the first pixel."""
    arr = as_array(value, name, ndim=2, finite=False)
    if arr.shape != tuple(shape):
        raise InvalidArgument(f"{name}: shape {arr.shape} differs from the telescope's image {tuple(shape)}")
    bad = ~np.isfinite(arr)
    if mask is not None:
        bad &= mask == 0
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        hint = "" if mask is None else " that is not masked"
        raise InvalidArgument(f"{name}: non-finite value {arr[i]} at pixel {_pixel(i)}{hint}"
                              " (pass mask=... to leave bad pixels out)")
    return arr


def as_variance(value, name: str, shape: tuple, mask: np.ndarray | None) -> np.ndarray:
    """A per-pixel variance map (ny, nx) in photons^2 as float64: finite and > 0 on every pixel
    that is not masked (masked pixels may hold anything, e.g. 0 or NaN for bad pixels)."""
    try:
        dtype = np.asarray(value).dtype
    except Exception:
        dtype = None
    if dtype is not None and dtype.kind == "b":
        raise TypeError(f"{name}: expected a float array (photons^2), got dtype bool")
    arr = as_array(value, name, ndim=2, finite=False)
    if arr.shape != tuple(shape):
        raise InvalidArgument(f"{name}: expected shape {_fmt(shape)} (the data image), got {arr.shape}")
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(arr) & (arr > 0))
    if mask is not None:
        bad &= mask == 0
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        raise InvalidArgument(f"{name}: value {arr[i]} at pixel {_pixel(i)}: every pixel that is not masked"
                              " needs a finite variance > 0 (photons^2)")
    return arr
