"""What the interactive page runs and draws, without the page: the workshop model (the community trust model
with the page's settings as keyword arguments and a DataCollector of group measures), two of them side by side
with the same residents and seed, the page's charts and its words. `experiments.app` is the page itself.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from experiments.api import compose, model_params
from experiments.runs import scenarios
from experiments.runs.config import history_names
from experiments.workshop.vocabulary import PAGE_GROUPS, label
from model import CommunityTrustModel, ModelParams, ParameterError
from model.outcomes import less_likely_to_call
from model.policy import Policy

WEEK = 7                      # the page redraws once a simulated week while playing a year or two ...
LONG_RUN = 2 * 366            # ... and every four weeks for a longer run (a county history of 6-14 years)
PROTECTION = {"as in the scenario": None, "on": True, "off": False}
HISTORY = "history:"          # a choice "history:<county>" runs that county's enforcement history


# ---- what the page runs -----------------------------------------------------------------------------------

@functools.cache
def _place_description(county: str) -> str:
    return str(compose([f"city={county}"]).city.description)


@functools.cache
def _history_years(county: str) -> str:
    h = compose([f"city={county}", f"history={county}"]).history
    return f"{h.start[:4]}-{h.end[:4]}"


def choice_label(choice: str) -> str:
    """The page's name for a scenario or a county history."""
    if choice.startswith(HISTORY):
        county = choice.removeprefix(HISTORY)
        return f"{_place_description(county)}, {_history_years(county)}"
    return label(choice)


def county_of(choice: str) -> str:
    return choice.removeprefix(HISTORY) if choice.startswith(HISTORY) else "national"


@functools.cache
def place_defaults(county: str) -> tuple[float, float]:
    """The place's share of undocumented residents and officers per 1,000 (conf/city/<county>.yaml)."""
    params, _ = model_params([f"city={county}"])
    return params.population.status_shares["undocumented"], params.policing.officers_per_1000


@dataclass(frozen=True)
class Controls:
    """Everything the page's controls set. `scenario` is a scenario name or "history:<county>";
    `compare_with` a scenario name run beside it (same place, residents, seed and length), or "" for none."""

    scenario: str = "community_trust"
    compare_with: str = "287g_task_force"
    residents: int = 10000                  # as in the main job, so the page and the report show one city
    undocumented_share: float = 0.041
    profiling: float = 1.0
    outreach_per_year: float | None = None    # None: as in the scenario
    protection: str = "as in the scenario"
    officers_per_1000: float = 2.2
    seed: int = 0

    def for_place(self, scenario: str) -> Controls:
        """These controls with `scenario`, and the place's own mix and staffing if the place changes."""
        if county_of(scenario) == county_of(self.scenario):
            return dataclasses.replace(self, scenario=scenario)
        share, officers = place_defaults(county_of(scenario))
        return dataclasses.replace(self, scenario=scenario, undocumented_share=share, officers_per_1000=officers)

    def model_kwargs(self, scenario: str) -> dict:
        """Keyword arguments of `WorkshopModel` for `scenario` under these controls."""
        return {"policy": scenario, "city": county_of(self.scenario), "population_size": self.residents,
                "undocumented_share": self.undocumented_share, "profiling": self.profiling,
                "outreach_per_year": self.outreach_per_year, "protection": self.protection,
                "officers_per_1000": self.officers_per_1000, "rng": self.seed}


def with_levers(policy: Policy, outreach_per_year: float | None, protection: str) -> Policy:
    """A scenario's levers with the page's outreach and protection settings applied."""
    if protection not in PROTECTION:
        raise ParameterError(f"protection = {protection!r}: choose one of {', '.join(PROTECTION)}.")
    if outreach_per_year is not None:
        policy = dataclasses.replace(policy, outreach_rate=min(1.0, outreach_per_year / 365))
    if PROTECTION[protection] is not None:
        policy = dataclasses.replace(policy, victim_witness_protection=PROTECTION[protection])
    return policy


