"""Running the model from Python: the same Hydra composition, schema and checks as the command line.

    from experiments.api import simulate, simulate_many
    result = simulate("policy=secure_communities", "population.size=20000", seed=3)
    result.summary            # pandas DataFrames: summary, daily, neighbourhoods; result.config: the resolved config
    table = simulate_many([["policy=decoupled", f"seed={s}"] for s in range(3)])   # one DataFrame, a `run` column

Overrides are the command line's strings (`"crime.exploitation=2"`) or dicts (`{"crime.exploitation": 2}`); bad
ones raise `ParameterError` with the command line's messages. `ConfiguredModel` is the model with the config as
keyword arguments, for `mesa.batch_run` and Mesa's views. docs/api.md has worked examples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from omegaconf import DictConfig

from experiments.runs.composing import compose
from experiments.runs.config import to_model_params
from model import CommunityTrustModel, ModelParams, ParameterError

Overrides = str | Mapping[str, object] | Iterable[str]


def override_list(*overrides: Overrides, seed: int | None = None) -> list[str]:
    """Command-line override strings from strings, dicts (`{"population.size": 2000}`) and lists of strings."""
    out: list[str] = []
    for item in overrides:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping):
            out += [f"{key}={value}" for key, value in item.items()]
        else:
            out += override_list(*item)
    return out + ([f"seed={seed}"] if seed is not None else [])


def model_params(overrides: Iterable[str] = ()) -> tuple[ModelParams, int]:
    """The model's parameters and the seed for these overrides, checked as the command line checks them."""
    return to_model_params(compose(overrides))


@dataclass
class Result:
    """One run's tables as pandas DataFrames, and the resolved config that produced them."""

    config: DictConfig
    summary: pd.DataFrame
    daily: pd.DataFrame
    neighbourhoods: pd.DataFrame

    def value(self, metric: str, group: str = "all") -> float:
        """One summary number, e.g. `result.value("reporting_share", "latino")`."""
        row = self.summary.loc[self.summary["group"] == group, metric]
        if row.empty:
            raise KeyError(f"group {group!r} is not in the summary; groups: {', '.join(self.summary['group'])}.")
        return float(row.iloc[0])


def simulate(*overrides: Overrides, seed: int | None = None) -> Result:
    """Compose, check and run one simulation in this process, as `python -m experiments.run` would (without
    writing a run folder)."""
    from experiments.runs.run import check_run, execute  # noqa: PLC0415  (the run machinery imports this module's users)

    cfg = compose(override_list(*overrides, seed=seed))
    params, run_seed = check_run(cfg)
    tables, _, _ = execute(cfg, params, run_seed)
    return Result(config=cfg, **{name: table.to_pandas() for name, table in tables.items()})


def _summary_of(overrides: list[str], table: str) -> pd.DataFrame:
    frame = getattr(simulate(overrides), table)
    frame.insert(0, "run", " ".join(overrides))
    return frame


def simulate_many(override_sets: Iterable[Overrides], table: str = "summary", n_jobs: int = -1) -> pd.DataFrame:
    """Run each override set (a string, a list of strings or a dict), in parallel over `n_jobs` processes
    (joblib; -1 = one per core), and return their `table` ("summary", "daily" or "neighbourhoods") as one
    DataFrame whose `run` column names the overrides. Every set is checked before any runs."""
    from joblib import Parallel, delayed  # noqa: PLC0415

    if table not in ("summary", "daily", "neighbourhoods"):
        raise ParameterError(f"table = {table!r}: choose summary, daily or neighbourhoods.")
    sets = [override_list(s) for s in override_sets]
    if not sets:
        raise ParameterError("simulate_many: no override sets given; pass a list such as [['policy=pep']].")
    for s in sets:
        to_model_params(compose(s))
    frames = Parallel(n_jobs=n_jobs)(delayed(_summary_of)(s, table) for s in sets)
    return pd.concat(frames, ignore_index=True)


def _added(key: str) -> str:
    """'++' (add or override) for keywords under sections whose keys are the user's: rule parameters, rule changes."""
    return "++" if key.split("__")[0] in ("rule_params", "rule_changes") else ""


class ConfiguredModel(CommunityTrustModel):
    """The community trust model with its config as keyword arguments, for `mesa.batch_run` and Mesa's views:
    a keyword is an override with `__` for each dot, e.g. `ConfiguredModel(policy="pep", population__size=2000,
    crime__exploitation=2, rng=1)`; a rule's parameters and changes to the rules are keywords too
    (`rule_params__NewsDrivenFear__fear_rise=0.3`, `rule_changes__after__UpdateBeliefs="my.rules.NewsDrivenFear"`).
    Its `datacollector` (model-level reporters from the day's counters) is what `batch_run` reads."""

    def __init__(self, rng: int = 0, **settings):
        overrides = [f"{_added(key)}{key.replace('__', '.')}={value}" for key, value in settings.items()]
        cfg = compose([*overrides, f"seed={0 if rng is None else rng}"])
        params, seed = to_model_params(cfg)
        super().__init__(params, rng=seed, create_agents=cfg.mesa_agents, kernel=cfg.kernel)
