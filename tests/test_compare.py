"""The scenario comparison: intervals, pairing by seed, and the table from a small sweep."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from experiments.runs.compare import (
    _ordered,
    compare,
    compare_folder,
    format_comparison,
    interval,
    load_sweep,
    natural_bounds,
    resolution,
)
from experiments.runs.config import in_scenario_order
from experiments.runs.runfolder import write_run


def test_interval_is_a_t_interval():
    mean, _lo, hi = interval(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0
    assert hi - mean == pytest.approx(4.302653 * 1.0 / math.sqrt(3), rel=1e-5)  # t(0.975, 2) * sd / sqrt(n)
    assert math.isnan(interval(np.array([5.0]))[1]) and math.isnan(interval(np.array([]))[0])


def fake_summary(rows):
    policy, seed, value = zip(*rows)
    return pa.table({"policy": list(policy), "seed": list(seed), "group": ["all"] * len(rows),
                     "removals": np.array(value, dtype=float)})


def test_differences_are_paired_by_seed():
    # the scenario is always exactly 10 above the baseline in the same seed, though seeds vary a lot
    rows = [("decoupled", s, 100.0 * s) for s in range(4)] + [("pep", s, 100.0 * s + 10) for s in range(4)]
    table = compare(fake_summary(rows), baseline="decoupled")
    pep = list(table["policy"]).index("pep")
    assert table["diff"][pep] == pytest.approx(10.0)
    assert table["diff_low"][pep] == pytest.approx(10.0) and table["diff_high"][pep] == pytest.approx(10.0)
    assert table["ci_high"][pep] - table["ci_low"][pep] > 100   # the unpaired interval is wide


def test_scenarios_come_in_the_fixed_order():
    rows = [(p, 0, 1.0) for p in ("secure_communities", "zzz_custom", "decoupled", "287g_task_force")]
    assert list(dict.fromkeys(compare(fake_summary(rows))["policy"])) == [
        "decoupled", "secure_communities", "287g_task_force", "zzz_custom"]


def test_a_sweep_folder_is_compared_and_incomplete_runs_are_ignored(tmp_path):
    from experiments.runs.tables import to_arrow
    from experiments.runs.testing import make_model
    for policy in ("decoupled", "287g_task_force"):
        for seed in range(3):
            m = make_model(seed=seed, size=1500, days=60, policy=policy).run()
            tables = {k: to_arrow(v, {"policy": policy, "seed": seed}) for k, v in m.tables().items()}
            write_run(tmp_path / f"policy={policy},seed={seed}", tables, "", {})
    (tmp_path / "policy=pep,seed=0").mkdir()          # a killed run: no run.json
    (tmp_path / "policy=pep,seed=0" / "summary.parquet").write_text("partial")
    summary = load_sweep(tmp_path)
    assert set(summary.column("policy").to_pylist()) == {"decoupled", "287g_task_force"}
    text = compare_folder(tmp_path, "decoupled")
    assert "mean over 3 seeds" in text and "difference from decoupled" in text
    assert "Undocumented residents less likely to call" in text
    assert (tmp_path / "comparison.parquet").exists() and (tmp_path / "comparison.txt").read_text().strip() == text
    assert "287g_task_force" in format_comparison(compare(summary, None))


def test_an_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no finished runs"):
        load_sweep(tmp_path)


def test_settings_of_a_sweep_are_compared_apart():
    from experiments.runs.compare import setting
    assert setting(["policy=pep", "seed=3", "population.size=50000", "output.root=/x", "+days=10"]) == \
        "days=10, population.size=50000"
    rows = [(p, s, v + (1000 if size == "population.size=50000" else 0), size)
            for size in ("population.size=10000", "population.size=50000")
            for p, v in (("decoupled", 0.0), ("pep", 5.0)) for s in range(3)]
    summary = pa.table({"policy": [r[0] for r in rows], "seed": [r[1] for r in rows], "group": ["all"] * len(rows),
                        "removals": [r[2] for r in rows], "setting": [r[3] for r in rows]})
    table = compare(summary, baseline="decoupled")
    assert sorted(set(table["setting"])) == ["population.size=10000", "population.size=50000"]
    pep = table["policy"] == "pep"
    assert np.allclose(table["diff"][pep], 5.0)            # paired within each setting, not across
    assert sorted(table["mean"][pep]) == [5.0, 1005.0]
    assert "pep | population.size=50000" in format_comparison(table)


def test_intervals_stay_within_the_range_a_metric_can_take():
    summary = pa.table({"policy": ["pep"] * 3, "seed": [0, 1, 2], "group": ["all"] * 3,
                        "reporting_share": [0.0, 0.0, 0.3], "removals": [0.0, 0.0, 9.0]})
    table = compare(summary)
    assert (table["ci_low"] >= 0).all()
    share = list(table["metric"]).index("reporting_share")
    assert table["ci_high"][share] <= 1.0


def test_a_difference_is_resolved_when_its_interval_leaves_out_zero_and_otherwise_says_what_would_resolve_it():
    assert resolution(2.0, 1.0, 3.0) == (1.0, 1.0)
    assert resolution(-2.0, -3.0, -1.0) == (1.0, 1.0)
    resolved, more = resolution(1.0, -1.0, 3.0)            # half-width 2: four times the seeds halves it
    assert resolved == 0.0 and more == pytest.approx(4.0)
    assert resolution(0.0, -1.0, 1.0) == (0.0, math.inf)
    assert all(math.isnan(x) for x in resolution(1.0, math.nan, math.nan))


def test_the_comparison_carries_the_resolution_of_each_difference():
    rows = {"policy": ["decoupled"] * 4 + ["pep"] * 4, "seed": [0, 1, 2, 3] * 2, "group": ["all"] * 8,
            "setting": [""] * 8, "removals": [1.0, 2.0, 1.0, 2.0, 11.0, 12.0, 11.5, 12.5],
            "reporting_share": [0.30, 0.32, 0.31, 0.33, 0.31, 0.31, 0.32, 0.32]}
    table = compare(pa.table(rows), baseline="decoupled")
    at = {(p, m): i for i, (p, m) in enumerate(zip(table["policy"], table["metric"]))}
    assert table["resolved"][at["pep", "removals"]] == 1.0
    assert table["resolved"][at["pep", "reporting_share"]] == 0.0
    assert math.isnan(table["resolved"][at["decoupled", "removals"]])
    assert " *" in format_comparison(table)


def per_metric_comparison(summary: pa.Table, baseline: str) -> dict[str, list]:
    """The comparison as it was computed before it went a block of metrics at a time: each metric of each
    setting, scenario and group on its own (1-D `interval`, pairs by a dict of the baseline's seeds)."""
    cols = summary.to_pydict()
    policy, group, seed, settings = (np.array(cols[k], dtype=object) for k in ("policy", "group", "seed", "setting"))
    out = {k: [] for k in ("mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "resolved", "more_needed")}
    for s in sorted(set(settings.tolist())):
        for p in in_scenario_order(policy[settings == s].tolist()):
            for g in _ordered(group):
                mask = (settings == s) & (policy == p) & (group == g)
                base_mask = (settings == s) & (policy == baseline) & (group == g)
                for metric in ("removals", "reporting_share", "stops"):
                    values = np.array(cols[metric], dtype=float)
                    mean, lo, hi = interval(values[mask])
                    floor, ceiling = natural_bounds(metric)
                    base = dict(zip(seed[base_mask], values[base_mask]))
                    diff = np.array([v - base[x] for x, v in zip(seed[mask], values[mask]) if x in base])
                    d = interval(diff) if len(diff) else (math.nan,) * 3
                    r = resolution(*d) if p != baseline else (math.nan,) * 2
                    for key, v in zip(out, (mean, max(lo, floor), min(hi, ceiling), *d, *r)):
                        out[key].append(v)
    return out


def test_the_comparison_equals_the_per_metric_one_bit_for_bit():
    """NaN values, a group one scenario lacks, seeds the baseline lacks, one seed alone, two settings, 12 seeds."""
    rng = np.random.default_rng(5)
    rows = []
    for setting, seeds in (("", range(12)), ("population.size=500", range(3))):
        for p in ("decoupled", "pep", "287g_task_force"):
            for s in seeds:
                if p == "decoupled" and s in (2, 7):
                    continue
                for g in ("all", "undocumented") if p != "pep" or (s < 1 and not setting) else ("all",):
                    rows.append((setting, p, s, g, *rng.normal(50, 20, 3)))
    setting, policy, seed, group, removals, share, stops = (list(c) for c in zip(*rows))
    share = [math.nan if i % 9 == 0 else v / 100 for i, v in enumerate(share)]
    table = pa.table({"setting": setting, "policy": policy, "seed": seed, "group": group, "removals": removals,
                      "reporting_share": share, "stops": stops})
    got, expected = compare(table, "decoupled"), per_metric_comparison(table, "decoupled")
    for key, want in expected.items():
        np.testing.assert_array_equal(got[key], np.array(want, dtype=float), err_msg=key)   # NaN equals NaN
    assert np.isnan(got["mean"]).any() and np.isnan(got["diff_low"]).any()      # the cases above occurred
    assert np.isfinite(got["diff_low"]).any() and np.isfinite(got["ci_low"]).any()
    assert np.isfinite(got["more_needed"]).any()