def page_params(policy: str, city: str, days: int | None, population_size: int, undocumented_share: float | None,
                profiling: float, outreach_per_year: float | None, protection: str,
                officers_per_1000: float | None, rng: int) -> tuple[ModelParams, int]:
    """Compose the run as the command line would (scenario or county history, place, size, seed), then set the
    page's population mix and levers (every scenario of a history's timeline gets them)."""
    overrides = [f"population.size={int(population_size)}", f"seed={int(rng)}",
                 f"policing.profiling_multiplier={profiling}"]
    if policy.startswith(HISTORY):
        county = policy.removeprefix(HISTORY)
        overrides += [f"city={county}", f"history={county}"]
    else:
        overrides += [f"city={city}", f"policy={policy}"]
    if days is not None and not policy.startswith(HISTORY):
        overrides.append(f"days={int(days)}")
    if officers_per_1000 is not None:
        overrides.append(f"policing.officers_per_1000={officers_per_1000}")
    p, seed = model_params(overrides)
    if undocumented_share is not None:
        shares = dict(p.population.status_shares)
        shares["citizen"] += shares["undocumented"] - undocumented_share
        shares["undocumented"] = undocumented_share
        p.population = dataclasses.replace(p.population, status_shares=shares)
    p.policy = with_levers(p.policy, outreach_per_year, protection)
    p.timeline = [dataclasses.replace(s, policy=with_levers(s.policy, outreach_per_year, protection))
                  for s in p.timeline]
    return p, seed


# The page's measures: column prefix -> (chart title, y-axis label, fixed y range or None for "from 0, growing").
MEASURES = {
    "willingness": ("Chance of reporting a violent crime", "chance (%)", (0, 100)),
    "less_likely": ("Less likely to call for fear of status questions", "share of residents (%)", (0, 100)),
    "unreported": ("Crimes not reported to the police, so far", "per 1,000 residents", None),
    "trust": ("Trust in the police", "score (0-100)", (0, 100)),
    "fear": ("Fear of immigration consequences", "score (0-100)", (0, 100)),
    "removed": ("Residents removed from the country, so far", "per 1,000 residents", None),
}


class WorkshopModel(CommunityTrustModel):
    """The community trust model with the page's settings as keyword arguments (Mesa style, so `mesa.batch_run`
    and Mesa's own views can build it too) and a DataCollector of group means for the charts.

    `policy` is a scenario name, or "history:<county>" for that county's enforcement history (which sets the
    place and the length); `city` and `days` place a scenario (`days` None: as the config says). The shares and
    staffing given replace the place's (None: as the place has them). Mesa reserves `scenario` for its own
    Scenario objects, hence `policy`.
    """

    def __init__(self, policy: str = "community_trust", city: str = "national", days: int | None = None,
                 population_size: int = 10000, undocumented_share: float | None = None, profiling: float = 1.0,
                 outreach_per_year: float | None = None, protection: str = "as in the scenario",
                 officers_per_1000: float | None = None, rng: int | str = 0):
        params, seed = page_params(policy, city, days, population_size, undocumented_share, profiling,
                                   outreach_per_year, protection, officers_per_1000, int(rng))
        super().__init__(params, rng=seed, create_agents=False)
        self.choice = policy
        self._group_rows = {g: self.outcomes.group_cells(g)[self.outcomes.cell] for g in PAGE_GROUPS}
        self._group_start = {g: max(1, int(rows.sum())) for g, rows in self._group_rows.items()}
        self._today: tuple[int, dict] | None = None
        self.datacollector.collect(self)    # day 0, before the first step: the charts' starting point

    def reporters(self) -> dict:
        """The page's measures by group, collected each day by the model's DataCollector."""
        return {f"{measure}:{group}": functools.partial(WorkshopModel.measure, measure=measure, group=group)
                for measure in MEASURES for group in PAGE_GROUPS}

    def measure(self, measure: str, group: str) -> float:
        """Today's value of a page measure for a group."""
        return self._values()[measure][group]

    def _values(self) -> dict[str, dict[str, float]]:
        """Every measure for every group, computed once a day (the collector asks for each separately)."""
        if self._today is None or self._today[0] != self.day:
            self._today = (self.day, self._compute())
        return self._today[1]

    def _compute(self) -> dict[str, dict[str, float]]:
        res, drop = self.residents, self.params.outcomes.less_likely_drop
        chance = self.report_probability()
        less_likely = less_likely_to_call(chance, self.reporting.probability(without_fear=True), drop)
        present = res.present()
        done = slice(0, self.day + 1)
        unreported = (self.outcomes.events["victimizations"][done] - self.outcomes.events["reported"][done]).sum(0)
        removed = self.outcomes.events["removals"][done].sum(0)
        values: dict[str, dict[str, float]] = {m: {} for m in MEASURES}
        for g, rows in self._group_rows.items():
            here, cells, start = rows & present, self.outcomes.group_cells(g), self._group_start[g]
            for measure, per_resident in (("willingness", chance), ("less_likely", less_likely),
                                          ("trust", res.trust), ("fear", res.fear)):
                values[measure][g] = 100 * float(per_resident[here].mean()) if here.any() else float("nan")
            values["unreported"][g] = 1000 * float(unreported[cells].sum()) / start
            values["removed"][g] = 1000 * float(removed[cells].sum()) / start
        return values

    def series(self) -> dict[str, np.ndarray]:
        """The collected measures so far, one array per column (a copy: safe to draw while the model runs on)."""
        columns = {k: np.array(v, dtype=float) for k, v in self.datacollector.model_vars.items()}
        n = min(len(v) for v in columns.values())
        return {k: v[:n] for k, v in columns.items()}

    def switches(self) -> list[tuple[int, str]]:
        """The days the scenario changes (a county history), with the new scenario's plain name."""
        return [(s.day, label(s.policy.name)) for s in self.params.timeline]


