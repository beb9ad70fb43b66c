"""A run folder's life: claimed by one process, written through a staging folder, published with a
checksummed `run.json`, and checked before anyone trusts it.

- **Claim.** A process computes a run only while it holds an exclusive lock on the folder's `.claim` file
  (`fcntl.flock`; the file records the holder's pid and host). The kernel drops the lock when the holder
  exits or is killed, so a claim can never outlive its process; another process finding the lock taken
  skips the run (or waits for it, `wait_for`).
- **Publish.** Files are written into a hidden `.staging-<pid>` folder and moved into place one by one,
  `run.json` last. `run.json` records each file's size and SHA-256.
- **Check.** A folder is complete when `run.json` parses and every file it lists has its recorded size (and,
  when asked, checksum); a folder whose `run.json` exists but does not check out is *damaged*, never counted
  as finished, and is recomputed by the next run of the same command.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

COMPLETE_MARKER = "run.json"
CLAIM = ".claim"
DAMAGED_SUFFIX = ".damaged"


@dataclass(frozen=True)
class RunState:
    """What a run folder holds: 'absent' (no run.json), 'complete', or 'damaged' (with the problem)."""

    status: str
    meta: dict | None = None
    problem: str = ""

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    @property
    def damaged(self) -> bool:
        return self.status == "damaged"

    def holds(self, identity: str) -> bool:
        """A finished run of the configuration whose `config_identity` is `identity` (a resumed sweep skips it)."""
        return self.complete and self.meta.get("config_sha256") == identity


def inspect_run(folder: Path, checksums: bool = True) -> RunState:
    """The state of a run folder; with `checksums`, every listed file's SHA-256 is verified (else sizes only)."""
    marker = Path(folder) / COMPLETE_MARKER
    if not marker.exists():
        return RunState("absent")
    try:
        meta = json.loads(marker.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return RunState("damaged", problem=f"{COMPLETE_MARKER} is unreadable ({type(err).__name__})")
    if not isinstance(meta, dict) or not isinstance(meta.get("files"), dict):
        return RunState("damaged", problem=f"{COMPLETE_MARKER} lists no files with sizes and checksums")
    for name, record in meta["files"].items():
        problem = _file_problem(Path(folder) / name, record, checksums)
        if problem:
            return RunState("damaged", meta, f"{name} {problem}")
    return RunState("complete", meta)


def _file_problem(path: Path, record: dict, checksum: bool) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "is missing"
    if size != record.get("bytes"):
        return f"has {size:,} bytes, {COMPLETE_MARKER} recorded {record.get('bytes'):,}"
    if checksum and sha256(path) != record.get("sha256"):
        return f"does not match the checksum in {COMPLETE_MARKER}"
    return ""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_complete(folder: Path, checksums: bool = True) -> bool:
    return inspect_run(folder, checksums).complete


def set_aside(folder: Path) -> Path:
    """Rename a damaged run's `run.json` to `run.json.damaged` so the folder no longer looks finished."""
    marker = Path(folder) / COMPLETE_MARKER
    kept = marker.with_name(COMPLETE_MARKER + DAMAGED_SUFFIX)
    os.replace(marker, kept)
    return kept


@dataclass(frozen=True)
class Claim:
    """The outcome of trying to claim a run folder: `mine`, or held by `owner` (pid and host)."""

    mine: bool
    owner: str = ""


@contextmanager
def claim(folder: Path) -> Iterator[Claim]:
    """Claim `folder` for this process while the block runs (creating the folder if needed).

    Yields Claim(mine=False, owner=...) without blocking if a live process holds it. The lock file is left
    in place (one inode for the folder's whole life, so two processes can never both hold it).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / CLAIM, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield Claim(False, _read_owner(fd))
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode(), 0)
        yield Claim(True)
    finally:
        os.close(fd)   # releases the lock


def _read_owner(fd: int) -> str:
    try:
        owner = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {owner['pid']} on {owner['host']}"
    except (ValueError, KeyError, TypeError):
        return "another process"


def wait_for(folder: Path) -> None:
    """Block until no process holds `folder`'s claim (returns at once if none does)."""
    _take_and_release(folder, fcntl.LOCK_EX)


def is_claimed(folder: Path) -> bool:
    """A live process holds `folder`'s claim right now."""
    return not _take_and_release(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _take_and_release(folder: Path, how: int) -> bool:
    """Take `folder`'s claim lock (`how`: blocking or not) and let it go at once; False if it was held."""
    try:
        fd = os.open(Path(folder) / CLAIM, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, how)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def write_run(folder: Path, tables: dict[str, pa.Table], config_yaml: str, meta: dict) -> None:
    """Publish a finished run into `folder`: <name>.parquet per table, config.yaml, then run.json (which
    records every file's size and SHA-256). Call it while holding the folder's claim: any other staging
    folder in it was left by a holder that died, and is removed."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = folder / f".staging-{os.getpid()}"
    staging.mkdir()
    try:
        for name, table in tables.items():
            pq.write_table(table, staging / f"{name}.parquet")
        (staging / "config.yaml").write_text(config_yaml)
        files = {p.name: {"bytes": p.stat().st_size, "sha256": sha256(p)} for p in sorted(staging.iterdir())}
        (staging / COMPLETE_MARKER).write_text(json.dumps({**meta, "files": files}, indent=2, default=str))
        for path in sorted(staging.iterdir(), key=lambda p: p.name == COMPLETE_MARKER):
            os.replace(path, folder / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_atomically(path: Path, write) -> Path:
    """`write(hidden)` into a hidden file beside `path`, then moved over `path` in one step: a reader finds the old
    file or the new one, never half of one. If writing fails (a full disk), the hidden file is removed, `path` is
    left as it was, and the error is raised."""
    hidden = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(hidden)
        os.replace(hidden, path)
    except BaseException:
        hidden.unlink(missing_ok=True)
        raise
    return path


def replace_folder(path: Path, fill) -> Path:
    """`fill(hidden)` fills a hidden folder beside `path`, which then takes the place of `path` (the old one
    removed): a folder of figures is either the old set or the new one. On failure the hidden folder goes."""
    hidden, old = (path.with_name(f".{path.name}.{kind}-{os.getpid()}") for kind in ("tmp", "old"))
    shutil.rmtree(hidden, ignore_errors=True)
    hidden.mkdir(parents=True)
    try:
        fill(hidden)
        if path.exists():
            os.rename(path, old)
        os.rename(hidden, path)
    except BaseException:
        shutil.rmtree(hidden, ignore_errors=True)
        if old.exists() and not path.exists():
            os.rename(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return path
