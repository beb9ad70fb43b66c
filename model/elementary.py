"""Exponential, logarithm and power whose bits do not depend on the processor's vector instructions.

numpy computes float64 `exp`, `log` and `power` with vector code of its own where the processor has AVX-512,
and calls the C library's functions elsewhere; the two differ in the last bit of up to a few values in a
hundred. Where such a value decides a random draw or a stored state (a chance to report, a sampling key, how
much offenders offend), a run would differ from machine to machine. The functions here call the C library on
every processor:

- the exponential and the logarithm through scipy.special's `expit` and `xlogy`, whose loops call the C
  library's `exp` and `log` per value, with no dispatch of their own;
- powers through Python's `math.pow` (the C library's `pow`), in a compiled loop for long arrays where numba is
  installed.

Compiled passes that need the exponential call `math.exp`, which numba also hands to the C library (Intel's
vector library, SVML, is switched off in `model.compiled`). What is left to the machine is the C library itself:
glibc picks its FMA forms of these functions where the processor has FMA (README, "Same results anywhere").
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from model.compiled import available, compiled


def logistic_of_negative(x: np.ndarray) -> np.ndarray:
    """1 / (exp(x) + 1), in place: the logistic function of -x (expit(-x) is 1 / (1 + exp(x)), the same bits)."""
    np.negative(x, out=x)
    return special.expit(x, out=x)


def log(x: np.ndarray) -> np.ndarray:
    """The natural logarithm (-inf at 0), the C library's: 1 x log(x) is log(x) exactly."""
    return special.xlogy(1.0, x)


COMPILED_POWER_FROM = 50_000   # values: below, a Python loop over math.pow costs less than loading numba


def power(x: np.ndarray, y: float) -> np.ndarray:
    """x ** y for an array x and a number y, the C library's `pow` of each value (in a compiled loop for long
    arrays where numba is installed; the same bits either way)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    if len(x) >= COMPILED_POWER_FROM and available():
        out = np.empty_like(x)
        compiled(_power_into, parallel=False)[0](x, float(y), out)
        return out
    y = float(y)
    return np.fromiter((math.pow(v, y) for v in x.tolist()), dtype=np.float64, count=len(x))


def _power_into(x, y, out):
    for i in range(len(x)):
        out[i] = math.pow(x[i], y)


def dispatch() -> dict:
    """What numpy dispatches to on this processor: its baseline and the extra instruction sets it found (the
    groups NPY_DISABLE_CPU_FEATURES can take away), for run.json."""
    try:
        from numpy._core._multiarray_umath import (  # noqa: PLC0415  (numpy's own record, not a public API)
            __cpu_baseline__,
            __cpu_dispatch__,
            __cpu_features__,
        )
    except ImportError:   # a numpy that keeps it elsewhere: the record says so rather than failing the run
        return {"baseline": ["unknown"], "dispatched": ["unknown"]}
    return {"baseline": list(__cpu_baseline__),
            "dispatched": [f for f in __cpu_dispatch__ if __cpu_features__.get(f, False)]}


def fingerprint() -> str:
    """16 hex digits that differ between two machines whose C libraries give these functions different bits
    (glibc's FMA and plain forms, another C library): a digest of each function over 30,000 fixed values."""
    import hashlib  # noqa: PLC0415

    x = np.linspace(-40.0, 40.0, 10_000)
    u = np.linspace(1e-6, 1.0, 10_000)
    digest = hashlib.sha256()
    for values in (logistic_of_negative(x.copy()), log(u), power(u, 1.15), power(u, 0.37)):
        digest.update(values.tobytes())
    return digest.hexdigest()[:16]