@dataclass(frozen=True)
class Snapshot:
    """What the page shows at one moment: each model's series and levers, the day, and how far it goes."""

    day: int
    days: int
    runs: tuple[tuple[str, dict[str, np.ndarray], Policy], ...]   # (plain name, series, current levers)
    source: int                                                    # id() of the SideBySide it was taken from
    switches: tuple[tuple[int, str], ...]
    residents: int
    officers: int


class SideBySide:
    """One or two workshop models with the same place, residents, settings and seed, differing only in
    scenario, stepped together (so the comparison is live and paired)."""

    def __init__(self, controls: Controls):
        self.controls = controls
        first = WorkshopModel(**controls.model_kwargs(controls.scenario))
        self.models = [first]
        if controls.compare_with:
            self.models.append(WorkshopModel(**controls.model_kwargs(controls.compare_with), days=first.params.days))

    @property
    def running(self) -> bool:
        return self.models[0].running

    @property
    def day(self) -> int:
        return self.models[0].day + 1

    @property
    def frame_days(self) -> int:
        """Simulated days between two redraws while playing."""
        return WEEK if self.models[0].params.days <= LONG_RUN else 4 * WEEK

    def advance(self, days: int = WEEK) -> None:
        for _ in range(days):
            if not self.running:
                return
            for m in self.models:
                m.step()

    def snapshot(self) -> Snapshot:
        first = self.models[0]
        return Snapshot(day=self.day, days=first.params.days,
                        runs=tuple((choice_label(m.choice), m.series(), m.policy) for m in self.models),
                        source=id(self), switches=tuple(first.switches()), residents=len(first.residents),
                        officers=len(first.police))


# ---- the charts (a matplotlib Figure, no pyplot: drawn in the page's threads) --------------------------------

LINE_STYLES = ("-", "--")   # first scenario solid, second dashed
X_LABEL = "day of the run (days)"


