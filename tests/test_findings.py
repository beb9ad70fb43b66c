"""Key findings, plain assumptions and the glossary: the report's sentences follow the numbers they are made of."""

from __future__ import annotations

import dataclasses

from experiments.workshop.assumptions import chance_to_call, plain_assumptions
from experiments.workshop.findings import (
    FINDINGS,
    Outcome,
    Table,
    change,
    finding,
    key_findings,
    less_likely_meaning,
    why_reporting_moves_little,
)
from experiments.workshop.glossary import GLOSSARY, cite_titles, glossary
from model import ModelParams


def comparison(rows: list[tuple]) -> dict[str, list]:
    """A comparison table from (policy, group, metric, mean, diff, low, high, resolved) rows, baseline decoupled."""
    names = ("policy", "group", "metric", "mean", "diff", "diff_low", "diff_high", "resolved")
    table = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    table["baseline"] = ["decoupled"] * len(rows)
    return table


SHARE = Outcome("latino", "reporting_share", "the share of crimes against Latino residents reported", "share")
NAN = float("nan")


def reporting_table(task_force_resolved: float = 1.0) -> Table:
    return Table(comparison([
        ("decoupled", "latino", "reporting_share", 0.43, NAN, NAN, NAN, NAN),
        ("secure_communities", "latino", "reporting_share", 0.40, -0.03, -0.08, 0.02, 0.0),
        ("287g_task_force", "latino", "reporting_share", 0.36, -0.07, -0.10, -0.04, task_force_resolved),
    ]))


def test_a_share_changes_in_points_and_relative_terms_with_its_interval():
    text = change(reporting_table(), "287g_task_force", SHARE)
    assert text == "7.0 points lower, 16% fewer; 95% interval -10.0 to -4.0 points"


def test_a_finding_names_the_largest_clear_difference_and_says_where_there_is_none():
    text = finding(reporting_table(), SHARE)
    assert "largest difference is under 287(g) task force, 36% against 43% under No collaboration" in text
    assert "no clear difference under Secure Communities" in text


def test_without_a_clear_difference_the_finding_says_so_plainly():
    text = finding(reporting_table(task_force_resolved=0.0), SHARE)
    assert text.startswith("The share of crimes against Latino residents reported: no clear difference from No "
                           "collaboration under any scenario")
    assert "largest: 287(g) task force" in text


def test_key_findings_skip_outcomes_the_table_lacks_and_need_a_baseline():
    table = reporting_table()
    assert key_findings(table.t) == [finding(table, o) for o in FINDINGS if o.metric == "reporting_share"
                                     and o.group == "latino"]
    assert key_findings({**table.t, "baseline": [""] * len(table.t["policy"])}) == []


def test_plain_assumptions_follow_the_values_and_name_no_config_keys():
    p = ModelParams()
    text = " ".join(plain_assumptions(p))
    assert "beliefs." not in text and "log-odds" not in text and "Beta" not in text
    assert f"{chance_to_call(p, 0.1):.0%} at a fear of 0.1" in text
    stronger = dataclasses.replace(p, reporting=dataclasses.replace(p.reporting,
                                                                    fear_weight=2 * p.reporting.fear_weight))
    assert chance_to_call(stronger, 0.1) < chance_to_call(p, 0.1)
    assert f"{chance_to_call(stronger, 0.1):.0%} at a fear of 0.1" in " ".join(plain_assumptions(stronger))


def test_source_documents_are_cited_by_title():
    assert cite_titles("Seed 003: holds") == ("Center for American Progress, Federal-Local Coordination on "
                                              "Immigration Enforcement (2015): holds")
    assert "seed" not in cite_titles("seeds 002, 003 and seed 000").lower()


def test_the_glossary_explains_the_terms_a_resident_may_not_know():
    terms = " ".join(GLOSSARY).lower()
    for term in ("detainer", "notification", "judicial warrant", "287(g)", "jail model", "task force", "pep", "ice",
                 "dhs", "removal", "clearance", "mixed-status household", "jail-day", "95% interval"):
        assert term in terms, term


def test_the_surprise_explained_follows_the_numbers():
    rows = []
    for policy, (ll, rep, unrep, lat_vic) in {"decoupled": (0.0, 0.40, 40.0, 60.0),
                                              "287g_jail": (0.60, 0.24, 45.0, 66.0)}.items():
        rows += [(policy, "latino", "less_likely_share_end", ll, ll, ll, ll, 1.0),
                 (policy, "latino", "reporting_share", rep, rep - 0.40, 0, 0, 1.0),
                 (policy, "all", "unreported_per_1000", unrep, unrep - 40.0, 0, 0, 1.0),
                 (policy, "latino", "victimizations_per_1000", lat_vic, 0, 0, 0, 1.0),
                 (policy, "all", "victimizations_per_1000", 60.0, 0, 0, 0, 1.0),
                 (policy, "latino", "residents_start", 200.0, 0, 0, 0, 1.0),
                 (policy, "all", "residents_start", 1000.0, 0, 0, 0, 1.0)]
    text = why_reporting_moves_little(Table(comparison(rows)))
    assert "60% of Latino residents are less likely to call" in text
    assert "24% against 40%" in text and "40% fewer" in text
    assert "reported about two thirds less" in text            # 0.40 fall / 0.60 less likely
    assert "20% of the city's residents and suffer 22% of its crimes" in text
    assert "+5.0 per 1,000 residents a year (+12%)" in text


def test_the_less_likely_cut_off_is_the_runs_own():
    assert "more than 20% below" in less_likely_meaning(0.2)
    assert "more than 20% below" in glossary(0.2)["Less likely to call"]
    assert "more than 10% below" in glossary(0.1)["Less likely to call"]
