"""Calibration: search uncertain parameters so that the model meets the published targets together.

    python -m experiments.calibrate                      # stage 2, the recorded search (docs/calibration.md)
    python -m experiments.calibrate search=fear_and_attention                       # stage 1
    python -m experiments.calibrate hydra.sweeper.n_trials=10 calibration.seeds=2 population.size=3000

A Hydra app driven by Hydra's Optuna sweeper (TPE sampler, seeded). A search config (conf/search/, one per
calibration stage; conf/calibrate.yaml picks the default) lists the parameters searched, their ranges and
the targets; anything else is overridden as in `experiments.run`. Each trial is
one Hydra job: it runs every scenario and county history the targets name (conf/validation/targets.yaml)
over the same
seeds (common random numbers, so trials differ only by their parameters; the seeds start at
`calibration.first_seed`, apart from the seeds `experiments.validate` checks), measures each target as
the validation does, and returns the loss: the sum over targets of ((model - published) / tolerance)^2.
A target is met when its term is at most 1.

Each trial writes trial.json in its folder (so an interrupted search keeps what it did); at the end
trials.parquet and calibration.txt (the best trial's parameters and target table, the defaults to adopt)
are written to the search folder and printed. `python -m experiments.calibrate --report FOLDER` writes
them again, for example after an interruption.

The Optuna study lives in an RDB: by default `study.db` (SQLite) in the search folder, or any URL given as
`hydra.sweeper.storage=` (a database server shared by searches on several machines: each asks the study for
its next trials). The same command with the same `hydra.sweep.dir=` resumes a killed search: trials finished
are kept, trials cut off are marked failed, and only the trials still missing from `n_trials` run, in a
folder `resume<k>/` of their own. (The sampler's random state is not stored, so a resumed search proposes
different trials from those an uninterrupted one would have: it resumes the count, not the sequence.)
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import hydra
import pyarrow as pa
import pyarrow.parquet as pq
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from experiments.analyses.validate import (
    Target,
    format_validation,
    histories_needed,
    load_targets,
    scenarios_needed,
    validation_table,
)
from experiments.paths import CONF_DIR, RESULTS
from experiments.runs.config import county_history, load_policy, to_model_params, with_dates
from experiments.runs.schema import RunConfig
from experiments.runs.tables import to_arrow
from model import CommunityTrustModel, ParameterError

TRIAL = "trial.json"
STUDY = "study.db"


@dataclass
class CalibrationSettings:
    """What each trial runs: `seeds` seeds from `first_seed`, for the targets named (all when empty)."""

    seeds: int = 4
    first_seed: int = 1000
    targets: list[str] = field(default_factory=list)


@dataclass
class CalibrateConfig(RunConfig):
    calibration: CalibrationSettings = field(default_factory=CalibrationSettings)


ConfigStore.instance().store(name="calibrate_schema", node=CalibrateConfig)


def chosen_targets(names: list[str]) -> list[Target]:
    targets = load_targets()
    unknown = set(names) - {t.id for t in targets}
    if unknown:
        raise ParameterError(f"calibration.targets names unknown targets {sorted(unknown)}; "
                             f"choose from: {', '.join(t.id for t in targets)}.")
    return [t for t in targets if not names or t.id in names]


def run_targets(cfg: DictConfig, targets: list[Target], seeds: range) -> tuple[pa.Table, dict[str, pa.Table]]:
    """What the targets measure, for each seed: the summary tables of every scenario they name, as one table,
    and the daily table of every county history they name (to the last date needed), by county."""
    params, _ = to_model_params(cfg)
    tables = []
    for scenario in scenarios_needed(targets):
        p = dataclasses.replace(params, policy=load_policy(scenario), timeline=[])
        for seed in seeds:
            summary = CommunityTrustModel(p, rng=seed, create_agents=False).run().tables()["summary"]
            tables.append(to_arrow(summary, {"policy": scenario, "seed": seed}))
    dailies = {county: history_dailies(county_history(cfg, county, until), seeds)
               for county, until in histories_needed(targets).items()}
    return (pa.concat_tables(tables) if tables else pa.table({})), dailies


def history_dailies(cfg: DictConfig, seeds: range) -> pa.Table:
    """The daily table, with dates, of a county history run for each seed."""
    params, _ = to_model_params(cfg)
    history = OmegaConf.to_object(cfg.history)
    tables = []
    for seed in seeds:
        daily = CommunityTrustModel(params, rng=seed, create_agents=False).run().tables()["daily"]
        tables.append(to_arrow(with_dates(daily, history), {"seed": seed}))
    return pa.concat_tables(tables)


def loss(rows: dict[str, list]) -> float:
    """Sum over targets of the squared distance from the published value, in tolerances."""
    return float(sum(((m - v) / t) ** 2 for m, v, t in zip(rows["model"], rows["value"], rows["tolerance"])))


def trial(cfg: DictConfig, folder: Path, searched: list[str]) -> float:
    """Run one trial, write trial.json (written whole, then renamed), return its loss."""
    targets = chosen_targets(list(cfg.calibration.targets))
    seeds = range(cfg.calibration.first_seed, cfg.calibration.first_seed + cfg.calibration.seeds)
    summary, dailies = run_targets(cfg, targets, seeds)
    rows = validation_table(summary, targets, dailies)
    value = loss(rows)
    record = {"params": dict(o.split("=", 1) for o in searched), "loss": value, "targets": rows}
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / (TRIAL + ".part")
    staging.write_text(json.dumps(record, indent=2))
    os.replace(staging, folder / TRIAL)
    return value if math.isfinite(value) else float("inf")


def report(folder: Path) -> str:
    """trials.parquet and calibration.txt from the trial.json files under `folder`; returns the text."""
    paths = sorted(folder.rglob(TRIAL), key=lambda p: (len(str(p.parent)), str(p.parent)))   # trial_2 before trial_10
    records = [json.loads(p.read_text()) for p in paths]
    if not records:
        raise FileNotFoundError(f"no {TRIAL} under {folder}: no trial finished.")
    names = sorted({k for r in records for k in r["params"]})
    columns = {"trial": [str(p.parent.relative_to(folder)) for p in paths], "loss": [r["loss"] for r in records],
               "targets_met": [sum(r["targets"]["passed"]) for r in records]}
    columns |= {k: [float(r["params"].get(k, "nan")) for r in records] for k in names}
    for r_id in records[0]["targets"]["id"]:
        columns[r_id] = [r["targets"]["model"][r["targets"]["id"].index(r_id)] for r in records]
    pq.write_table(pa.table(columns), folder / "trials.parquet")
    losses = [r["loss"] if math.isfinite(r["loss"]) else math.inf for r in records]
    best_at = losses.index(min(losses))
    search_figure(columns, names, len(records[0]["targets"]["id"]), best_at, folder)
    best = records[best_at]
    lines = [f"Calibration search: {len(records)} trials in {folder}",
             f"Best loss {best['loss']:.3f} (sum over targets of ((model - published) / tolerance)^2; "
             f"a target is met when its term is at most 1).", "", "Best parameters (defaults to adopt):"]
    lines += [f"  {k} = {float(v):.4g}" for k, v in sorted(best["params"].items())]
    text = "\n".join([*lines, "", format_validation(best["targets"])])
    (folder / "calibration.txt").write_text(text + "\n")
    return text


def search_figure(trials: dict[str, list], names: list[str], n_targets: int, best: int, out: Path) -> list[Path]:
    """One panel per searched parameter: each trial's loss against its value; trials meeting every target marked."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from experiments.workshop.figures import save  # noqa: PLC0415

    loss_values = [v if math.isfinite(v) else float("nan") for v in trials["loss"]]
    met = [m == n_targets for m in trials["targets_met"]]
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.6), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names):
        x = trials[name]
        ax.scatter([v for v, ok in zip(x, met) if not ok], [v for v, ok in zip(loss_values, met) if not ok],
                   s=14, color="#999999", label="some target missed")
        ax.scatter([v for v, ok in zip(x, met) if ok], [v for v, ok in zip(loss_values, met) if ok],
                   s=18, color="#0072B2", label="every target met")
        ax.scatter([x[best]], [loss_values[best]], s=90, marker="*", color="#E69F00", label="best (the defaults)")
        ax.set_xlabel(name.split(".")[-1].replace("_", " "))
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("loss: sum of squared misses, in tolerances")
    axes[0][0].legend(fontsize=7)
    fig.suptitle("Which parameter values let the model meet the published figures?", fontsize=12, fontweight="bold")
    fig.tight_layout()
    return save(fig, out, "calibration_search")


