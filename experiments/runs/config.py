"""Configs into the model's parameters: the scenarios (conf/policy/) and their order, unit costs, county
histories (conf/history/) as dated timelines, the checks a composed config must pass, and `to_model_params`,
which turns a composed run config into the plain `ModelParams` the model takes.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import numpy as np
import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from experiments.paths import CONF_DIR
from experiments.runs.scenarios import in_scenario_order
from experiments.runs.schema import HistoryConfig, RunConfig, ScenarioPolicy, UnitCosts, _date, check_known_keys
from model.declare import ParameterError
from model.params import ModelParams, PolicySwitch, validate
from model.policy import Policy


def policy_names() -> list[str]:
    """The scenarios in conf/policy/, in scenario order."""
    return in_scenario_order(p.stem for p in (CONF_DIR / "policy").glob("*.yaml"))


def check_yaml_files(folder: Path = CONF_DIR) -> None:
    """Every YAML file under `folder` parses (Hydra would stop on a bad one with a traceback)."""
    for path in sorted(folder.rglob("*.yaml")):
        try:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as err:
            raise ParameterError(f"{path}: not UTF-8 text (byte {err.start} is {err.object[err.start]:#04x}); save "
                                 "it as UTF-8 and run again.") from None
        except OSError as err:
            raise ParameterError(f"{path}: cannot be read ({err.strerror or err}).") from None
        except yaml.YAMLError as err:
            problem = _yaml_problem(err)
            raise ParameterError(f"{path}: not valid YAML ({problem}); fix the file and run again.") from None


def _yaml_problem(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return where + str(getattr(err, "problem", None) or err)


def load_policy(name: str) -> Policy:
    """The levers of scenario `name`, read from conf/policy/<name>.yaml onto its schema (`ScenarioPolicy`)."""
    path = CONF_DIR / "policy" / f"{name}.yaml"
    if not path.exists():
        raise ParameterError(f"policy {name!r} is not a scenario; choose one of: {', '.join(policy_names())}.")
    try:
        scenario = OmegaConf.merge(OmegaConf.structured(ScenarioPolicy), OmegaConf.load(path))
        return OmegaConf.to_object(scenario).levers()
    except OmegaConfBaseException as err:
        raise ParameterError(f"conf/policy/{name}.yaml: {err}") from None
    except yaml.YAMLError as err:
        raise ParameterError(f"conf/policy/{name}.yaml: not valid YAML ({_yaml_problem(err)}).") from None


def load_costs(name: str) -> UnitCosts:
    """Unit costs from conf/costs/<name>.yaml, checked against the schema."""
    path = CONF_DIR / "costs" / f"{name}.yaml"
    if not path.exists():
        names = sorted(p.stem for p in (CONF_DIR / "costs").glob("*.yaml"))
        raise ParameterError(f"costs = {name!r}: no conf/costs/{name}.yaml; choose one of: {', '.join(names)}.")
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(UnitCosts), OmegaConf.load(path)))


def check_costs(costs: UnitCosts) -> None:
    for name in ("officer_hour", "jail_day"):
        value = getattr(costs, name)
        if not value >= 0:
            raise ParameterError(f"costs.{name} = {value}: must be a cost of zero or more ({costs.currency}).")


def check_city(run: RunConfig) -> None:
    """A profile's shares must fit together: every non-citizen is foreign-born."""
    shares, city = run.population.status_shares, run.city
    if not 0 <= city.foreign_born_share <= 1:
        raise ParameterError(f"city.foreign_born_share = {city.foreign_born_share}: allowed range is [0, 1].")
    if city.residents < 0:
        raise ParameterError(f"city.residents = {city.residents}: allowed range is [0, inf] (0 = not given).")
    noncitizens = sum(v for k, v in shares.items() if k != "citizen")
    if noncitizens > city.foreign_born_share + 1e-9:
        raise ParameterError(
            f"city {city.name}: non-citizen shares in population.status_shares sum to {noncitizens:.3f}, more than "
            f"city.foreign_born_share = {city.foreign_born_share}; every non-citizen is foreign-born.")


def to_model_params(cfg: DictConfig) -> tuple[ModelParams, int]:
    """The model's parameters and the seed from a composed run config."""
    check_known_keys(cfg)
    run: RunConfig = OmegaConf.to_object(cfg)
    check_city(run)
    check_costs(run.costs)
    if not 0 <= run.seed < 2**63:   # the tables store it as a 64-bit integer
        raise ParameterError(f"seed = {run.seed}: must be a whole number from 0 to 2^63 - 1 ({2**63 - 1}).")
    if run.history.until and not run.history.name:
        raise ParameterError(f"history.until = {run.history.until}: needs a history; add history=<county> "
                             f"(one of: {', '.join(history_names())}) or drop history.until.")
    values = {f.name: getattr(run, f.name) for f in fields(ModelParams) if f.name != "timeline"}
    values["policy"] = run.policy.levers()
    check_timeline(run.timeline)
    timeline = [PolicySwitch(day=e.day, policy=load_policy(e.policy)) for e in run.timeline]
    if run.history.name:
        values["days"], values["policy"], timeline = history_timeline(run.history)
    params = ModelParams(**values, timeline=timeline)
    validate(params)
    return params, run.seed


