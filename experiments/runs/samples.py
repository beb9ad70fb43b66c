"""Sample sweeps: the parameter sets an analysis draws (a Latin hypercube, a Morris or a Sobol design), each
written as one config of a Hydra group `sample`, so that all their runs are one multirun that any launcher can
take (joblib on this machine, Ray or Slurm on a cluster: `hydra/launcher=...`) and the same command with the
same folder resumes, skipping finished runs. Each run's results depend on its config and seed only, so the
tables are the same whichever launcher ran them and however many workers shared them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from experiments.runs.compare import load_sweep
from experiments.runs.launch import SweepFailed, run_sweep
from model import ParameterError

SAMPLE_GROUP = "sample"          # the config group of the sampled parameter sets (one YAML file per sample)


def sample_frame(x: np.ndarray, names: list[str], prefix: str = "s") -> pd.DataFrame:
    """The rows of design `x` (one column per parameter of `names`), with an id per row: s0000, s0001, ..."""
    frame = pd.DataFrame(x, columns=names)
    frame.insert(0, SAMPLE_GROUP, [f"{prefix}{i:04d}" for i in range(len(frame))])
    return frame


def write_sample_configs(samples: pd.DataFrame, conf: Path) -> Path:
    """One config per sample, `conf/sample/<id>.yaml`, setting its parameter values (a Hydra config group, so
    the sweep is `+sample=glob(*)` crossed with scenarios and seeds); values round-trip exactly."""
    folder = conf / SAMPLE_GROUP
    folder.mkdir(parents=True, exist_ok=True)
    for row in samples.to_dict("records"):
        nested: dict[str, dict[str, float]] = {}
        for name in samples.columns.drop(SAMPLE_GROUP):
            section, key = name.split(".")
            nested.setdefault(section, {})[key] = float(row[name])
        (folder / f"{row[SAMPLE_GROUP]}.yaml").write_text("# @package _global_\n" + yaml.safe_dump(nested))
    return conf


def claim_folder(folder: Path, design: dict, what: str) -> None:
    """A folder holds the runs of one design: the same design again resumes it, a different one is refused."""
    record = folder / "design.json"
    if record.exists() and json.loads(record.read_text()) != design:
        raise ParameterError(f"--folder {folder} holds the runs of another {what} ({record}); give a new --folder, "
                             "or the same settings and overrides as before to resume it.")
    folder.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(design, indent=1) + "\n")


def run_samples(folder: Path, samples: pd.DataFrame, settings: list[str]) -> pd.DataFrame:
    """Every sample of `samples` with the `settings` overrides (scenarios, seeds, size, launcher, ...), as one
    multirun into `folder/runs`; returns the runs' summary tables, with a `sample` column."""
    folder.mkdir(parents=True, exist_ok=True)
    samples.to_parquet(folder / "samples.parquet")
    conf = write_sample_configs(samples, folder / "conf")
    run_sweep(folder / "runs", [f"+{SAMPLE_GROUP}=glob(*)", *settings], config_dir=conf)
    return sample_summaries(folder)


def sample_summaries(folder: Path) -> pd.DataFrame:
    """The summary tables of the finished runs of the samples in `folder` (as `run_samples` left them), with a
    `sample` column; nothing is run."""
    summary = load_sweep(folder / "runs", "summary").to_pandas()
    return summary.assign(**{SAMPLE_GROUP: summary["setting"].str.extract(rf"{SAMPLE_GROUP}=(\w+)", expand=False)})


def run_analysis(prog: str, parse: Callable[[list[str] | None], tuple[argparse.Namespace, list[str]]],
                 analyse: Callable[[argparse.Namespace, list[str]], str], argv: list[str] | None) -> None:
    """An analysis command: parse, analyse and print its text, then where it wrote; bad input exits 2 with
    "<prog>: <message>", a failed sweep with the sweep's exit code and its output's tail."""
    try:
        args, overrides = parse(argv)
        print(analyse(args, overrides))
    except ParameterError as err:
        print(f"{prog}: {err}", file=sys.stderr)
        sys.exit(2)
    except SweepFailed as err:
        print(f"{prog}: the sweep failed:\n{err}", file=sys.stderr)
        sys.exit(err.returncode)
    print(f"\nWritten to {args.folder}")