class CalibrationReport(Callback):
    """At the end of the search, write trials.parquet and calibration.txt and print the best trial."""

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        folder = Path(config.hydra.sweep.dir)
        try:
            print(report(folder))
        except FileNotFoundError as err:
            print(f"calibrate: {err}", file=sys.stderr)


@hydra.main(config_path=str(CONF_DIR), config_name="calibrate", version_base="1.3")
def search(cfg: DictConfig) -> float:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hc = HydraConfig.get()
    searched = [o for o in hc.overrides.task if o.split("=", 1)[0] in set(hc.sweeper.params or {})]
    try:
        return trial(cfg, Path(hc.runtime.output_dir), searched)
    except ParameterError as err:
        print(f"calibrate: {err}", file=sys.stderr)
        sys.exit(2)


def planned(overrides: list[str]) -> DictConfig:
    """The search's Hydra sweeper settings (n_trials, study_name, storage), composed as the search will be."""
    from hydra import compose, initialize_config_dir  # noqa: PLC0415

    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return compose("calibrate", overrides=overrides, return_hydra_config=True).hydra.sweeper


def resumable(overrides: list[str]) -> list[str]:
    """The overrides of this session of a search: its folder and study storage made explicit; if the study
    already holds trials (a killed or finished search), only the missing trials, in a folder of their own."""
    keys = {o.split("=", 1)[0].lstrip("+~") for o in overrides}
    extra = []
    if "hydra.sweep.dir" in keys:
        folder = Path(next(o.split("=", 1)[1] for o in overrides if o.lstrip("+").startswith("hydra.sweep.dir=")))
    else:
        folder = RESULTS / "calibration" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        extra.append(f"hydra.sweep.dir={folder}")
    if "hydra.sweeper.storage" not in keys:
        folder.mkdir(parents=True, exist_ok=True)
        extra.append(f"hydra.sweeper.storage=sqlite:///{folder.resolve() / STUDY}")
    sweeper = planned([*overrides, *extra])
    done = finished_trials(sweeper.storage, sweeper.study_name)
    if done is None:
        return [*overrides, *extra]
    missing = max(0, int(sweeper.n_trials) - done)
    session = 1 + sum(1 for p in folder.glob("resume*") if p.is_dir())
    print(f"calibrate: resuming the study in {sweeper.storage}: {done} trials finished, {missing} to run "
          f"(into {folder / f'resume{session}'})", file=sys.stderr)
    return [*overrides, *extra, f"hydra.sweeper.n_trials={missing}",
            f"hydra.sweep.subdir=resume{session}/trial_${{hydra.job.num}}"]


def finished_trials(storage: str | None, study_name: str) -> int | None:
    """How many trials of the stored study finished (those cut off by a kill are marked failed); None when
    there is no stored study yet."""
    if not storage:
        return None
    import optuna  # noqa: PLC0415

    try:
        study = optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:
        return None
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study._storage.set_trial_state(t._trial_id, optuna.trial.TrialState.FAIL)
    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        print(report(Path(sys.argv[2])))
        return
    sys.argv = [sys.argv[0], *resumable(sys.argv[1:])]
    search()


if __name__ == "__main__":
    main()
