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

The jobs, their order and their batches are the basic sweeper's. Without RunChecks among the callbacks, it
composes every batch before launching it as the basic sweeper does, and launches every job.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn
from hydra.types import HydraContext

RUN_CHECKS = "experiments.runs.sweep.RunChecks"


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
        if self.checks is not None and self.checks.finished_jobs:
            self.launcher = SkipFinished(self.launcher, self.checks.finished_jobs)

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
