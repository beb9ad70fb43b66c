"""Workshop outputs from a small sweep: every figure and the report exist, are substantial, and say
what the council asks in plain words."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil

import pytest

from experiments.runs import scenarios
from experiments.runs.compare import compare_folder
from experiments.runs.config import load_costs
from experiments.runs.testing import write_small_sweep
from experiments.workshop.figures import make_figures
from experiments.workshop.report import make_report

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
    assert "Officer hours (a year)" in costs and "Jail-days (a year)" in costs


def test_every_scenario_file_gives_its_own_label_colour_and_order():
    looks = {name: scenarios.look(name) for name in scenarios.looks()}
    assert all(lk.colour != scenarios.spare_colour(name) and lk.label != name and lk.order
               for name, lk in looks.items())
    assert len({lk.colour for lk in looks.values()}) == len(looks)
    assert len({lk.order for lk in looks.values()}) == len(looks)
    assert not set(scenarios.SPARE_COLOURS) & {lk.colour for lk in looks.values()}


def test_the_report_is_one_self_contained_page(sweep):
    path = make_report(sweep, "decoupled")
    page = path.read_text()
    assert path.stat().st_size > 100_000
    assert page.count("data:image/png;base64,") == len(TITLES)
    assert "<link" not in page and "src='http" not in page and 'src="http' not in page
    for words in ("Headline outcomes", "Share of crimes reported", "Undocumented residents less likely to call",
                  "The scenarios", "Secure Communities", "fingerprints", "Main assumptions", "vs baseline",
                  "Is each difference real, or chance?", "Key findings", "Reading the numbers", "Glossary",
                  "Detainer", "What it costs the locality"):
        assert words in page, words
    verdicts = sum(page.count(v) for v in ("a clear difference", "no clear difference; about", "no difference seen",
                                           "too few runs to tell"))
    assert page.count("vs baseline<span class=verdict>: ") == verdicts > 0   # every difference says if it is resolved


def test_the_report_opens_with_generated_key_findings(sweep):
    page = make_report(sweep, "decoupled").read_text()
    findings = page.split("<h2>Key findings</h2>")[1].split("</ol>")[0]
    items = findings.count("<li>")
    assert 5 <= items <= 8
    assert findings.count("No collaboration") >= items                    # each compares with the baseline
    assert findings.count("95% interval") + findings.count("no clear difference from") >= items
    assert "points" in findings and "less likely to call" in page


def test_the_report_speaks_plainly(sweep):
    page = make_report(sweep, "decoupled").read_text()
    assert not re.search(r"[Ss]eeds? 0\d\d", page)                        # sources by title
    assumptions = page.split("<h2>Main assumptions</h2>")[1].split("<h2>")[0]
    assert not re.search(r"\b(beliefs|reporting|crime|policing|enforcement)\.[a-z_]+", assumptions)
    assert "log-odds" not in assumptions and "Beta" not in assumptions
    assert "Center for American Progress" in page


def test_the_report_prices_officer_hours_and_jail_days_with_sourced_unit_costs(sweep):
    costs = load_costs("national")
    page = make_report(sweep, "decoupled").read_text()
    section = html.unescape(page.split("<h2>What it costs the locality</h2>")[1].split("<h2>")[0])
    assert (f"an officer hour ${costs.officer_hour:,.2f} ({costs.officer_hour_year}; "
            f"{costs.officer_hour_source})") in section
    assert f"a jail-day ${costs.jail_day:,.2f} ({costs.jail_day_year}; {costs.jail_day_source})" in section
    assert "unconstitutional" in section and "does not guess" in section
    doubled = dataclasses.replace(costs, jail_day=2 * costs.jail_day, officer_hour=0.0)
    priced = html.unescape(make_report(sweep, "decoupled", doubled).read_text())
    assert f"a jail-day ${2 * costs.jail_day:,.2f}" in priced


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium prints the handout")
def test_the_report_prints_as_a_handout_of_at_most_four_pages(sweep):
    pdf = make_report(sweep, "decoupled").with_suffix(".pdf")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 1 <= pages <= 4
