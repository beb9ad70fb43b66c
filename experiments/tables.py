"""Writing a run folder: tables as Parquet, the resolved config, and metadata, published atomically.

Files are written into a hidden staging folder and moved into place one by one, `run.json` last, so a
run folder is complete if and only if it holds `run.json`.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

PACKAGES = ("mesa", "numpy", "scipy", "networkx", "hydra-core", "omegaconf", "pyarrow")
COMPLETE_MARKER = "run.json"


def to_arrow(columns: dict[str, np.ndarray], constants: dict[str, object]) -> pa.Table:
    """A table from equal-length columns, with run identifiers (policy, seed, ...) as leading columns."""
    n = len(next(iter(columns.values())))
    data = {k: pa.array([v] * n) for k, v in constants.items()}
    data.update({k: pa.array(v.tolist() if v.dtype == object else v) for k, v in columns.items()})
    return pa.table(data)


def versions() -> dict[str, str]:
    """Python and package versions, for the record."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str:
    """The source tree's commit (with '+dirty' if it has uncommitted changes), or 'unknown'."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def write_run(folder: Path, tables: dict[str, pa.Table], config_yaml: str, meta: dict) -> None:
    """Publish a finished run into `folder`: <name>.parquet per table, config.yaml, then run.json."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".staging-*"):  # left by a run that was killed while writing
        shutil.rmtree(stale, ignore_errors=True)
    staging = folder / f".staging-{os.getpid()}"
    staging.mkdir()
    try:
        for name, table in tables.items():
            pq.write_table(table, staging / f"{name}.parquet")
        (staging / "config.yaml").write_text(config_yaml)
        (staging / COMPLETE_MARKER).write_text(json.dumps(meta, indent=2, default=str))
        for path in sorted(staging.iterdir(), key=lambda p: p.name == COMPLETE_MARKER):
            os.replace(path, folder / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def is_complete(folder: Path) -> bool:
    """A run folder is complete when its marker file is present."""
    return (folder / COMPLETE_MARKER).exists()
