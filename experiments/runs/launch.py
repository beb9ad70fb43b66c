"""One way for an analysis to launch a sweep: `python -m experiments.run -m ...` in a child process, into a
folder of its own, through whichever Hydra launcher the overrides choose (joblib by default; Ray or Slurm with
`hydra/launcher=...`). The same call again resumes: finished runs are skipped (README, "Sweeps at scale")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from experiments.paths import ROOT


class SweepFailed(RuntimeError):
    """The sweep's command exited with an error; `returncode` is its exit code, the message its output's tail."""

    def __init__(self, returncode: int, output: str):
        super().__init__(output)
        self.returncode = returncode


def run_sweep(folder: Path, overrides: list[str], config_dir: Path | None = None) -> Path:
    """Run the multirun of `overrides` into `folder` (its sweep folder) and return the folder."""
    cmd = [sys.executable, "-m", "experiments.run", "-m", *(["--config-dir", str(config_dir)] if config_dir else []),
           f"hydra.sweep.dir={folder}", "output.print_summary=false", *overrides]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SweepFailed(done.returncode, done.stdout[-2000:] + done.stderr[-2000:])
    return folder
