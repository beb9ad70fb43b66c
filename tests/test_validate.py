"""Validation: targets are read from the project's file and checked; the command runs end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from experiments.validate import load_targets
from model import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def test_every_target_names_a_scenario_metric_and_group():
    targets = load_targets()
    assert {t.id for t in targets} >= {"ncvs_violent_reporting", "fbi_violent_clearance",
                                       "theodore_undocumented_less_likely", "theodore_latinos_less_likely",
                                       "miles_cox_no_crime_reduction"}
    assert all(t.metric and t.group and t.source for t in targets)


def test_a_bad_target_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n  - {id: x, measure: m, scenario: nope, metric: reporting_share, group: all, "
                   "value: 0.5, tolerance: 0.1, source: s}\n")
    with pytest.raises(ParameterError, match="target x: scenario 'nope' is not one of"):
        load_targets(bad)
    bad.write_text("targets:\n  - {id: x, measure: m, scenario: pep, metric: reporting_share, group: all, "
                   "value: high, tolerance: 0.1, source: s}\n")
    with pytest.raises(ParameterError, match="value"):
        load_targets(bad)


@pytest.mark.parametrize("history, message", [
    ("histories: [atlantis], window: ['2012-11-01', '2012-12-31']", r"histories \['atlantis'\] are not in conf/history"),
    ("histories: [cook_il], window: ['Nov 2012', '2012-12-31']", "window = .*: give \\[first, last\\] as YYYY-MM-DD"),
    ("histories: [cook_il], window: ['2012-12-31', '2012-11-01']", "window ends .* before it starts")])
def test_a_bad_history_target_is_a_clear_error(tmp_path, history, message):
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n  - {id: x, measure: m, scenario: '', metric: less_likely_share, group: latino, "
                   f"value: 0.5, tolerance: 0.1, source: s, {history}}}\n")
    with pytest.raises(ParameterError, match=f"target x: {message}"):
        load_targets(bad)


@pytest.mark.slow
def test_the_validation_command_runs_end_to_end_with_every_target(tmp_path):
    done = subprocess.run([sys.executable, "-m", "experiments.validate", "--seeds", "2", "--folder", str(tmp_path),
                           "population.size=600", "days=30"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table = pq.read_table(tmp_path / "validation.parquet").to_pydict()
    assert sorted(table["id"]) == sorted(t.id for t in load_targets())
    assert all(n == 2 for n in table["seeds"])
    assert "targets met" in done.stdout and (tmp_path / "validation.txt").exists()
