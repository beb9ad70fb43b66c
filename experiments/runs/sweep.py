"""A run's and a multirun's bookkeeping, as a Hydra callback: check the output folder can be written and every
job's parameters before anything runs, keep each sweep's record, and print progress counting this sweep's
jobs only.

Before a run or a multirun starts, `RunChecks` makes sure its output folder can be written (Hydra would stop
with a traceback). At the start of a multirun (in the launching process) it expands the sweep as Hydra's basic
sweeper does and composes each job's config (`JobConfigs`: each choice of config groups once), so that a sweep
with no jobs, a launcher with no workers or any job with a bad parameter stops the whole sweep before a single
run starts, with the message a single run would give. It notes the sweep's job folders in
`.sweeps/<start>-<pid>.json`; after each job, in whichever process ran it, it counts how many of *this*
sweep's folders hold a published run, so a second sweep into the same folder counts its own jobs. A
`multirun.yaml` left by an earlier, different sweep is kept as `multirun.<n>.yaml`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from hydra._internal.config_loader_impl import get_overrides_dirname
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.experimental.callback import Callback
from hydra.utils import get_method
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from experiments.runs.composing import ComposeOnce, JobConfigs
from experiments.runs.config import composition_problem
from experiments.runs.runfolder import COMPLETE_MARKER, inspect_run, is_complete
from model import ParameterError

STATE_DIR = ".sweeps"
# sweepers that expand the whole sweep up front (the `checked` one is hydra_plugins/community_trust_sweeper)
CHECKED_SWEEPER = "hydra_plugins.community_trust_sweeper.checked_sweeper.CheckedSweeper"
BASIC_SWEEPERS = {"hydra._internal.core_plugins.basic_sweeper.BasicSweeper", CHECKED_SWEEPER}


class SweepError(ValueError):
    """A sweep that cannot start: no jobs, no workers, or a job with a bad parameter."""


def job_overrides(config: DictConfig) -> list[list[str]]:
    """Each job's overrides, as Hydra's basic sweeper will launch them."""
    loader = GlobalHydra.instance().config_loader()
    params = [f"{k}={v}" for k, v in (config.hydra.sweeper.get("params") or {}).items()]
    parser = OverridesParser.create(config_loader=loader)
    overrides = parser.parse_overrides(params + list(config.hydra.overrides.task))
    return [list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]


DEFAULT_SUBDIR = "${hydra:job.override_dirname}"
NAME_MAX = 255   # bytes in one folder name on Linux and macOS file systems


def job_folder(config: DictConfig, overrides: list[str], num: int, loader: ComposeOnce) -> str:
    """The folder (under the sweep folder) of job number `num`, with `overrides` (its config from `loader`)."""
    if _subdir(config) == DEFAULT_SUBDIR:
        name = config.hydra.job.config.override_dirname
        parsed = OverridesParser.create(config_loader=loader).parse_overrides(overrides)
        return get_overrides_dirname(parsed, list(name.exclude_keys), name.item_sep, name.kv_sep)
    cfg = loader.load_sweep_config(config, overrides)
    with open_dict(cfg):
        cfg.hydra.job.num = num     # as every launcher numbers its jobs (their ids are each launcher's own)
    hydra_config = HydraConfig.instance().cfg
    HydraConfig.instance().set_config(cfg)     # the folder's name may interpolate ${hydra:...}
    try:
        return str(cfg.hydra.sweep.subdir)
    finally:
        HydraConfig.instance().cfg = hydra_config


def _subdir(config: DictConfig) -> str:
    return OmegaConf.to_container(config.hydra.sweep, resolve=False)["subdir"]


def check_launcher(config: DictConfig) -> None:
    n_jobs = config.hydra.launcher.get("n_jobs")
    if n_jobs is not None and n_jobs == 0:
        raise SweepError("hydra.launcher.n_jobs = 0: give a number of parallel workers (1 or more), or -1 for "
                         "one per core.")


def check_jobs(config: DictConfig, check, sweep_dir: Path | None = None) -> tuple[list[str], set[tuple]]:
    """Every job's folder, after `check(job_config)` passed (it raises ParameterError; jobs that differ only
    in a non-negative seed share a check), and, with `sweep_dir`, the jobs (their overrides) already finished
    there (`finished_there`)."""
    jobs = job_overrides(config)
    if not jobs:
        overrides = " ".join(config.hydra.overrides.task) or "(none)"
        raise SweepError(f"the sweep expands to no jobs (overrides: {overrides}); check the lists, range() "
                         "and glob() patterns, e.g. policy='glob(*)' matches every scenario.")
    loader = ComposeOnce.of(GlobalHydra.instance().config_loader())   # the launcher's too (CheckedSweeper)
    folders = [job_folder(config, overrides, num, loader) for num, overrides in enumerate(jobs)]
    too_long = next((f for f in folders if any(len(part.encode()) > NAME_MAX for part in Path(f).parts)), None)
    if too_long:
        raise SweepError(f"a job's folder name would be {len(too_long.encode())} bytes, more than the file system's "
                         f"{NAME_MAX} ({too_long[:80]}...): name folders by job number with "
                         "hydra.sweep.subdir='job${hydra:job.num}', or put the fixed overrides in a config file.")
    checked, configs, finished = set(), JobConfigs(config, loader), set()
    look = sweep_dir is not None and "job.id" not in str(_subdir(config))   # job ids: only the launcher knows
    for overrides, folder in zip(jobs, folders):
        cfg = None
        settings = tuple(sorted(o for o in overrides if not _plain_seed(o)))
        if settings not in checked:
            checked.add(settings)
            try:
                cfg = configs(overrides)
                check(cfg)
            except ParameterError as err:
                raise ParameterError(f"job {folder}: {err}") from None
            except (HydraException, OmegaConfBaseException) as err:
                raise ParameterError(f"job {folder}: {composition_problem(err)}") from None
        if look and _published(sweep_dir, folder) and finished_there(sweep_dir / folder, cfg or configs(overrides)):
            finished.add(tuple(overrides))
    return folders, finished


def finished_there(folder: Path, cfg: DictConfig) -> bool:
    """Whether `folder` holds a finished, undamaged run of `cfg`: the test a job makes before it runs
    (`experiments.runs.run.run`), made in the launching process so that the sweeper need not launch it.
    Not for a config that reads Hydra's job settings (`${hydra:...}`), which resolve only in its job."""
    from experiments.runs.run import config_identity  # noqa: PLC0415  (run imports the model's parameters)

    if _reads_hydra(OmegaConf.to_container(cfg, resolve=False)):
        return False
    return inspect_run(folder).holds(config_identity(cfg))


