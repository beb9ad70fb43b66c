"""Run one simulation (or a Hydra multirun of them) from the command line.

    python -m experiments.run                                  # the default run
    python -m experiments.run population.size=20000 policy=secure_communities seed=3
    python -m experiments.run -m policy=decoupled,secure_communities seed=0,1,2

Each run writes daily.parquet, summary.parquet, config.yaml and run.json to its folder under results/
(run.json last: a folder without it is not a finished run) and prints a short summary.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from experiments.schema import register, to_model_params, with_dates
from experiments.summary import format_summary
from experiments.tables import COMPLETE_MARKER, git_commit, is_complete, to_arrow, versions, write_run
from model import CommunityTrustModel, ParameterError

register()


class RunConflict(RuntimeError):
    """A run folder already holds a finished run of a different configuration."""


def config_identity(cfg: DictConfig) -> str:
    """A hash of everything that determines a run's results (the resolved config but `output`)."""
    body = OmegaConf.to_yaml({k: v for k, v in OmegaConf.to_container(cfg, resolve=True).items() if k != "output"})
    return hashlib.sha256(body.encode()).hexdigest()


def run(cfg: DictConfig, folder: Path, overrides: list[str] | None = None) -> dict | None:
    """Build the model from `cfg`, run it, write its run folder, and return its tables (as Arrow).

    If `folder` already holds a finished run of the same configuration (a resumed sweep), nothing is
    redone and None is returned; if it holds one of a different configuration, RunConflict is raised.
    """
    identity = config_identity(cfg)
    if is_complete(folder):
        finished = json.loads((folder / COMPLETE_MARKER).read_text()).get("config_sha256")
        if finished == identity:
            print(f"Already finished, skipped: {folder}")
            return None
        raise RunConflict(f"{folder} holds a finished run of a different configuration; it was left as it is. "
                          "Give this run another folder (e.g. hydra.sweep.dir=... or hydra.run.dir=...).")
    params, seed = to_model_params(cfg)
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    model = CommunityTrustModel(params, rng=seed, create_agents=cfg.mesa_agents)
    built = time.perf_counter() - clock
    model.run()
    elapsed = time.perf_counter() - clock
    ids = {"city": cfg.city.name, "policy": params.policy.name, "seed": seed}
    results = {**model.tables(), **model.network_sample()}
    if cfg.history.name:
        history = OmegaConf.to_object(cfg.history)
        results["daily"] = with_dates(results["daily"], history)
        ids["policy"] = f"{history.name} history"   # the scenario changes over time: name the history
    tables = {name: to_arrow(columns, ids) for name, columns in results.items()}
    meta = {
        "city": cfg.city.name,
        "policy": ids["policy"],
        "seed": seed,
        "overrides": overrides or [],
        "config_sha256": identity,
        "timeline": [{"day": s.day, "policy": s.policy.name} for s in params.timeline],
        "residents": len(model.residents),
        "days": params.days,
        "started": started.isoformat(),
        "build_seconds": round(built, 3),
        "elapsed_seconds": round(elapsed, 3),
        "resident_days_per_second": round(len(model.residents) * params.days / max(elapsed - built, 1e-9)),
        "git_commit": git_commit(),
        "versions": versions(),
    }
    write_run(folder, tables, OmegaConf.to_yaml(cfg, resolve=True), meta)
    if cfg.output.print_summary:
        print(format_summary(tables["summary"], f"{cfg.city.name}, {params.policy.name}, seed {seed}, "
                             f"{len(model.residents):,} residents, {params.days} days -> {folder}"))
    return tables


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> None:
    """Hydra entry point: one job of a run or a multirun."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    try:
        run(cfg, folder, list(hydra_cfg.overrides.task))
    except RunConflict as err:
        print(f"Not run: {err}", file=sys.stderr)
        sys.exit(3)
    except ParameterError as err:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"Invalid configuration: {err}\nNothing was written. See README.md, 'Configuration'.",
              file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
