"""The Hydra callback that ends a multirun: wait for runs other processes are computing, compare the scenarios
of the sweep and print the table; with `report`, also draw the workshop figures and write the report.
(The checks before a sweep and its progress are `experiments.runs.sweep.RunChecks`.)"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from hydra.experimental.callback import Callback
from omegaconf import OmegaConf

from experiments.runs.compare import compare_folder, complete_runs
from experiments.runs.runfolder import CLAIM, is_claimed, wait_for
from experiments.runs.sweep import STATE_DIR


def wait_for_other_processes(folder: Path, runs: list[Path] | None = None) -> None:
    """Wait until no other process is computing a run under `folder` (or one of `runs`): two identical sweeps into
    one folder end with the same, complete tables."""
    claims = [run / CLAIM for run in runs] if runs is not None else Path(folder).rglob(CLAIM)
    busy = [claim.parent for claim in claims if claim.exists() and is_claimed(claim.parent)]
    if busy:
        print(f"[sweep] waiting for {len(busy)} run(s) another process is computing", flush=True)
    for run in busy:
        wait_for(run)


def this_sweeps_runs(folder: Path) -> list[Path] | None:
    """The run folders of the sweep this process launched into `folder` (as RunChecks noted them when it began),
    or None if it noted none (a sweeper that proposes jobs as it goes): another sweep into the same folder then
    does not change what this one compares."""
    notes = sorted((folder / STATE_DIR).glob(f"*-{os.getpid()}.json"))
    try:
        return [folder / job for job in json.loads(notes[-1].read_text())["jobs"]] if notes else None
    except (OSError, ValueError, KeyError):
        return None


class CompareScenarios(Callback):
    """Hydra callback: at the end of a multirun, compare the scenarios of the sweep and print the table;
    with `report`, also draw the workshop figures and write the one-page report."""

    def __init__(self, baseline: str = "decoupled", report: bool = False):
        self.baseline, self.report = baseline, report

    def on_multirun_end(self, config, **kwargs) -> None:
        folder = Path(config.hydra.sweep.dir)
        mine = this_sweeps_runs(folder)
        wait_for_other_processes(folder, mine)
        finished = complete_runs(folder, report_damaged=False)
        if mine is not None:
            finished = [run for run in finished if run in set(mine)]
        if not finished:
            return
        try:
            self._compare(config, folder, finished)
        except OSError as err:
            where = err.filename or folder
            print(f"[sweep] cannot write {where}: {err.strerror or err}. The runs are kept; nothing partial was "
                  f"written; free space and run  python -m experiments.compare {folder}  (or the sweep again).",
                  file=sys.stderr)
            sys.exit(4)

    def _compare(self, config, folder: Path, finished: list[Path]) -> None:
        print(compare_folder(folder, self.baseline, finished))
        print(f"\nWritten: {folder / 'comparison.txt'} and comparison.parquet")
        if self.report:
            from experiments.workshop.figures import make_figures  # noqa: PLC0415  (matplotlib only when asked)
            from experiments.workshop.report import make_report  # noqa: PLC0415

            make_figures(folder, self.baseline, runs=finished)
            # this command's, not a resumed run's
            costs = OmegaConf.to_object(config.costs) if "costs" in config else None
            print(f"Figures: {folder / 'figures'}\nReport:  {make_report(folder, self.baseline, costs, finished)}")
