"""The scenarios and how they are shown: one home for a scenario's label, colour, order and whether it is for
county histories only. A scenario is its file, conf/policy/<name>.yaml: the levers, and a `scenario:` block
(`ScenarioLook`) that every table, figure, the report and the page read from here. A run records its
scenario's look in run.json, so that runs of a scenario from another config folder (`hydra.searchpath`) are
shown as their file says wherever their tables are read (`learn`).
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from omegaconf import OmegaConf

from experiments import paths

# For a scenario whose file gives no colour: Paul Tol's "muted" scheme (colour-blind safe), none of them a
# colour of the scenarios in conf/policy/, picked by the scenario's name so that it keeps its colour everywhere.
SPARE_COLOURS = ("#882255", "#44AA99", "#999933", "#AA4499", "#117733", "#88CCEE", "#DDCC77")


@dataclass
class ScenarioLook:
    """How tables, figures and the page show a scenario: the `scenario:` block of conf/policy/<name>.yaml. It is
    not part of a run's identity (relabelling a scenario re-runs nothing); the functions below read it."""

    label: str = ""            # the plain name a council member would say; "" = the file's name
    colour: str = ""           # "#RRGGBB"; "" = a spare colour (experiments.runs.scenarios.SPARE_COLOURS)
    order: int = 0             # place in every table and figure (0 = after the ordered ones, by name)
    history_only: bool = False  # for county histories only: left out of the default comparison
    description: str = ""      # what the scenario is, with its sources; "" = the comment at the top of its file


_learned: dict[str, ScenarioLook] = {}


def looks() -> dict[str, ScenarioLook]:
    """Every known scenario's look: the files in conf/policy/, then what runs from elsewhere recorded."""
    return {**_learned, **_files(paths.CONF_DIR / "policy")}


@functools.cache
def _files(folder: Path) -> dict[str, ScenarioLook]:
    return {path.stem: read_look(path) for path in sorted(folder.glob("*.yaml"))}


def read_look(path: Path) -> ScenarioLook:
    """The `scenario:` block of a scenario file (defaults where it has none), its description from the comment at
    the top of the file where the block gives none."""
    text = path.read_text(encoding="utf-8")
    found = to_look((yaml.safe_load(text) or {}).get("scenario") or {})
    comment = " ".join(line[1:].strip() for line in text.splitlines() if line.startswith("#"))
    return replace(found, description=found.description or comment)


def to_look(block: dict) -> ScenarioLook:
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(ScenarioLook), block))


def look(name: str) -> ScenarioLook:
    """A scenario's look, its label and colour filled in."""
    found = looks().get(name, ScenarioLook())
    return replace(found, label=found.label or name, colour=found.colour or spare_colour(name))


def spare_colour(name: str) -> str:
    return SPARE_COLOURS[zlib.crc32(name.encode()) % len(SPARE_COLOURS)]


def label(name: str) -> str:
    """The plain name of a scenario ("Secure Communities"); a timeline's or history's name as it is."""
    return look(name).label


def colour(name: str) -> str:
    return look(name).colour


def description(name: str) -> str:
    """What the scenario is and the seed sentences it encodes ("" if no file or run describes it)."""
    return look(name).description


def in_scenario_order(names) -> list[str]:
    """Distinct scenario names by their files' `order`, then the others by name."""
    known = looks()
    order = {n: known[n].order for n in set(names) if n in known and known[n].order}
    return sorted(order, key=lambda n: (order[n], n)) + sorted(set(names) - set(order))


def compared() -> list[str]:
    """The scenarios of the default comparison (conf/experiment/compare.yaml): all but those for histories only."""
    files = _files(paths.CONF_DIR / "policy")
    return in_scenario_order(n for n, lk in files.items() if not lk.history_only)


def learn(name: str, block: dict | None) -> None:
    """Remember the look a run recorded for its scenario (`run.json`'s `scenario`), where no file here has it."""
    if block and name not in _files(paths.CONF_DIR / "policy"):
        _learned[name] = to_look(block)


def sweep_choice(_: str = "") -> str:
    """`${scenarios:}` in a sweep's params: the compared scenarios, comma-separated (a Hydra choice sweep)."""
    return ",".join(compared())
