"""Compiled passes over residents (numba, an optional extra): loaded only when first used.

A module with a compiled pass writes it as a plain Python function that loops with `prange` (a module-level
name bound to `range`), and calls `compiled(functions)` to get the compiled forms; `prange` is bound to
numba.prange when they are compiled, so the plain functions stay readable (and runnable) Python. Likewise
`prefetch(array, row)` (import it from here): nothing in plain Python; compiled, a hint to the processor to
start loading that row of a 2-D array, so that reading a tie that lives far away in memory (a city-wide tie)
waits less. It changes no number.

A pass may call small functions of its own (per resident, shared with another pass): mark them `@called`;
`compiled` compiles those it finds among a pass's global names along with it.
"""

from __future__ import annotations

import importlib.util
import math
import os

import numpy as np

# numba would otherwise vectorize `math.exp` with Intel's SVML where that library is installed, whose bits are
# not the C library's (model.elementary); read by numba when it is first imported
os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")

_cache: dict = {}
prange = range    # numba.prange once compiled (this module's own `_logistic_into`)
PREFETCH_AHEAD = 24   # ties: how far ahead of the tie being read a pass asks for the next ones (measured at 3M)


def prefetch(array, row) -> None:
    """Plain Python: nothing (see the module's docstring)."""


_called: dict[int, object] = {}   # id -> function


def called(function):
    """Mark `function` as called by compiled passes (it is compiled with them; plain Python stays plain)."""
    _called[id(function)] = function
    return function


CACHE_LINE = 64   # bytes the processor loads from memory at a time (x86-64 and most ARM cores)


def rows_in_cache_lines(n: int, width: int) -> np.ndarray:
    """An empty float64 array of n rows and at least `width` columns whose rows each lie within one cache
    line: each row is padded to a power of two of bytes, up to a line, and the array starts on a line. A pass
    that reads scattered rows (a resident's ties) then loads one line a row, not two for the rows a line
    boundary splits: the belief pass at 1,000,000 residents went from about 100 ms to 60 ms
    (docs/performance.md)."""
    per_line = CACHE_LINE // 8
    padded = next(w for w in (1, 2, 4, 8) if w >= width) if width <= per_line else width
    buffer = np.empty(n * padded + per_line)
    start = (-buffer.ctypes.data % CACHE_LINE) // 8
    return buffer[start:start + n * padded].reshape(n, padded)


def exp_is_the_c_librarys() -> bool:
    """Whether a compiled pass's `math.exp` gives the C library's exponential (what `model.elementary` computes) to
    the last bit, so that a pass may take the logistic chance itself (on every core) without changing a result.
    numba calls the C library's `exp` unless it vectorizes the loop with Intel's SVML, which this module switches
    off; checked once, on 200,001 values from -745 to 710 (where exp is finite and not subnormal, and beyond)."""
    if "exp_is_the_c_librarys" not in _cache:
        _cache["exp_is_the_c_librarys"] = available() and _exp_agrees()
    return _cache["exp_is_the_c_librarys"]


def _exp_agrees() -> bool:
    import numba  # noqa: PLC0415

    from model.elementary import logistic_of_negative  # noqa: PLC0415  (it compiles through this module)

    if numba.config.USING_SVML:
        return False
    x = np.concatenate([np.linspace(-745.0, 710.0, 100_001), np.linspace(-40.0, 40.0, 100_000)])
    out = np.empty_like(x)
    compiled(_logistic_into)[0](x, out)
    with np.errstate(over="ignore"):
        return bool(np.array_equal(out, logistic_of_negative(x.copy())))


def _logistic_into(x, out):
    for i in prange(len(x)):
        out[i] = 1 / (math.exp(x[i]) + 1)


def available() -> bool:
    """Whether numba is installed (`pip install -e ".[fast]"`)."""
    return importlib.util.find_spec("numba") is not None


def use_threads(n: int) -> int:
    """Run the compiled passes' `prange` loops on `n` threads (at most the cores numba found); returns the number
    used. Results do not depend on it (tests/test_belief_kernel.py)."""
    import numba  # noqa: PLC0415

    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))
    return numba.get_num_threads()


def threads() -> int:
    """The threads the compiled passes' `prange` loops run on."""
    import numba  # noqa: PLC0415

    return numba.get_num_threads()


def compiled(*functions, parallel: bool = True) -> tuple:
    """The compiled forms of `functions` (compiled once per machine, then loaded from numba's cache in
    __pycache__). `parallel`: their `prange` loops run on every core."""
    key = (functions, parallel)
    if key not in _cache:
        import numba  # noqa: PLC0415  (an optional extra, and slow to import: only when used)

        for f in functions:
            # numba.prange in any case (a serial compilation reads it as range): numba resolves the name when it
            # compiles, at the first call, so binding range here would turn a module's parallel passes serial
            f.__globals__["prange"] = numba.prange
            f.__globals__["prefetch"] = _prefetch_intrinsic()
            _compile_called(f, numba)
        _cache[key] = tuple(numba.njit(parallel=parallel, cache=True)(f) for f in functions)
    return _cache[key]


def _compile_called(function, numba) -> None:
    """Bind the `@called` functions among `function`'s global names to their compiled forms (and theirs)."""
    for name in function.__code__.co_names:
        target = function.__globals__.get(name)
        if id(target) in _called and _called[id(target)] is target:
            _compile_called(target, numba)
            if ("called", target) not in _cache:
                _cache[("called", target)] = numba.njit(cache=True)(target)
            function.__globals__[name] = _cache[("called", target)]


def _prefetch_intrinsic():
    """`prefetch` compiled: LLVM's prefetch intrinsic (read, low temporal locality, data cache) on the address of
    array[row, 0]."""
    if "prefetch" in _cache:
        return _cache["prefetch"]
    from llvmlite import ir  # noqa: PLC0415
    from numba.core import cgutils, types  # noqa: PLC0415
    from numba.extending import intrinsic  # noqa: PLC0415

    @intrinsic
    def prefetch_row(typingctx, array, row):
        def codegen(context, builder, signature, args):
            array_type = signature.args[0]
            view = context.make_array(array_type)(context, builder, args[0])
            zero = context.get_constant(types.intp, 0)
            row_index = context.cast(builder, args[1], signature.args[1], types.intp)
            address = cgutils.get_item_pointer(context, builder, array_type, view, [row_index, zero])
            byte = ir.IntType(8).as_pointer()
            hint = builder.module.declare_intrinsic(
                "llvm.prefetch", fnty=ir.FunctionType(ir.VoidType(), [byte, *[ir.IntType(32)] * 3]))
            builder.call(hint, [builder.bitcast(address, byte), ir.IntType(32)(0), ir.IntType(32)(1),
                                ir.IntType(32)(1)])
            return context.get_dummy_value()

        return types.void(array, row), codegen

    _cache["prefetch"] = prefetch_row
    return prefetch_row
