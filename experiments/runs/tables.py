"""A run's tables as Arrow, and the record of what produced them (package versions, git commit).
Writing them into a run folder is experiments.runfolder's job."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
from importlib import metadata

import numpy as np
import pyarrow as pa

from experiments.paths import ROOT

PACKAGES = ("mesa", "numpy", "scipy", "numba", "networkx", "hydra-core", "omegaconf", "pyarrow")
# environment variables that change which code computes a run's numbers (README, "Same results anywhere")
DISPATCH_VARIABLES = ("NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES", "GLIBC_TUNABLES",
                      "NUMBA_DISABLE_INTEL_SVML")


def to_arrow(columns: dict[str, np.ndarray], constants: dict[str, object]) -> pa.Table:
    """A table from equal-length columns, with run identifiers (policy, seed, ...) as leading columns."""
    n = len(next(iter(columns.values())))
    data = {k: pa.array([v] * n) for k, v in constants.items()}
    data.update({k: pa.array(v.tolist() if v.dtype == object else v) for k, v in columns.items()})
    return pa.table(data)


@functools.cache
def versions() -> dict[str, str]:
    """Python and package versions, for the record (those this process imported at its start)."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@functools.cache
def machine() -> dict:
    """Where a run ran, as far as it decides the bits of its results: the processor (its model, and whether it has
    FMA and AVX-512, which select the C library's and numpy's forms of exp, log and pow), numpy's SIMD dispatch, the
    C library and a fingerprint of its exp, log and pow (equal on two machines whose functions give the same
    bits), and the environment variables that change either (asked once per process)."""
    from model.elementary import dispatch, fingerprint  # noqa: PLC0415  (numpy's internals, read for the record)

    flags, name = set(), platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8", errors="replace"):
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                name = value.strip()
            elif key.strip() in ("flags", "Features"):
                flags = set(value.split())
                break
    except OSError:
        pass
    return {"cpu": name, "architecture": platform.machine(),
            "fma": "fma" in flags or platform.machine() in ("aarch64", "arm64"), "avx512f": "avx512f" in flags,
            "numpy_dispatch": dispatch(), "libc": " ".join(platform.libc_ver()).strip() or "unknown",
            "libc_math_fingerprint": fingerprint(),
            "environment": {k: os.environ[k] for k in DISPATCH_VARIABLES if k in os.environ}}


@functools.cache
def git_commit() -> str:
    """The source tree's commit (with '+dirty' if it has uncommitted changes), or 'unknown': asked once per
    process, since the code a process runs is the code it imported when it started."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
