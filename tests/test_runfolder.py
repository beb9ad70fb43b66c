"""Run folders: one process at a time computes a run, run.json vouches for every file it lists, and a damaged
run is recomputed by resume and left out (and named) by compare."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from experiments.api import compose
from experiments.runs.compare import compare_folder, complete_runs
from experiments.runs.run import run
from experiments.runs.runfolder import CLAIM, claim, inspect_run, is_claimed


def small_config(*overrides: str):
    return compose(["population.size=300", "days=10", "output.print_summary=false", *overrides])


def finished_run(folder, *overrides):
    assert run(small_config(*overrides), folder) is not None
    return folder


def test_run_json_records_every_file_with_its_size_and_checksum(tmp_path):
    folder = finished_run(tmp_path / "run")
    files = json.loads((folder / "run.json").read_text())["files"]
    assert {"daily.parquet", "summary.parquet", "config.yaml"} <= set(files)
    for name, record in files.items():
        assert (folder / name).stat().st_size == record["bytes"] and len(record["sha256"]) == 64
    assert inspect_run(folder).complete


@pytest.mark.parametrize("damage, problem", [
    (lambda f: (f / "run.json").write_text((f / "run.json").read_text()[:40]), "run.json is unreadable"),
    (lambda f: (f / "summary.parquet").write_bytes((f / "summary.parquet").read_bytes()[:100]),
     "summary.parquet has 100 bytes"),
    (lambda f: (f / "daily.parquet").unlink(), "daily.parquet is missing"),
    (lambda f: (f / "summary.parquet").write_bytes(bytes(reversed((f / "summary.parquet").read_bytes()))),
     "summary.parquet does not match the checksum"),
])
def test_a_damaged_run_is_named_left_out_of_compare_and_recomputed_on_resume(tmp_path, capsys, damage, problem):
    good = finished_run(tmp_path / "sweep" / "policy=decoupled", "policy=decoupled")
    bad = finished_run(tmp_path / "sweep" / "policy=pep", "policy=pep")
    damage(bad)
    state = inspect_run(bad)
    assert state.damaged and problem in state.problem

    assert complete_runs(tmp_path / "sweep") == [good]
    assert problem in capsys.readouterr().err
    assert "pep" not in compare_folder(tmp_path / "sweep", "decoupled")

    assert run(small_config("policy=pep"), bad) is not None      # resume: done again, not skipped
    assert f"Damaged run ({state.problem})" in capsys.readouterr().err
    assert inspect_run(bad).complete and (bad / "run.json.damaged").exists()
    assert complete_runs(tmp_path / "sweep") == sorted([good, bad])


def test_a_claimed_run_is_skipped_and_its_staging_left_alone(tmp_path):
    folder = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from experiments.runs.runfolder import claim\n"
        f"with claim(__import__('pathlib').Path({str(folder)!r})) as c:\n"
        "    assert c.mine; print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        staging = folder / ".staging-999999"     # as if the holder were writing
        staging.mkdir()
        assert is_claimed(folder)
        with claim(folder) as mine:
            assert not mine.mine and f"pid {holder.pid}" in mine.owner
        assert run(small_config(), folder) is None
        assert staging.exists() and not (folder / "run.json").exists()
    finally:
        holder.kill()
        holder.wait()
    deadline = time.time() + 10
    while is_claimed(folder) and time.time() < deadline:   # the kernel drops a killed holder's lock
        time.sleep(0.05)
    assert run(small_config(), folder) is not None
    assert not staging.exists() and inspect_run(folder).complete and (folder / CLAIM).exists()
