"""The Hydra callback that ends a multirun: wait for runs other processes are computing, compare the scenarios
of the sweep and print the table; with `report`, also draw the workshop figures and write the report.
(The checks before a sweep and its progress are `experiments.runs.sweep.RunChecks`.)"""

from __future__ import annotations

from pathlib import Path

from hydra.experimental.callback import Callback
from omegaconf import OmegaConf

from experiments.runs.compare import compare_folder, complete_runs
from experiments.runs.runfolder import CLAIM, is_claimed, wait_for


def wait_for_other_processes(folder: Path) -> None:
    """Wait until no other process is computing a run under `folder` (two sweeps into one folder end with
    the same, complete tables)."""
    busy = [claim.parent for claim in Path(folder).rglob(CLAIM) if is_claimed(claim.parent)]
    if busy:
        print(f"[sweep] waiting for {len(busy)} run(s) another process is computing", flush=True)
    for run in busy:
        wait_for(run)


class CompareScenarios(Callback):
    """Hydra callback: at the end of a multirun, compare the scenarios of the sweep and print the table;
    with `report`, also draw the workshop figures and write the one-page report."""

    def __init__(self, baseline: str = "decoupled", report: bool = False):
        self.baseline, self.report = baseline, report

    def on_multirun_end(self, config, **kwargs) -> None:
        folder = Path(config.hydra.sweep.dir)
        wait_for_other_processes(folder)
        if not complete_runs(folder, report_damaged=False):
            return
        print(compare_folder(folder, self.baseline))
        print(f"\nWritten: {folder / 'comparison.txt'} and comparison.parquet")
        if self.report:
            from experiments.workshop.figures import make_figures  # noqa: PLC0415  (matplotlib only when asked)
            from experiments.workshop.report import make_report  # noqa: PLC0415

            make_figures(folder, self.baseline)
            # this command's, not a resumed run's
            costs = OmegaConf.to_object(config.costs) if "costs" in config else None
            print(f"Figures: {folder / 'figures'}\nReport:  {make_report(folder, self.baseline, costs)}")
