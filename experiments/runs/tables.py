"""A run's tables as Arrow, and the record of what produced them (package versions, git commit).
Writing them into a run folder is experiments.runfolder's job."""

from __future__ import annotations

import functools
import platform
import subprocess
from importlib import metadata

import numpy as np
import pyarrow as pa

from experiments.paths import ROOT

PACKAGES = ("mesa", "numpy", "scipy", "networkx", "hydra-core", "omegaconf", "pyarrow")


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
