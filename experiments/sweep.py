"""A multirun's bookkeeping, as a Hydra callback: check every job before any runs, keep each sweep's record,
and print progress counting this sweep's jobs only.

At the start of a multirun (in the launching process) `SweepChecks` expands the sweep as Hydra's basic
sweeper does and composes each job's config, so that a sweep with no jobs, a launcher with no workers or
any job with a bad parameter stops the whole sweep before a single run starts, with the message a single
run would give. It notes the sweep's job folders in `.sweeps/<start>-<pid>.json`; after each job, in
whichever process ran it, it counts how many of *this* sweep's folders hold a finished run, so a second
sweep into the same folder counts its own jobs. A `multirun.yaml` left by an earlier, different sweep is
kept as `multirun.<n>.yaml`.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from experiments.runfolder import is_complete
from model import ParameterError

STATE_DIR = ".sweeps"
BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


class SweepError(ValueError):
    """A sweep that cannot start: no jobs, no workers, or a job with a bad parameter."""


def job_overrides(config: DictConfig) -> list[list[str]]:
    """Each job's overrides, as Hydra's basic sweeper will launch them."""
    loader = GlobalHydra.instance().config_loader()
    params = [f"{k}={v}" for k, v in (config.hydra.sweeper.get("params") or {}).items()]
    parser = OverridesParser.create(config_loader=loader)
    overrides = parser.parse_overrides(params + list(config.hydra.overrides.task))
    return [list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]


def job_configs(config: DictConfig) -> list[tuple[str, DictConfig]]:
    """(folder relative to the sweep folder, the job's config without its `hydra` node) for every job."""
    loader = GlobalHydra.instance().config_loader()
    jobs = []
    hydra_config = HydraConfig.instance().cfg
    for overrides in job_overrides(config):
        cfg = loader.load_sweep_config(config, overrides)
        HydraConfig.instance().set_config(cfg)     # the folder's name may interpolate ${hydra:...}
        try:
            folder = str(cfg.hydra.sweep.subdir)
        finally:
            HydraConfig.instance().cfg = hydra_config
        task = copy.deepcopy(cfg)
        with read_write(task), open_dict(task):
            del task["hydra"]
        jobs.append((folder, task))
    return jobs


def check_launcher(config: DictConfig) -> None:
    n_jobs = config.hydra.launcher.get("n_jobs")
    if n_jobs is not None and n_jobs == 0:
        raise SweepError("hydra.launcher.n_jobs = 0: give a number of parallel workers (1 or more), or -1 for "
                         "one per core.")


def check_jobs(config: DictConfig, check) -> list[str]:
    """Every job's folder, after `check(job_config)` passed for each (it raises ParameterError)."""
    jobs = job_configs(config)
    if not jobs:
        overrides = " ".join(config.hydra.overrides.task) or "(none)"
        raise SweepError(f"the sweep expands to no jobs (overrides: {overrides}); check the lists, range() "
                         "and glob() patterns, e.g. policy='glob(*)' matches every scenario.")
    for i, (folder, cfg) in enumerate(jobs):
        try:
            check(cfg)
        except ParameterError as err:
            raise ParameterError(f"job {i} ({folder}): {err}") from None
    return [folder for folder, _ in jobs]


def keep_earlier_record(sweep_dir: Path, config: DictConfig) -> None:
    """Keep an earlier, different sweep's multirun.yaml as multirun.<n>.yaml (Hydra overwrites it)."""
    record = sweep_dir / "multirun.yaml"
    if not record.exists() or record.read_text() == OmegaConf.to_yaml(config):
        return
    n = 1
    while (sweep_dir / f"multirun.{n}.yaml").exists():
        n += 1
    record.rename(sweep_dir / f"multirun.{n}.yaml")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def finished(sweep_dir: Path, folders: list[str]) -> int:
    """How many of `folders` hold a finished run (sizes checked; checksums are for resume and compare)."""
    return sum(is_complete(sweep_dir / f, checksums=False) for f in folders)


class SweepChecks(Callback):
    """Check a multirun before it starts; print `[sweep] done/total runs, elapsed, ~left` after each job.

    Args:
        check: dotted path of a function taking one job's config and raising ParameterError if it cannot
            run (default: the checks a run makes before it builds the model).
    """

    def __init__(self, check: str = "experiments.run.check_run"):
        self.check = check

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            check_launcher(config)
            if config.hydra.sweeper.get("_target_") != BASIC_SWEEPER:
                return   # another sweeper (e.g. Optuna) proposes jobs as it goes
            module, _, name = self.check.rpartition(".")
            check = getattr(__import__(module, fromlist=[name]), name)
            folders = check_jobs(config, check)
        except (SweepError, ParameterError) as err:
            print(f"Not started: {err}\nNothing was run. See README.md, 'Bad input'.", file=sys.stderr)
            sys.exit(2)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        keep_earlier_record(sweep_dir, config)
        state = {"start": time.time(), "jobs": folders, "done_at_start": finished(sweep_dir, folders)}
        states = sweep_dir / STATE_DIR
        states.mkdir(exist_ok=True)
        (states / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.json").write_text(json.dumps(state))
        print(f"[sweep] {len(folders)} runs, {state['done_at_start']} already finished -> {sweep_dir}", flush=True)

    def on_job_end(self, config: DictConfig, job_return, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            folder = Path(config.hydra.runtime.output_dir).resolve().relative_to(sweep_dir.resolve())
        except ValueError:
            return
        state = _state_of(sweep_dir, str(folder))
        if state is None:
            return   # a single run, or a sweeper that does not list its jobs up front
        done, total = finished(sweep_dir, state["jobs"]), len(state["jobs"])
        elapsed = time.time() - state["start"]
        new = done - state["done_at_start"]
        line = f"[sweep] {done}/{total} runs done, {_duration(elapsed)} elapsed"
        if new > 0 and done < total:
            line += f", about {_duration(elapsed / new * (total - done))} left"
        print(line, flush=True)


def _state_of(sweep_dir: Path, folder: str) -> dict | None:
    """The latest sweep noted in `sweep_dir` whose jobs include `folder`."""
    latest = None
    for path in (sweep_dir / STATE_DIR).glob("*.json"):
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if folder in state["jobs"] and (latest is None or state["start"] > latest["start"]):
            latest = state
    return latest
