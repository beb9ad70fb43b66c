"""Workshop outputs from a small sweep: every figure and the report exist, are substantial, and say
what the council asks in plain words."""

from __future__ import annotations

import shutil

import pytest

from conftest import write_small_sweep
from experiments.compare import compare_folder
from experiments.figures import COLOURS, make_figures
from experiments.report import make_report
from experiments.schema import HISTORY_SCENARIOS, SCENARIO_ORDER

TITLES = {
    "1_who_stops_calling": "Who stops calling the police?",
    "2_unreported_and_victims": "How many crimes go unreported, and who is victimized?",
    "3_trust_and_fear_over_time": "Over time: trust and fear by group",
    "4_who_is_removed": "Who gets removed?",
    "5_what_it_costs": "What does it cost the locality?",
    "6_where_people_stop_calling": "Where do people stop calling?",
}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    folder = write_small_sweep(tmp_path_factory.mktemp("sweep"))
    compare_folder(folder, "decoupled")
    return folder


def test_every_figure_is_drawn_as_png_and_svg_with_its_question_as_title(sweep):
    paths = make_figures(sweep)
    for name, title in TITLES.items():
        png, svg = sweep / "figures" / f"{name}.png", sweep / "figures" / f"{name}.svg"
        assert png in paths and svg in paths
        assert png.stat().st_size > 20_000, f"{name}.png looks empty"
        text = svg.read_text()
        assert title in text.replace("&amp;", "&"), f"{name}: title missing"
    who = (sweep / "figures" / "1_who_stops_calling.svg").read_text()
    for words in ("Undocumented", "Other citizens", "Secure Communities", "95% confidence intervals"):
        assert words in who
    where = (sweep / "figures" / "6_where_people_stop_calling.svg").read_text()
    for words in ("No collaboration", "287(g) task force", "operation area", "percentage points"):
        assert words in where, words
    costs = (sweep / "figures" / "5_what_it_costs.svg").read_text()
    assert "Officer hours a year" in costs and "Jail-days a year" in costs


def test_scenarios_have_fixed_distinct_colour_blind_safe_colours():
    assert set(COLOURS) == set(SCENARIO_ORDER + HISTORY_SCENARIOS)
    assert len(set(COLOURS.values())) == len(COLOURS)


def test_the_report_is_one_self_contained_page(sweep):
    path = make_report(sweep, "decoupled")
    page = path.read_text()
    assert path.stat().st_size > 100_000
    assert page.count("data:image/png;base64,") == len(TITLES)
    assert "<link" not in page and "src='http" not in page and 'src="http' not in page
    if shutil.which("chromium"):
        assert path.with_suffix(".pdf").stat().st_size > 50_000
    for words in ("Headline outcomes", "Share of crimes reported", "Undocumented residents less likely to call",
                  "The scenarios", "Secure Communities", "fingerprints", "Main assumptions",
                  "beliefs.risk_amplification", "vs baseline", "Is each difference real, or chance?"):
        assert words in page, words
    verdicts = sum(page.count(v) for v in ("a clear difference", "no clear difference; about", "no difference seen",
                                           "too few seeds to tell"))
    assert page.count("vs baseline: ") == verdicts > 0   # every difference says whether it is resolved