def _reads_hydra(node) -> bool:
    if isinstance(node, dict):
        return any(_reads_hydra(v) for v in node.values())
    if isinstance(node, list):
        return any(_reads_hydra(v) for v in node)
    return isinstance(node, str) and "${hydra:" in node.replace(" ", "")


def _plain_seed(override: str) -> bool:
    key, _, value = override.partition("=")
    return key == "seed" and value.isdigit() and int(value) < 2**63   # a larger one is checked, and refused


def check_writable(folder: Path) -> None:
    """Stop (exit 4) with a one-line message if `folder` cannot be created or written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        print(f"Cannot write to {err.filename or folder}: {err.strerror or err}. Nothing was run; choose a "
              "writable output.root (or hydra.run.dir / hydra.sweep.dir).", file=sys.stderr)
        sys.exit(4)


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
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def finished(sweep_dir: Path, folders: list[str]) -> int:
    """How many of `folders` hold a finished run (sizes checked; checksums are for resume and compare)."""
    return sum(is_complete(sweep_dir / f, checksums=False) for f in folders)


def published(sweep_dir: Path, folders: list[str]) -> int:
    """How many of `folders` hold a published run: its run.json is in place (it is moved in last). For the
    progress line after every job: checking each run's files there made a sweep's bookkeeping grow with the
    square of its jobs (a third of a second a job at 2,000 jobs)."""
    return sum(_published(sweep_dir, f) for f in folders)


def _published(sweep_dir: Path, folder: str) -> bool:
    return os.path.exists(os.path.join(sweep_dir, folder, COMPLETE_MARKER))


class RunChecks(Callback):
    """Check a run or multirun before it starts; print `[sweep] done/total runs, elapsed, ~left` after each job.

    Args:
        check: dotted path of a function taking one job's config and raising ParameterError if it cannot
            run (default: the checks a run makes before it builds the model).
    """

    def __init__(self, check: str = "experiments.runs.run.check_run"):
        self.check = check
        self.finished_jobs: set[tuple] = set()   # for the `checked` sweeper: jobs it need not launch
        self.job_folders: dict[tuple, Path] = {}   # ... and each job's run folder (overrides -> folder)

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        check_writable(Path(config.hydra.run.dir))

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweeper = config.hydra.sweeper.get("_target_")   # not a basic one (Optuna): it proposes jobs as it goes
        try:
            check_launcher(config)
            checked = check_jobs(config, get_method(self.check), sweep_dir if sweeper == CHECKED_SWEEPER else None) \
                if sweeper in BASIC_SWEEPERS else None
        except (SweepError, ParameterError) as err:
            print(f"Not started: {err}\nNothing was run. See README.md, 'Bad input'.", file=sys.stderr)
            sys.exit(2)
        check_writable(sweep_dir)
        if checked is None:
            return
        folders, self.finished_jobs = checked
        self.job_folders = {tuple(o): sweep_dir / f for o, f in zip(job_overrides(config), folders)}
        keep_earlier_record(sweep_dir, config)
        state = {"start": time.time(), "jobs": folders, "done_at_start": finished(sweep_dir, folders)}
        states = sweep_dir / STATE_DIR
        states.mkdir(exist_ok=True)
        (states / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.json").write_text(json.dumps(state))
        print(f"[sweep] {len(folders)} runs, {state['done_at_start']} already finished -> {sweep_dir}", flush=True)
        if self.finished_jobs:
            print(f"[sweep] {len(self.finished_jobs)} finished runs of the same configuration are kept and not "
                  "launched again", flush=True)

    def on_job_end(self, config: DictConfig, job_return, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            folder = Path(config.hydra.runtime.output_dir).resolve().relative_to(sweep_dir.resolve())
        except ValueError:
            return
        state = _state_of(sweep_dir, str(folder))
        if state is None:
            return   # a single run, or a sweeper that does not list its jobs up front
        done, total = published(sweep_dir, state["jobs"]), len(state["jobs"])
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
