"""The interactive page for live workshops: a Mesa SolaraViz app.

    python -m experiments.app            # serves http://127.0.0.1:8765 (localhost only)

Choose a scenario, move the key sliders (population mix, profiling, outreach, protection, officers), press
Reset, then Play or Step, and watch trust, fear, willingness to report and unreported crime by group.
"""

from __future__ import annotations

import dataclasses
import os
import sys

import numpy as np
import solara

from experiments.figures import PLAIN
from experiments.schema import load_policy, policy_names
from mesa import DataCollector
from mesa.visualization import Slider, SolaraViz, make_plot_component
from model import CommunityTrustModel, ModelParams

GROUPS = {"undocumented": "undocumented", "citizen_mixed_status": "citizens, mixed-status homes",
          "latino": "Latino residents", "citizen_other": "other citizens"}
GROUP_COLOURS = dict(zip(GROUPS, ("#D55E00", "#E69F00", "#CC79A7", "#0072B2")))
PROTECTION = ("as in the scenario", "on", "off")


class WorkshopModel(CommunityTrustModel):
    """The community trust model with the page's controls as keyword arguments and a DataCollector for
    its charts (SolaraViz rebuilds the model as `WorkshopModel(**controls)` on Reset). The scenario is the
    `policy` keyword: Mesa reserves `scenario` for its own Scenario objects."""

    def __init__(self, policy: str = "community_trust", population_size: int = 3000,
                 undocumented_share: float = 0.041, profiling: float = 1.0, outreach_per_year: float = -1.0,
                 protection: str = "as in the scenario", officers_per_1000: float = 2.2, days: int = 365,
                 rng: int | str = 0):
        p = ModelParams(days=int(days))
        shares = dict(p.population.status_shares)
        shares["citizen"] += shares["undocumented"] - undocumented_share
        shares["undocumented"] = undocumented_share
        p.population = dataclasses.replace(p.population, size=int(population_size), status_shares=shares)
        p.policing = dataclasses.replace(p.policing, profiling_multiplier=profiling,
                                         officers_per_1000=officers_per_1000)
        levers = load_policy(policy)
        if outreach_per_year >= 0:
            levers = dataclasses.replace(levers, outreach_rate=min(1.0, outreach_per_year / 365))
        if protection != PROTECTION[0]:
            levers = dataclasses.replace(levers, victim_witness_protection=protection == "on")
        p.policy = levers
        super().__init__(p, rng=int(rng))
        cells = self.outcomes.cell
        self._groups = {g: mask[cells] for g, mask in self.outcomes.groups().items() if g in GROUPS}
        reporters = {}
        for g, name in GROUPS.items():
            reporters[f"Trust: {name}"] = lambda m, g=g: m.group_mean(g, m.residents.trust)
            reporters[f"Fear: {name}"] = lambda m, g=g: m.group_mean(g, m.residents.fear)
            reporters[f"Would report: {name}"] = lambda m, g=g: m.group_mean(g, m.report_probability())
        reporters["Crimes reported per 1,000"] = lambda m: m.per_1000("reported")
        reporters["Crimes not reported per 1,000"] = lambda m: m.per_1000("victimizations") - m.per_1000("reported")
        self.datacollector = DataCollector(model_reporters=reporters)
        self.datacollector.collect(self)

    def group_mean(self, group: str, values: np.ndarray) -> float:
        mask = self._groups[group] & self.residents.present()
        return float(values[mask].mean()) if mask.any() else float("nan")

    def per_1000(self, event: str) -> float:
        """Cumulative count of an event so far, per 1,000 residents."""
        return float(self.outcomes.events[event][: self.day + 1].sum() * 1000 / len(self.residents))

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


def _series(kind: str) -> dict[str, str]:
    return {f"{kind}: {name}": GROUP_COLOURS[g] for g, name in GROUPS.items()}


def status_panel(model: WorkshopModel):
    """The scenario's levers and the day, in words."""
    p = model.policy
    lines = [f"### {PLAIN.get(p.name, p.name)} — day {model.day + 1} of {model.params.days}",
             f"- Status questions: **{p.status_questions}**; arrests to check status: "
             f"**{'allowed' if p.pretext_arrests else 'prohibited'}**",
             f"- Fingerprints shared with DHS: **{'yes' if p.fingerprint_sharing else 'no'}**; ICE asks for: "
             f"**{p.ice_request}**, honoured: **{p.honour_requests}**",
             f"- Victims and witnesses protected: **{'yes' if p.victim_witness_protection else 'no'}**; outreach "
             f"reaches **{p.outreach_rate * 365:.0%}** of residents a year",
             f"- {len(model.residents):,} residents, {len(model.police)} officers"]
    return solara.Markdown("\n".join(lines))


model_params = {
    "policy": {"type": "Select", "value": "community_trust", "values": policy_names(), "label": "Scenario"},
    "population_size": Slider("Residents", 3000, 1000, 20000, 1000),
    "undocumented_share": Slider("Share undocumented", 0.041, 0.0, 0.2, 0.005),
    "profiling": Slider("Profiling: stop rate of Latino residents (x)", 1.0, 1.0, 4.0, 0.25),
    "outreach_per_year": Slider("Outreach: residents reached a year (-1 = as in the scenario)", -1.0, -1.0, 1.0, 0.1),
    "protection": {"type": "Select", "value": PROTECTION[0], "values": list(PROTECTION),
                   "label": "Victim and witness protection"},
    "officers_per_1000": Slider("Officers per 1,000 residents", 2.2, 0.5, 5.0, 0.1),
    "rng": {"type": "InputText", "value": 0, "label": "Seed"},
}

page = SolaraViz(
    WorkshopModel(),
    components=[status_panel, make_plot_component(_series("Trust")), make_plot_component(_series("Fear")),
                make_plot_component(_series("Would report")),
                make_plot_component({"Crimes reported per 1,000": "#0072B2", "Crimes not reported per 1,000": "#D55E00"})],
    model_params=model_params,
    name="Community trust and immigration enforcement",
)


def main() -> None:
    """Serve the page on localhost with Solara (extra arguments go to `solara run`, e.g. --port 8800)."""
    os.execv(sys.executable, [sys.executable, "-m", "solara", "run", "experiments.app", "--host", "127.0.0.1",
                              "--port", "8765", "--production", *sys.argv[1:]])


if __name__ == "__main__":
    main()
