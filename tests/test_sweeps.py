"""Sweeps: resume after a kill without losing or repeating runs, the same tables on any launcher,
and no silent overwrite of a finished run by a different configuration."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from experiments.compare import complete_runs, load_sweep
from experiments.run import RunConflict, run
from experiments.schema import CONF_DIR, register

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
register()


def sweep(folder: Path, *overrides: str, wait: bool = True) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "experiments.run", "-m", f"hydra.sweep.dir={folder}", f"output.root={folder}",
           "output.print_summary=false", "population.size=2000", "days=90", *overrides]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    if wait:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, out
        proc.output = out
    return proc


def test_a_killed_sweep_resumes_without_losing_or_repeating_runs(tmp_path):
    grid = ("policy=decoupled,secure_communities,287g_task_force", "seed=0,1,2", "hydra/launcher=basic")
    proc = sweep(tmp_path, *grid, wait=False)
    deadline = time.time() + 300
    while len(complete_runs(tmp_path)) < 3 and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {p: json.loads((p / "run.json").read_text())["started"] for p in complete_runs(tmp_path)}
    assert 3 <= len(before) < 9, "the kill should land half way"

    resumed = sweep(tmp_path, *grid)
    after = complete_runs(tmp_path)
    assert len(after) == 9 and len({p.name for p in after}) == 9
    for p, started in before.items():   # finished runs were skipped, not redone
        assert json.loads((p / "run.json").read_text())["started"] == started
    assert resumed.output.count("Already finished, skipped") == len(before)
    assert not list(tmp_path.rglob(".staging-*"))
    assert "[sweep] 9/9 runs done" in resumed.output
    summary = load_sweep(tmp_path)
    assert sorted(set(zip(summary.column("policy").to_pylist(), summary.column("seed").to_pylist()))) == sorted(
        (p, s) for p in ("decoupled", "secure_communities", "287g_task_force") for s in range(3))


def test_the_same_sweep_gives_the_same_tables_on_the_basic_and_joblib_launchers(tmp_path):
    grid = ("policy=decoupled,287g_task_force", "seed=0,1")
    sweep(tmp_path / "basic", *grid, "hydra/launcher=basic")
    sweep(tmp_path / "joblib", *grid, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert_same_tables(tmp_path / "basic", tmp_path / "joblib")


def assert_same_tables(first: Path, second: Path) -> None:
    """The summary and daily tables of two sweep folders are equal, run by run (NaN equal to NaN)."""
    order = [("policy", "ascending"), ("seed", "ascending")]
    for table in ("summary", "daily"):
        a = load_sweep(first, table).drop_columns(["run"]).sort_by(order)
        b = load_sweep(second, table).drop_columns(["run"]).sort_by(order)
        assert a.num_rows == b.num_rows > 0 and a.column_names == b.column_names
        for name in a.column_names:   # assert_array_equal counts NaN == NaN, Table.equals does not
            np.testing.assert_array_equal(a.column(name).to_numpy(zero_copy_only=False),
                                          b.column(name).to_numpy(zero_copy_only=False), err_msg=f"{table}.{name}")


def test_a_finished_run_is_never_overwritten_by_a_different_configuration(tmp_path):
    def cfg(*overrides):
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return compose(config_name="config", overrides=["population.size=300", "days=10",
                                                            "output.print_summary=false", *overrides])
    folder = tmp_path / "run"
    assert run(cfg("seed=1"), folder) is not None
    marker = (folder / "run.json").read_text()
    assert run(cfg("seed=1"), folder) is None                      # same config: skipped
    with pytest.raises(RunConflict, match="different configuration"):
        run(cfg("seed=2"), folder)
    assert (folder / "run.json").read_text() == marker


def _installed(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(not _installed("hydra_plugins.hydra_ray_launcher"),
                    reason="the Ray launcher is an optional extra: pip install -e '.[ray]'")
def test_the_ray_launcher_gives_the_same_tables(tmp_path):
    grid = ("policy=decoupled,pep", "seed=0,1")
    sweep(tmp_path / "basic", *grid, "hydra/launcher=basic")
    sweep(tmp_path / "ray", *grid, "hydra/launcher=ray_cluster", "+hydra.launcher.ray.init.num_cpus=2")
    assert_same_tables(tmp_path / "basic", tmp_path / "ray")


@pytest.mark.skipif(not _installed("hydra_plugins.hydra_submitit_launcher"),
                    reason="the submitit (Slurm) launcher is an optional extra: pip install -e '.[slurm]'")
def test_the_submitit_launcher_runs_a_sweep_locally(tmp_path):
    sweep(tmp_path, "policy=decoupled,pep", "seed=0", "hydra/launcher=local_processes")
    assert len(complete_runs(tmp_path)) == 2
