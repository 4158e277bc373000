# SPDX-License-Identifier: BSD-3-Clause
"""zodiax-style immutable components: ``.get(path)`` and ``.set(paths, values)`` (returning a
new object) over the constructor's named parameters, with nested paths through containers."""
from __future__ import annotations

import numpy as np


class Base:
    """An immutable component described by its constructor's keyword values.

    Subclasses list their parameter names in ``_fields`` and build the C++ object in
    ``_build()``; ``set`` copies, replaces and rebuilds (so the C++ core validates the new
    values and raises naming the parameter).
    """

    _fields: tuple[str, ...] = ()

    def __init__(self, **values):
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_ref", None)
        object.__setattr__(self, "_ref", self._build())

    def _build(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__} has no parameter or attribute '{name}'")

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable: use .set('{name}', value)")

    def __repr__(self):
        inner = ", ".join(f"{k}={_short(v)}" for k, v in self._values.items())
        return f"{type(self).__name__}({inner})"

    def _children(self) -> dict:
        """Named sub-components reachable by dotted paths (containers override)."""
        return {}

    def get(self, path: str):
        """The value of a parameter; dotted paths reach into sub-components."""
        head, _, rest = path.partition(".")
        children = self._children()
        if rest and head in children:
            return children[head].get(rest)
        if rest or head not in self._fields:
            raise KeyError(f"{type(self).__name__}: unknown parameter path '{path}' "
                           f"(parameters: {', '.join(self._fields + tuple(children))})")
        return self._values[head]

    def set(self, paths, values):
        """A copy with ``paths`` (a str or a list) replaced by ``values`` (same structure)."""
        if isinstance(paths, str):
            paths, values = [paths], [values]
        if len(paths) != len(values):
            raise ValueError(f"set: {len(paths)} paths but {len(values)} values")
        out = self
        for p, v in zip(paths, values):
            out = out._set_one(p, v)
        return out

    def _set_one(self, path: str, value):
        head, _, rest = path.partition(".")
        children = self._children()
        if rest and head in children:
            return self._with_child(head, children[head]._set_one(rest, value))
        if rest or head not in self._fields:
            raise KeyError(f"{type(self).__name__}: unknown parameter path '{path}' "
                           f"(parameters: {', '.join(self._fields + tuple(children))})")
        new_values = dict(self._values)
        new_values[head] = value
        return self._rebuild(new_values)

    def _rebuild(self, values: dict):
        # Through the constructor, so the new values get the same checks as the first ones.
        return type(self)(**values)

    def _with_child(self, key, child):  # pragma: no cover - containers override
        raise KeyError(key)


def _short(v):
    if isinstance(v, np.ndarray) and v.size > 4:
        return f"array{v.shape}"
    return repr(v)
