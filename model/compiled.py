"""Compiled passes over residents (numba, an optional extra): loaded only when first used.

A module with a compiled pass writes it as a plain Python function that loops with `prange` (a module-level
name bound to `range`), and calls `compiled(functions)` to get the compiled forms; `prange` is bound to
numba.prange when they are compiled, so the plain functions stay readable (and runnable) Python.
"""

from __future__ import annotations

import importlib.util

_cache: dict = {}


def available() -> bool:
    """Whether numba is installed (`pip install -e ".[fast]"`)."""
    return importlib.util.find_spec("numba") is not None


def compiled(*functions, parallel: bool = True) -> tuple:
    """The compiled forms of `functions` (compiled once per machine, then loaded from numba's cache in
    __pycache__). `parallel`: their `prange` loops run on every core."""
    key = (functions, parallel)
    if key not in _cache:
        import numba  # noqa: PLC0415  (an optional extra, and slow to import: only when used)

        for f in functions:
            f.__globals__["prange"] = numba.prange if parallel else range
        _cache[key] = tuple(numba.njit(parallel=parallel, cache=True)(f) for f in functions)
    return _cache[key]
