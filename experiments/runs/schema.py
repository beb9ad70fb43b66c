"""The structured-config schema of a run: the model's own parameter classes plus run-level fields (the seed,
the place, a county history, a timeline of named scenarios, output and unit costs).

Hydra validates every composed config against it (types); `check_known_keys` refuses keys it does not
declare. Reading configs into the model's parameters is `experiments.runs.config`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from experiments.runs.scenarios import ScenarioLook, sweep_choice
from model.declare import ParameterError
from model.params import ModelParams, type_hints
from model.policy import Policy


@dataclass
class ScenarioPolicy(Policy):
    """A scenario file: the levers (`Policy`, what the model reads) and how the scenario is shown."""

    scenario: ScenarioLook = field(default_factory=ScenarioLook)

    def levers(self) -> Policy:
        """The scenario as the model takes it: its levers only."""
        return Policy(**{f.name: getattr(self, f.name) for f in fields(Policy)})


@dataclass
class TimelineEntry:
    """From `day` on, run under the scenario conf/policy/<policy>.yaml (required)."""

    day: int = 0
    policy: str = ""


@dataclass
class CityProfile:
    """Which place the population mix, staffing and crime level describe (conf/city/<name>.yaml)."""

    name: str = "national"
    description: str = "A generic U.S. city from national figures"
    foreign_born_share: float = 0.138
    residents: int = 0   # the place's real population (0 = not given); weights the pooled survey check


@dataclass
class HistoryEvent:
    """On `date` (YYYY-MM-DD) the place switched to scenario `policy`; `event` says what happened."""

    date: str = ""
    policy: str = ""
    event: str = ""


@dataclass
class HistoryConfig:
    """A place's enforcement history over real dates (conf/history/<name>.yaml); empty `name` = none.

    With a history the run covers `start` to `end` (inclusive), or to `until` if given (events after it are
    not reached), starts under `initial_policy` and switches on each event's date; it replaces `days`,
    `policy` and `timeline`.
    """

    name: str = ""
    start: str = ""
    end: str = ""
    initial_policy: str = ""
    events: list[HistoryEvent] = field(default_factory=list)
    until: str = ""

    def dates(self) -> tuple[date, date]:
        return _date("history.start", self.start), _date("history.end", self.end)

    def last_day(self) -> date:
        """The run's last date: `until` if given (checked to fall within start..end), else `end`."""
        start, end = self.dates()
        if not self.until:
            return end
        until = _date("history.until", self.until)
        if not start < until <= end:
            raise ParameterError(f"history.until = {self.until}: must fall after {self.start} and by {self.end}.")
        return until


def _date(key: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ParameterError(f"{key} = {text!r}: give a date as YYYY-MM-DD.") from None


@dataclass
class OutputConfig:
    """Where run folders go (relative paths are taken from the directory the command runs in)."""

    root: str = "results"
    print_summary: bool = True


@dataclass
class UnitCosts:
    """What an hour and a day cost the locality, to price officer hours and jail-days in the report (conf/costs/;
    not part of a run's identity: changing them re-prices a sweep without re-running it)."""

    currency: str = "USD"
    officer_hour: float = 0.0         # one officer hour, wage and benefits
    officer_hour_year: int = 0        # the year its prices are from
    officer_hour_source: str = ""
    jail_day: float = 0.0             # one person held one day in the local jail
    jail_day_year: int = 0
    jail_day_source: str = ""


@dataclass
class RunConfig(ModelParams):
    """A run: model parameters, the seed, a timeline of named scenarios, and output settings."""

    seed: int = 0
    policy: ScenarioPolicy = field(default_factory=ScenarioPolicy)  # type: ignore[assignment]
    city: CityProfile = field(default_factory=CityProfile)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    mesa_agents: bool = True  # a Mesa Resident view per resident; turn off for the largest populations
    kernel: str = "auto"      # belief update: numpy, numba (every core, the same numbers) or auto (numba where it pays)
    timeline: list[TimelineEntry] = field(default_factory=list)  # type: ignore[assignment]
    # what the tables call the run's scenario; "" = the policy, a timeline's switches, or "<county> history"
    scenario_name: str = ""
    output: OutputConfig = field(default_factory=OutputConfig)
    costs: UnitCosts = field(default_factory=UnitCosts)


def register() -> None:
    """Make the schema available to Hydra as `run_schema` (conf/config.yaml lists it first), and `${scenarios:}`,
    the default comparison's scenarios (conf/experiment/compare.yaml)."""
    ConfigStore.instance().store(name="run_schema", node=RunConfig)
    OmegaConf.register_new_resolver("scenarios", sweep_choice, replace=True)


def check_known_keys(cfg: DictConfig, schema: type | None = None, path: str = "") -> None:
    """Refuse keys the schema does not declare (Hydra's `+key=value` adds them even to a structured config)."""
    if schema is None:
        typed = OmegaConf.get_type(cfg)
        schema = typed if is_dataclass(typed) else RunConfig
    declared = [f.name for f in fields(schema)]
    hints = type_hints(schema)
    for key in cfg:
        if key not in declared:
            close = difflib.get_close_matches(str(key), declared, n=1)
            hint = f" Did you mean {path}{close[0]}?" if close else ""
            raise ParameterError(f"{path}{key}: not a parameter of {schema.__name__}.{hint} "
                                 "See docs/parameters.md for every parameter.")
        node = cfg._get_node(key)
        if isinstance(node, DictConfig) and is_dataclass(hints[key]):
            check_known_keys(node, hints[key], f"{path}{key}.")