class Charts:
    """The page's six charts: each measure by group (colour), one line per scenario (line style), days on x.

    Built once per run (a matplotlib Figure, no pyplot, so it can be drawn from the page's threads, laid out by
    hand rather than by a layout engine); each `png(snapshot)` moves the lines' data and redraws.
    """

    def __init__(self, snap: Snapshot):
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415
        from matplotlib.lines import Line2D  # noqa: PLC0415

        self.figure = fig = Figure(figsize=(12, 6.8), dpi=80)
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.06, right=0.99, top=0.95, bottom=0.19, wspace=0.22, hspace=0.3)
        self.axes = dict(zip(MEASURES, fig.subplots(2, 3, sharex=True).ravel()))
        self.lines = {}
        for measure, ax in self.axes.items():
            title, unit, fixed = MEASURES[measure]
            for run, style in enumerate(LINE_STYLES[: len(snap.runs)]):
                for group, (_, colour) in PAGE_GROUPS.items():
                    self.lines[run, measure, group], = ax.plot([], [], style, color=colour, linewidth=1.6,
                                                               marker="o", markersize=4, markevery=[-1])
            ax.set_ylim(fixed or (0, 10))
            ax.set_xlim(-0.02 * snap.days, snap.days)   # day 0's points (all there is at load) clear of the axis
            for day, _ in snap.switches:
                ax.axvline(day, color="#444444", linestyle=":", linewidth=1)
            ax.set_title(title, fontsize=11, loc="left")
            ax.set_ylabel(unit)
            ax.grid(alpha=0.3)
        for ax in list(self.axes.values())[3:]:
            ax.set_xlabel(X_LABEL)
        handles = [Line2D([], [], color=c, linewidth=2.5, label=name) for name, c in PAGE_GROUPS.values()]
        handles += [Line2D([], [], color="#333333", linestyle=style, label=name)
                    for (name, _, _), style in zip(snap.runs, LINE_STYLES)]
        if snap.switches:
            handles.append(Line2D([], [], color="#444444", linestyle=":", label="the county's policy changes"))
        fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=10)

    def update(self, snap: Snapshot):
        """The figure with the snapshot's data (the y range of a count grows with it, from 0)."""
        for measure, ax in self.axes.items():
            top = 0.0
            for run, (_, series, _) in enumerate(snap.runs):
                for group in PAGE_GROUPS:
                    values = series[f"{measure}:{group}"]
                    self.lines[run, measure, group].set_data(np.arange(len(values)), values)
                    top = max(top, float(np.nanmax(values, initial=0)))
            if MEASURES[measure][2] is None:
                ax.set_ylim(0, max(10.0, 1.15 * top))
        return self.figure

    def description(self) -> str:
        """The charts in words (the image's alternative text): each chart's title and axes."""
        return "; ".join(f"{ax.get_title(loc='left')}: {ax.get_ylabel()} against {X_LABEL}"
                         for ax in self.axes.values()) + "; colour = group, line style = scenario."

    def png(self, snap: Snapshot) -> bytes:
        import io  # noqa: PLC0415
        buffer = io.BytesIO()
        self.update(snap).savefig(buffer, format="png")
        return buffer.getvalue()


# ---- words ----------------------------------------------------------------------------------------------------

def levers_in_words(p: Policy) -> str:
    asks = {"none": "nobody", "booking": "people booked into jail", "stops": "people stopped and people booked"}
    request = {"none": "nothing", "detainer": "holds (detainers)", "notification": "release-date notifications"}
    honour = {"none": "none", "warrant_only": "only with a judicial warrant",
              "serious_only": "only for serious offences", "all": "all"}
    return (f"status asked of {asks[p.status_questions]}; fingerprints to DHS: "
            f"{'yes' if p.fingerprint_sharing else 'no'}; ICE asks for {request[p.ice_request]}, the jail honours "
            f"{honour[p.honour_requests]}; victims and witnesses protected: "
            f"{'yes' if p.victim_witness_protection else 'no'}; outreach reaches {p.outreach_rate * 365:.0%} of "
            "residents a year")


def at_a_glance(snap: Snapshot) -> str:
    """A markdown table: each group's chance of reporting now and unreported crimes so far, per scenario."""
    names = [name for name, _, _ in snap.runs]
    rows = ["| group | " + " | ".join(f"chance of reporting now: {n}" for n in names) + " | "
            + " | ".join(f"crimes not reported so far, per 1,000: {n}" for n in names) + " |",
            "|---" * (1 + 2 * len(names)) + "|"]
    for group, (group_name, _) in PAGE_GROUPS.items():
        chance = [f"{s[f'willingness:{group}'][-1]:.0f}%" for _, s, _ in snap.runs]
        unreported = [f"{s[f'unreported:{group}'][-1]:.1f}" for _, s, _ in snap.runs]
        rows.append(f"| {group_name} | " + " | ".join(chance + unreported) + " |")
    return "\n".join(rows)


def scenario_items(with_histories: bool, none_label: str | None = None) -> list[dict]:
    """Menu items: the report's scenarios, then, set apart under a header, the county histories."""
    items = [{"text": none_label, "value": ""}] if none_label else []
    items += [{"header": "Scenarios (as in the report)"}]
    items += [{"text": label(name), "value": name} for name in scenarios.compared()]
    if with_histories:
        items += [{"divider": True}, {"header": "County histories (real dates, the county's own mix)"}]
        items += [{"text": choice_label(HISTORY + c), "value": HISTORY + c} for c in history_names()]
    return items
