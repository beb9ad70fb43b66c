"""Validation: targets are read from the project's file and checked; the command runs end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments.analyses.history import window_means
from experiments.analyses.validate import (
    Target,
    check_measures,
    format_validation,
    load_targets,
    measure,
    validation_table,
)
from model import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def test_every_target_names_a_scenario_metric_and_group():
    targets = load_targets()
    assert {t.id for t in targets} >= {"ncvs_violent_reporting", "fbi_violent_clearance",
                                       "theodore_undocumented_less_likely", "theodore_latinos_less_likely",
                                       "miles_cox_no_crime_reduction"}
    assert all(t.metric and t.group and t.source for t in targets)


def one_target(tmp_path: Path, fields: str, value: str = "0.5") -> Path:
    """A targets file holding one target `x` with the given scenario, metric, group and other fields."""
    path = tmp_path / "targets.yaml"
    path.write_text(f"targets:\n  - {{id: x, measure: m, value: {value}, tolerance: 0.1, source: s, {fields}}}\n")
    return path


def test_a_bad_target_file_is_a_clear_error(tmp_path):
    with pytest.raises(ParameterError, match="target x: scenario 'nope' is not one of"):
        load_targets(one_target(tmp_path, "scenario: nope, metric: reporting_share, group: all"))
    with pytest.raises(ParameterError, match="value"):
        load_targets(one_target(tmp_path, "scenario: pep, metric: reporting_share, group: all", value="high"))


@pytest.mark.parametrize("history, message", [
    ("histories: [atlantis], window: ['2012-11-01', '2012-12-31']",
     r"histories \['atlantis'\] are not in conf/history"),
    ("histories: [cook_il], window: ['Nov 2012', '2012-12-31']", "window = .*: give \\[first, last\\] as YYYY-MM-DD"),
    ("histories: [cook_il], window: ['2012-12-31', '2012-11-01']", "window ends .* before it starts")])
def test_a_bad_history_target_is_a_clear_error(tmp_path, history, message):
    with pytest.raises(ParameterError, match=f"target x: {message}"):
        load_targets(one_target(tmp_path, f"scenario: '', metric: less_likely_share, group: latino, {history}"))


@pytest.mark.slow
def test_the_validation_command_runs_end_to_end_with_every_target(tmp_path):
    done = subprocess.run([sys.executable, "-m", "experiments.validate", "--seeds", "2", "--folder", str(tmp_path),
                           "population.size=600", "days=30"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table = pq.read_table(tmp_path / "validation.parquet").to_pydict()
    assert sorted(table["id"]) == sorted(t.id for t in load_targets())
    assert all(n == 2 for n in table["seeds"])
    assert "targets met" in done.stdout and (tmp_path / "validation.txt").exists()


def summary_of(rows: list[tuple[str, int, str, dict]]) -> pa.Table:
    """A summary table from (policy, seed, group, {metric: value}) rows."""
    metrics = sorted({k for *_, values in rows for k in values})
    return pa.table({"policy": [r[0] for r in rows], "seed": [r[1] for r in rows], "group": [r[2] for r in rows],
                     **{m: [float(r[3].get(m, 0.0)) for r in rows] for m in metrics}})


def target(**fields) -> Target:
    base = {"id": "t", "measure": "m", "scenario": "secure_communities", "metric": "ice_custody", "group": "citizen",
            "value": 0.1, "tolerance": 0.05, "source": "s"}
    return Target(**{**base, **fields})


def test_a_share_of_another_groups_count_and_a_ratio_of_two_metrics_are_measured_by_seed():
    summary = summary_of([
        ("secure_communities", 0, "citizen", {"ice_custody": 1, "ice_custody_citizen_family": 1}),
        ("secure_communities", 0, "all", {"ice_custody": 20, "ice_custody_citizen_family": 8}),
        ("secure_communities", 1, "citizen", {"ice_custody": 3, "ice_custody_citizen_family": 2}),
        ("secure_communities", 1, "all", {"ice_custody": 30, "ice_custody_citizen_family": 15}),
        ("decoupled", 0, "all", {"ice_custody": 10, "ice_custody_citizen_family": 2}),
        ("decoupled", 1, "all", {"ice_custody": 10, "ice_custody_citizen_family": 4}),
    ])
    np.testing.assert_allclose(measure(summary, target(share_of="all")), [0.05, 0.1])
    family = target(metric="ice_custody_citizen_family", group="all", ratio_to="ice_custody")
    np.testing.assert_allclose(measure(summary, family), [0.4, 0.5])
    relative = target(metric="ice_custody_citizen_family", group="all", ratio_to="ice_custody", relative_to="decoupled")
    np.testing.assert_allclose(measure(summary, relative), [(0.4 - 0.2) / 0.2, (0.5 - 0.4) / 0.4])


def test_a_target_is_met_only_when_its_interval_is_within_the_tolerance_too():
    def rows(values):
        summary = summary_of([("secure_communities", i, "citizen", {"ice_custody": v}) for i, v in enumerate(values)])
        return validation_table(summary, [target(value=1.0, tolerance=0.5)])

    close_and_narrow, close_but_wide = rows([0.9, 1.0, 1.1]), rows([0.0, 2.0, 0.5, 1.5])
    assert close_and_narrow["passed"] == [True]
    assert (close_but_wide["model"] == [1.0] and close_but_wide["passed"] == [False]
            and close_but_wide["narrow"] == [False])
    assert "interval wider than the tolerance" in format_validation(close_but_wide)


def test_a_daily_count_can_be_summed_over_a_window():
    daily = pa.table({"seed": [0, 0, 0, 1, 1, 1], "group": ["all"] * 6, "date": ["2012-10-31", "2012-11-01",
                      "2012-11-02"] * 2, "removals": [5.0, 1.0, 2.0, 5.0, 3.0, 4.0]})
    window = ("2012-11-01", "2012-12-31")
    np.testing.assert_allclose(window_means(daily, window, ("all",), "removals", "sum")["all"], [3.0, 7.0])
    np.testing.assert_allclose(window_means(daily, window, ("all",), "removals")["all"], [1.5, 3.5])


@pytest.mark.parametrize("extra, message", [
    ("share_of: all, ratio_to: removals", "give share_of or ratio_to, not both"),
    ("aggregate: median", "aggregate = 'median': choose mean or sum")])
def test_a_bad_share_or_aggregate_is_a_clear_error(tmp_path, extra, message):
    with pytest.raises(ParameterError, match=f"target x: {message}"):
        load_targets(one_target(tmp_path, f"scenario: pep, metric: ice_custody, group: citizen, {extra}"))


def test_an_unknown_share_group_or_ratio_metric_is_named(tmp_path):
    for extra, message in (("share_of: everyone", "share_of 'everyone' is not a group"),
                           ("ratio_to: ice_custdy", "ratio_to 'ice_custdy' is not a column of summary.parquet; "
                                                    "did you mean ice_custody")):
        bad = one_target(tmp_path, f"scenario: pep, metric: ice_custody, group: citizen, {extra}")
        with pytest.raises(ParameterError, match=message):
            check_measures(bad, load_targets(bad))


def test_only_a_share_is_clipped_to_one_and_a_ratio_between_groups_keeps_its_interval():
    """Latino residents' stops as a multiple of other residents' (groups that do not nest) is a ratio above 1;
    citizens' ICE custody as a share of everyone's is a share."""
    rows = []
    for seed, (latino, other, citizen, everyone) in enumerate([(46, 10, 1, 20), (45, 10, 0.2, 30), (47, 10, 2.9, 3)]):
        rows += [("secure_communities", seed, "latino", {"stops": latino}),
                 ("secure_communities", seed, "other", {"stops": other}),
                 ("secure_communities", seed, "latino_citizen", {"stops": 1}),
                 ("secure_communities", seed, "other_citizen", {"stops": 1}),
                 ("secure_communities", seed, "citizen", {"ice_custody": citizen}),
                 ("secure_communities", seed, "all", {"ice_custody": everyone})]
    summary = summary_of(rows)
    ratio = validation_table(summary, [target(metric="stops", group="latino", share_of="other", value=4.6)])
    assert ratio["model"][0] == pytest.approx(4.6) and ratio["ci_low"][0] < 4.6 < ratio["ci_high"][0]
    share = validation_table(summary, [target(share_of="all")])
    assert share["ci_high"] == [1.0] and share["ci_low"][0] >= 0.0