def composition_problem(err: Exception) -> str:
    """One line for what Hydra or OmegaConf refused while composing a config from overrides: the field or config
    group, and what is wrong or what is allowed (their own messages span many lines)."""
    text = str(err)
    missing = re.search(r"Could not find '(.+)/([^/']+)'", text)
    if missing:
        group, name = missing.groups()
        options = re.findall(r"^\t(\S+)$", text.split("Config search path")[0], flags=re.MULTILINE)
        allowed = f"; choose one of: {', '.join(options)}" if options else ""
        return f"{group}={name}: there is no conf/{group}/{name}.yaml{allowed}."
    cause = err.__cause__ if err.__cause__ is not None else err
    key = getattr(cause, "full_key", None)
    message = (getattr(cause, "msg", None) or str(cause)).strip().splitlines()
    first = message[0].rstrip(".") if message else type(cause).__name__
    if isinstance(cause, OmegaConfBaseException) and "not in" in first and key:
        return f"{key}: not a parameter ({first}); README.md, 'The command line', and docs/parameters.md list them."
    return f"{key}: {first}." if key else " ".join(line.strip() for line in text.splitlines()[:2] if line.strip())


def check_timeline(timeline: list) -> None:
    """Each switch names a scenario (the days are the model's to check, `model.params.validate`)."""
    for i, entry in enumerate(timeline):
        if not entry.policy:
            raise ParameterError(f"timeline[{i}].policy is missing: give the scenario that starts on day {entry.day} "
                                 f"(one of: {', '.join(policy_names())}).")


def scenario_name(run: DictConfig, params: ModelParams) -> str:
    """What the run's tables call its scenario: the name the user gave (`scenario_name`), else "<county> history"
    for a history, else the starting policy and its switches ("decoupled, then 287g_task_force from day 180"), else
    the policy. Two timelines from the same start are then told apart in a comparison."""
    if run.get("scenario_name"):
        return run.scenario_name
    if run.history.name:
        return f"{run.history.name} history"
    return ", then ".join([params.policy.name, *(f"{s.policy.name} from day {s.day}" for s in params.timeline)])


def history_names() -> list[str]:
    """The county histories in conf/history/."""
    return sorted(p.stem for p in (CONF_DIR / "history").glob("*.yaml") if p.stem != "none")


def history_timeline(h: HistoryConfig) -> tuple[int, Policy, list[PolicySwitch]]:
    """Days, starting policy and dated switches of a history, as the model takes them."""
    start, end = h.dates()
    if end <= start:
        raise ParameterError(f"history {h.name}: end {h.end} must come after start {h.start}.")
    timeline = []
    for i, e in enumerate(h.events):
        when = _date(f"history.events[{i}].date", e.date)
        if not start < when <= end:
            raise ParameterError(f"history.events[{i}].date = {e.date}: must fall after {h.start} and by {h.end}.")
        timeline.append(PolicySwitch(day=(when - start).days, policy=load_policy(e.policy)))
    days = (h.last_day() - start).days + 1
    return days, load_policy(h.initial_policy), [s for s in timeline if s.day < days]


def county_history(base: DictConfig, county: str, until: str = "") -> DictConfig:
    """`base` with county `county`'s profile (conf/city/) and enforcement history (conf/history/), to `until`."""
    paths = [CONF_DIR / group / f"{county}.yaml" for group in ("city", "history")]
    for path in paths:
        if not path.exists():
            raise ParameterError(f"{path.parent.name} {county!r} is not in conf/{path.parent.name}/.")
    merged = OmegaConf.merge(base, *(OmegaConf.load(path) for path in paths))
    merged.history.until = until
    return merged


def with_dates(daily: dict[str, np.ndarray], history: HistoryConfig) -> dict[str, np.ndarray]:
    """A daily table with a leading `date` column (ISO dates of the history's calendar)."""
    return {"date": calendar(history, daily["day"]), **daily}


def calendar(h: HistoryConfig, days: np.ndarray) -> np.ndarray:
    """ISO dates of model days under a history."""
    start, _ = h.dates()
    return np.array([(start + timedelta(days=int(d))).isoformat() for d in days], dtype=object)
