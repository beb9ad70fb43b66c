"""The sweeper of `python -m experiments.run -m`: Hydra's basic sweeper, relying on the RunChecks callback
(experiments.runs.sweep), which has composed and checked every job before the sweep starts.

- Hydra's basic sweeper composes each job's config before it launches a batch, to fail early. RunChecks did
  that and more (it checks every job's parameters, as the job will). Composing again costs about a fifth of
  a second a job, in the launching process, before the first job starts; this sweeper does not.
- In whichever process runs the jobs, each choice of config groups is composed once, and each job's config
  is a copy with its values applied (`experiments.runs.composing.ComposeOnce`; equal to Hydra's composition).
- A job whose folder already holds a finished run of the same configuration (a resumed sweep) is not
  launched: it would only be composed in a worker to find that out (about a fifth of a second a job, ten
  minutes for a finished 2,000-job design on 2 workers). The others are launched with the job numbers they
  have in the whole sweep (`${hydra:job.num}` may name their folders).

- A worker process that dies (the kernel's out-of-memory killer, a kill) takes the runs in progress with it,
  and joblib then stops the whole batch. The sweep goes on instead: the jobs not finished are launched again;
  a job that was in progress when workers died twice is not, and is named at the end, where the sweep exits 5
  ("Run the same command again" resumes it). The runs that finished are kept either way.

The jobs, their order and their batches are the basic sweeper's. Without RunChecks among the callbacks, it
composes every batch before launching it as the basic sweeper does, and launches every job.
"""

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn
from hydra.types import HydraContext

RUN_CHECKS = "experiments.runs.sweep.RunChecks"
LOST_RUNS_EXIT = 5
WORKER_LOST = ("TerminatedWorkerError", "BrokenProcessPool")   # joblib's (loky) and concurrent.futures' words for it


@dataclass
class CheckedSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.community_trust_sweeper.checked_sweeper.CheckedSweeper"


ConfigStore.instance().store(group="hydra/sweeper", name="checked", node=CheckedSweeperConf,
                             provider="community_trust")


class CheckedSweeper(BasicSweeper):
    """Hydra's basic sweeper; with RunChecks among the callbacks, a batch is not composed again and jobs
    RunChecks found finished are not launched."""

    def setup(self, *, hydra_context, task_function, config) -> None:
        from experiments.runs.composing import ComposeOnce  # noqa: PLC0415  (not in every process Hydra starts)

        hydra_context = HydraContext(config_loader=ComposeOnce.of(hydra_context.config_loader),
                                     callbacks=hydra_context.callbacks)
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        callbacks = getattr(hydra_context.callbacks, "callbacks", [])
        self.checks = next((c for c in callbacks if f"{type(c).__module__}.{type(c).__name__}" == RUN_CHECKS), None)
        if self.checks is not None and self.checks.job_folders:
            self.launcher = self.survivor = SurviveLostWorkers(self.launcher, self.checks.job_folders)
        if self.checks is not None and self.checks.finished_jobs:
            self.launcher = SkipFinished(self.launcher, self.checks.finished_jobs)

    def sweep(self, arguments: list[str]):
        returns = super().sweep(arguments)
        lost = getattr(self, "survivor", None) and self.survivor.lost
        if lost:
            print(f"[sweep] {len(lost)} run(s) lost: their worker process was killed twice (out of memory?): "
                  f"{', '.join(str(f) for f in lost)}; the other runs finished. Run the same command again to "
                  "retry, with fewer workers (hydra.launcher.n_jobs) if memory is short.", file=sys.stderr)
            sys.exit(LOST_RUNS_EXIT)
        return returns

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        if self.checks is None:
            super().validate_batch_is_legal(batch)


class SkipFinished:
    """A launcher that launches only the jobs not in `finished` (their overrides), each contiguous stretch
    of a batch in one launch, numbered as in the whole batch."""

    def __init__(self, launcher, finished: set[tuple]):
        self.launcher, self.finished = launcher, finished

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> list[JobReturn]:
        returns, start = [], None
        for i, overrides in enumerate([*job_overrides, None]):
            todo = overrides is not None and tuple(overrides) not in self.finished
            if todo and start is None:
                start = i
            elif not todo and start is not None:
                returns.extend(self.launcher.launch(job_overrides[start:i], initial_job_idx=initial_job_idx + start))
                start = None
        return returns


class SurviveLostWorkers:
    """A launcher that goes on when a worker process dies: the jobs that did not finish are launched again (each
    contiguous stretch of them in one launch, numbered as in the batch), except those in progress at a second
    such death, which are given up (`lost`, their folders)."""

    def __init__(self, launcher, job_folders: dict[tuple, Path]):
        self.launcher, self.job_folders = launcher, job_folders
        self.lost: list[Path] = []

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> list[JobReturn]:
        returns, todo, interrupted = [], list(range(len(job_overrides))), Counter()
        while todo:
            try:
                for start, stop in _stretches(todo):
                    stretch = job_overrides[start:stop]
                    returns.extend(self.launcher.launch(stretch, initial_job_idx=initial_job_idx + start))
                return returns
            except Exception as err:
                if type(err).__name__ not in WORKER_LOST:
                    raise
                state = {i: self._state(job_overrides[i]) for i in todo}
                in_progress = [i for i in todo if state[i] == "interrupted"]
                if not in_progress:
                    raise
                interrupted.update(in_progress)
                given_up = [i for i in in_progress if interrupted[i] >= 2]
                self.lost += [self.job_folders[tuple(job_overrides[i])] for i in given_up]
                todo = [i for i in todo if state[i] != "finished" and i not in given_up]
                print(f"[sweep] a worker process died (killed, perhaps out of memory), taking {len(in_progress)} "
                      f"run(s) in progress with it; launching the {len(todo)} unfinished run(s) again", flush=True)
        return returns

    def _state(self, overrides: Sequence[str]) -> str:
        """'finished' (published), 'interrupted' (claimed by a process that is gone, not published) or 'waiting'."""
        from experiments.runs.runfolder import CLAIM, COMPLETE_MARKER, is_claimed  # noqa: PLC0415

        folder = self.job_folders.get(tuple(overrides))
        if folder is None:
            return "waiting"
        if (folder / COMPLETE_MARKER).exists():
            return "finished"
        return "interrupted" if (folder / CLAIM).exists() and not is_claimed(folder) else "waiting"


def _stretches(indices: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs of sorted indices as (start, stop): [0, 1, 2, 5, 6] -> [(0, 3), (5, 7)]."""
    out = []
    for i in indices:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out
