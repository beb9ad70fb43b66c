"""Scenario discovery: a small Latin-hypercube sample, run as a Hydra sweep, in which PRIM finds a box that
concentrates the cases of interest, described in words; and bad arguments refused before anything runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.analyses.discover import latin_hypercube, parse

ROOT = Path(__file__).resolve().parents[1]


def test_the_latin_hypercube_puts_one_point_in_each_stratum_of_every_range():
    names = ["reporting.fear_weight", "beliefs.attention_mean"]
    samples = latin_hypercube(names, 10, seed=3)
    assert list(samples["sample"]) == [f"s{i:04d}" for i in range(10)]
    for name, (low, high) in (("reporting.fear_weight", (10.0, 100.0)), ("beliefs.attention_mean", (0.1, 1.0))):
        strata = ((samples[name] - low) / (high - low) * 10).astype(int)
        assert sorted(strata) == list(range(10))
    assert latin_hypercube(names, 10, seed=3).equals(samples)


@pytest.mark.parametrize("args, message", [
    (["--scenarios", "martial_law"], "not a scenario"),
    (["--scenarios", "decoupled"], "other than the baseline"),
    (["--parameters", "crime.nothing"], "not an uncertain parameter"),
    (["--metric", "happiness"], "not a summary column"),
    (["--group", "martians"], "not a group"),
    (["--fall", "1.5"], "--fall"),
])
def test_bad_arguments_are_refused_before_anything_runs(args, message):
    from model import ParameterError

    with pytest.raises(ParameterError, match=message):
        parse(args)


@pytest.mark.slow
def test_prim_finds_a_box_denser_than_the_whole_sample(tmp_path):
    pytest.importorskip("ema_workbench", reason="scenario discovery is an extra: pip install -e '.[discover]'")
    folder = tmp_path / "discovery"
    done = subprocess.run(
        [sys.executable, "-m", "experiments.discover", "--samples", "12", "--seeds", "1", "--residents", "1500",
         "--days", "120", "--scenarios", "community_trust,287g_task_force", "--fall", "0.5", "--parameters",
         "reporting.fear_weight,beliefs.risk_amplification,beliefs.attention_mean", "--folder", str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    cases = pd.read_parquet(folder / "cases.parquet")
    assert len(cases) == 24 and set(cases["enforcement_scenario"]) == {"community_trust", "287g_task_force"}
    boxes = pd.read_parquet(folder / "boxes.parquet")
    first = boxes.iloc[0]
    assert first["density"] > cases["of_interest"].mean() and first["coverage"] >= 0.5
    assert first["limits"] != "{}"                      # it restricts something
    text = (folder / "discovery.txt").read_text()
    assert "Box 1: Latino residents' chance of reporting" in text and "It is where" in text
    assert (folder / "peeling_tradeoff.png").stat().st_size > 10_000


def test_a_folder_of_another_design_is_refused_and_the_same_design_is_accepted(tmp_path):
    from experiments.analyses.discover import design
    from experiments.runs.samples import claim_folder
    from model import ParameterError

    args, overrides = parse(["--samples", "8", "--folder", str(tmp_path / "d")])
    claim_folder(args.folder, design(args, overrides), "design")
    claim_folder(args.folder, design(args, overrides), "design")     # resuming: the same design
    again, _ = parse(["--samples", "8", "--fall", "0.5", "--folder", str(tmp_path / "d")])
    claim_folder(again.folder, design(again, overrides), "design")   # re-analysing: another threshold
    other, _ = parse(["--samples", "16", "--folder", str(tmp_path / "d")])
    with pytest.raises(ParameterError, match="holds the runs of another design"):
        claim_folder(other.folder, design(other, overrides), "design")


def test_prim_restricts_the_scenario_where_only_the_scenario_matters():
    """The cases of interest are exactly those under two of four scenarios; the parameters are noise. PRIM must
    name the scenarios (EMA's Prim drops a column named `scenario` without a word, so it once named noise)."""
    pytest.importorskip("ema_workbench", reason="scenario discovery is an extra: pip install -e '.[discover]'")
    import numpy as np

    from experiments.analyses.discover import SCENARIO, find_boxes

    rng = np.random.default_rng(0)
    scenarios = np.repeat(["community_trust", "287g_jail", "287g_task_force", "secure_communities"], 50)
    x = pd.DataFrame({"reporting.fear_weight": rng.uniform(10, 100, 200), "beliefs.attention_mean": rng.random(200),
                      SCENARIO: pd.Categorical(scenarios)})
    y = np.isin(scenarios, ["287g_task_force", "secure_communities"])
    box = find_boxes(x, y, boxes=1, min_density=0.8)[0]
    assert box["limits"] == {SCENARIO: (("287g_task_force", "secure_communities"),)}
    assert box["stats"]["density"] == 1.0 and box["stats"]["coverage"] == 1.0 and box["dense_enough"]


def test_a_box_below_the_minimum_density_is_called_weak_evidence():
    pytest.importorskip("ema_workbench", reason="scenario discovery is an extra: pip install -e '.[discover]'")
    import numpy as np

    from experiments.analyses.discover import SCENARIO, find_boxes, sentence

    rng = np.random.default_rng(1)
    x = pd.DataFrame({"reporting.fear_weight": rng.uniform(10, 100, 200),
                      SCENARIO: pd.Categorical(rng.choice(["pep", "287g_jail"], 200))})
    y = rng.random(200) < 0.3                        # nothing explains it
    box = find_boxes(x, y, boxes=1, min_density=0.95)[0]
    assert not box["dense_enough"]
    initial = pd.DataFrame({"reporting.fear_weight": [10.0, 100.0], SCENARIO: [{"pep", "287g_jail"}] * 2})
    assert "No box on this peeling trajectory reaches the minimum density of 95%" in sentence(1, box, "x", initial,
                                                                                              0.95)


def test_help_shows_the_defaults(capsys):
    with pytest.raises(SystemExit):
        parse(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 64)" in text and "(default: decoupled)" in text and "(default: 0.8)" in text
