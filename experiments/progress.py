"""Sweep progress: runs done out of the total and an estimate of the time left, after every job.

A Hydra callback. At the start of a multirun it works out how many jobs the sweep has (expanding the
sweep overrides as Hydra's basic sweeper does) and notes it, with the start time and the runs already
finished (a resumed sweep), in `.progress.json` in the sweep folder; after each job, in whichever process
ran it, it counts the finished runs and prints a line.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback

from experiments.tables import COMPLETE_MARKER

STATE = ".progress.json"


def finished_runs(sweep_dir: Path) -> int:
    return sum(1 for _ in sweep_dir.rglob(COMPLETE_MARKER))


def sweep_size(config) -> int | None:
    """How many jobs the sweep has: the product of the lengths of its sweep overrides (None if unknown)."""
    try:
        loader = GlobalHydra.instance().config_loader() if GlobalHydra.instance().is_initialized() else None
        params = [f"{k}={v}" for k, v in (config.hydra.sweeper.get("params") or {}).items()]
        parser = OverridesParser.create(config_loader=loader)
        overrides = parser.parse_overrides(params + list(config.hydra.overrides.task))
        sizes: dict[str, int] = {}
        for o in overrides:
            sizes[o.key_or_group] = len(list(o.sweep_string_iterator())) if o.is_sweep_override() else 1
        total = 1
        for n in sizes.values():
            total *= n
        return total
    except Exception:  # noqa: BLE001  (progress is a convenience: never let it stop a sweep)
        return None


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


class SweepProgress(Callback):
    """Print `[sweep] done/total runs, elapsed, ~left` after each job of a multirun."""

    def on_multirun_start(self, config, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        state = {"total": sweep_size(config), "start": time.time(), "done_at_start": finished_runs(sweep_dir)}
        (sweep_dir / STATE).write_text(json.dumps(state))
        if state["total"]:
            print(f"[sweep] {state['total']} runs, {state['done_at_start']} already finished -> {sweep_dir}")

    def on_job_end(self, config, job_return, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        path = sweep_dir / STATE
        if not path.exists():
            return  # a single run, not a sweep
        state = json.loads(path.read_text())
        done, total = finished_runs(sweep_dir), state["total"]
        elapsed = time.time() - state["start"]
        new = done - state["done_at_start"]
        line = f"[sweep] {done}/{total or '?'} runs done, {_duration(elapsed)} elapsed"
        if total and new > 0 and done < total:
            line += f", about {_duration(elapsed / new * (total - done))} left"
        print(line, flush=True)
