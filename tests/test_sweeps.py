"""Sweeps: resume after a kill without losing or repeating runs, the same tables on any launcher,
and no silent overwrite of a finished run by a different configuration."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from experiments.api import compose
from experiments.runs.compare import complete_runs, load_sweep
from experiments.runs.run import SWEEP_PARENT, RunConflict, run
from experiments.runs.runfolder import inspect_run
from experiments.runs.schema import register

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
    assert f"{len(before)} finished runs of the same configuration are kept and not launched" in resumed.output
    assert "Already finished, skipped" not in resumed.output   # not even launched
    assert not list(tmp_path.rglob(".staging-*"))
    assert "[sweep] 9/9 runs done" in resumed.output
    summary = load_sweep(tmp_path)
    assert sorted(set(zip(summary.column("policy").to_pylist(), summary.column("seed").to_pylist()))) == sorted(
        (p, s) for p in ("decoupled", "secure_communities", "287g_task_force") for s in range(3))


def test_a_resumed_sweep_launches_only_its_unfinished_jobs_under_their_own_numbers(tmp_path):
    grid = ("seed=0,1,2,3", "days=30", "hydra.sweep.subdir=job${hydra:job.num}", "hydra.output_subdir=.hydra")
    sweep(tmp_path, *grid)
    (tmp_path / "job2" / "run.json").unlink()                          # as if job 2 had been killed
    kept = {job: (tmp_path / job / "run.json").read_text() for job in ("job0", "job1", "job3")}
    resumed = sweep(tmp_path, *grid)
    assert "3 finished runs of the same configuration are kept and not launched" in resumed.output
    assert "[sweep] 4/4 runs done" in resumed.output
    assert {job: (tmp_path / job / "run.json").read_text() for job in kept} == kept
    job2 = OmegaConf.load(tmp_path / "job2" / ".hydra" / "hydra.yaml").hydra.job
    assert (job2.num, json.loads((tmp_path / "job2" / "run.json").read_text())["seed"]) == (2, 2)


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
        return compose(["population.size=300", "days=10", "output.print_summary=false", *overrides])
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


def test_two_identical_sweeps_at_once_compute_every_run_exactly_once(tmp_path):
    grid = ("policy=decoupled,secure_communities,287g_task_force", "seed=0,1", "hydra/launcher=basic")
    first, second = (sweep(tmp_path / "shared", *grid, wait=False) for _ in range(2))
    outputs = []
    for proc in (first, second):
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, out
        outputs.append(out)
    skipped = sum(out.count("Already finished, skipped") + out.count("Being run by another process")
                  for out in outputs)
    assert 12 - skipped == 6, outputs            # 12 jobs in all, 6 runs: each computed once
    for out in outputs:                          # each sweep waited for the other's runs, then compared all six
        assert "mean over 2 seeds" in out and "287g_task_force" in out.split("Scenario comparison")[-1]
    sweep(tmp_path / "alone", *grid)
    assert_same_tables(tmp_path / "alone", tmp_path / "shared")


def test_a_second_sweep_into_the_same_folder_counts_its_own_jobs_and_keeps_the_first_record(tmp_path):
    sweep(tmp_path, "policy=decoupled,pep", "seed=0", "hydra/launcher=basic")
    first_record = (tmp_path / "multirun.yaml").read_text()
    second = sweep(tmp_path, "policy=decoupled,pep", "seed=0", "population.size=1000", "hydra/launcher=basic")
    assert "[sweep] 2/2 runs done" in second.output and "4/2" not in second.output
    assert (tmp_path / "multirun.1.yaml").read_text() == first_record
    assert "population.size=1000" in (tmp_path / "multirun.yaml").read_text()


def descendants(pid: int) -> list[int]:
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True,
                              check=False).stdout.split()
    return [int(c) for c in children] + [d for c in children for d in descendants(int(c))]


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def started_parallel_sweep(folder: Path) -> tuple[subprocess.Popen, list[int]]:
    """A joblib sweep of runs a few seconds long, once both workers are computing: the process and its workers."""
    proc = sweep(folder, "policy=decoupled,pep", "seed=0,1", "population.size=20000", "days=365",
                 "hydra.launcher.n_jobs=2", wait=False)
    deadline = time.time() + 120
    while time.time() < deadline:
        workers = [p for p in descendants(proc.pid) if "loky" in Path(f"/proc/{p}/cmdline").read_text()
                   and "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text()]
        if len(workers) == 2 and all((cpu_seconds(w) or 0) > 2.5 for w in workers):   # past start-up, in a run
            return proc, descendants(proc.pid)
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the sweep's workers did not start")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process state from /proc (Linux)")
def test_sigterm_stops_a_sweep_and_all_its_workers_and_resume_finishes_it(tmp_path):
    proc, workers = started_parallel_sweep(tmp_path)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM and "Stopped (SIGTERM)" in out and "Traceback" not in out
    deadline = time.time() + 5
    while any(cpu_seconds(w) is not None for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert all(cpu_seconds(w) is None for w in workers), "a worker outlived the sweep"
    for folder in tmp_path.iterdir():          # what was published is complete; the rest is not
        if (folder / "run.json").exists():
            assert inspect_run(folder).complete
    resumed = sweep(tmp_path, "policy=decoupled,pep", "seed=0,1", "population.size=20000", "days=365")
    assert "[sweep] 4/4 runs done" in resumed.output


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process state from /proc (Linux)")
def test_after_sigkill_of_a_sweep_no_worker_goes_on_computing(tmp_path):
    proc, workers = started_parallel_sweep(tmp_path)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(3)
        before = {w: cpu_seconds(w) for w in workers}
        time.sleep(2)
        busy = [w for w, t in before.items() if t is not None and (cpu_seconds(w) or t) - t > 0.5]
        assert not busy, "workers went on computing after the sweep was killed"
    finally:
        for w in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(w, signal.SIGKILL)


def test_a_job_whose_sweep_is_already_gone_does_not_begin():
    """A worker that reaches its next job after the sweep's process died (SIGKILL) exits instead of running it;
    a process a worker started (not the sweep's own child) is left alone while the sweep lives."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()                     # a pid that no longer runs
    job = [sys.executable, "-c", "from experiments.runs.run import watch_sweep_parent; watch_sweep_parent(); "
           "print('began')"]
    # the sweep gone; this test's process (the job's parent: it watches and begins); the test's own parent (alive,
    # but the job is not its child: it begins without watching)
    for parent, code, began in ((gone.pid, 1, ""), (os.getpid(), 0, "began\n"), (os.getppid(), 0, "began\n")):
        done = subprocess.run(job, cwd=ROOT, capture_output=True, text=True, timeout=60,
                              env={**os.environ, SWEEP_PARENT: str(parent)})
        assert (done.returncode, done.stdout) == (code, began), done.stderr


@pytest.mark.skipif(not _installed("numba"), reason="the compiled kernel is an optional extra (.[fast])")
def test_a_joblib_sweeps_workers_share_the_cores_among_their_compiled_passes(tmp_path):
    sweep(tmp_path / "joblib", "seed=0,1", "kernel=numba", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    sweep(tmp_path / "basic", "seed=0", "kernel=numba", "hydra/launcher=basic")
    cores = os.cpu_count()
    runs = [json.loads(p.read_text()) for p in sorted((tmp_path / "joblib").rglob("run.json"))]
    assert [(r["kernel"], r["threads"]) for r in runs] == [("numba", max(1, cores // min(cores, 2)))] * 2
    alone = json.loads(next((tmp_path / "basic").rglob("run.json")).read_text())
    assert (alone["kernel"], alone["threads"]) == ("numba", cores)     # one run at a time: every core


KILLER = '''
import os, signal
from dataclasses import dataclass
from pathlib import Path
from model.declare import param
from model.rules import Rule


class KillMyWorker(Rule):
    """Kills its own process on day 2 of the run with seed `victim` (as the kernel's out-of-memory killer
    would), as often as the count in `marker` allows (-1: always)."""

    changes_beliefs = False

    @dataclass
    class Params:
        victim: int = param(0, lo=0, source="test")

    def step(self, day):
        marker = Path(os.environ["KILL_MARKER"])
        if day != 2 or self.model.seed != self.params.victim or not marker.exists():
            return
        left = int(marker.read_text())
        if left == 0:
            return
        marker.write_text(str(left - 1))
        os.kill(os.getpid(), signal.SIGKILL)
'''


@pytest.mark.parametrize("kills, code", [(1, 0), (-1, 5)])
def test_a_killed_worker_does_not_lose_the_sweep(tmp_path, kills, code):
    """A joblib worker killed during one run: the other runs finish. Killed once, its runs are done again and the
    sweep ends well; killed every time, that run is named in one line and the sweep exits 5."""
    (tmp_path / "killer.py").write_text(KILLER)
    (tmp_path / "marker").write_text(str(kills))
    folder = tmp_path / "sweep"
    rules = "rules=[model.rules.crime.CommitCrimes,model.rules.reporting.ReportCrimes,killer.KillMyWorker]"
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "KILL_MARKER": str(tmp_path / "marker")}
    done = subprocess.run([sys.executable, "-m", "experiments.run", "-m", f"hydra.sweep.dir={folder}",
                           "output.print_summary=false", "population.size=300", "days=30", "seed=range(0,6)",
                           rules, "+rule_params.KillMyWorker.victim=3", "hydra.launcher.n_jobs=2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == code, done.stdout[-2000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "a worker process died" in done.stdout
    finished = sorted(json.loads((r / "run.json").read_text())["seed"] for r in complete_runs(folder))
    if code == 0:
        assert finished == [0, 1, 2, 3, 4, 5] and (folder / "comparison.txt").exists()
    else:
        assert finished == [0, 1, 2, 4, 5]
        lost = [line for line in done.stderr.splitlines() if "lost" in line]
        assert len(lost) == 1 and "seed=3" in lost[0], done.stderr
