"""The sweeper of `python -m experiments.run -m`: Hydra's basic sweeper, without its second composition of
every job when the RunChecks callback has already composed and checked them.

Hydra's basic sweeper composes each job's config before it launches a batch, to fail early. RunChecks
(experiments.runs.sweep) does that and more before the sweep starts: it checks every job's parameters, as the
job will. Composing again costs about a fifth of a second a job, in the launching process, before the first
job starts. The jobs, their order and their batches are the basic sweeper's.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore

RUN_CHECKS = "experiments.runs.sweep.RunChecks"


@dataclass
class CheckedSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.community_trust_sweeper.checked_sweeper.CheckedSweeper"


ConfigStore.instance().store(group="hydra/sweeper", name="checked", node=CheckedSweeperConf,
                             provider="community_trust")


class CheckedSweeper(BasicSweeper):
    """Hydra's basic sweeper; a batch is not composed again if RunChecks is among the run's callbacks."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        callbacks = self.config.hydra.get("callbacks") or {}
        if any(callback.get("_target_") == RUN_CHECKS for callback in callbacks.values()):
            return
        super().validate_batch_is_legal(batch)
