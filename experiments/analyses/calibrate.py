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
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import sys
from dataclasses import dataclass, field
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
from experiments.paths import CONF_DIR
from experiments.runs.config import county_history, load_policy, to_model_params, with_dates
from experiments.runs.schema import RunConfig
from experiments.runs.tables import to_arrow
from model import CommunityTrustModel, ParameterError

TRIAL = "trial.json"


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
    paths = sorted(folder.rglob(TRIAL), key=lambda p: (len(p.parent.name), p.parent.name))   # trial_2 before trial_10
    records = [json.loads(p.read_text()) for p in paths]
    if not records:
        raise FileNotFoundError(f"no {TRIAL} under {folder}: no trial finished.")
    names = sorted({k for r in records for k in r["params"]})
    columns = {"trial": [p.parent.name for p in paths], "loss": [r["loss"] for r in records],
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


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        print(report(Path(sys.argv[2])))
        return
    search()


if __name__ == "__main__":
    main()
