"""The Python API: one run and many from override strings, the same checks as the command line, the worked
script of docs/api.md, Mesa's batch_run on the model, and the model's DataCollector against its own tables."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import mesa
import numpy as np
import pyarrow.parquet as pq
import pytest

from experiments.api import ConfiguredModel, compose, simulate, simulate_many
from experiments.runs.run import run
from experiments.runs.testing import make_model
from model import ParameterError

ROOT = Path(__file__).resolve().parents[1]
SMALL = ("population.size=1500", "days=30")


def test_simulate_returns_the_tables_as_dataframes_and_the_resolved_config():
    result = simulate("policy=pep", *SMALL, seed=2)
    assert result.config.policy.name == "pep" and result.config.seed == 2
    assert set(result.summary["policy"]) == {"pep"} and set(result.summary["seed"]) == {2}
    assert "latino" in set(result.summary["group"])
    assert result.daily["day"].max() == 29 and not result.neighbourhoods.empty
    assert 0 <= result.value("reporting_share", "latino") <= 1
    with pytest.raises(KeyError, match="group 'nobody'"):
        result.value("reporting_share", "nobody")


def test_simulate_gives_what_the_command_line_writes(tmp_path):
    overrides = ["policy=secure_communities", *SMALL, "seed=1", "output.print_summary=false"]
    run(compose(overrides), tmp_path / "run", overrides)
    written = pq.read_table(tmp_path / "run" / "summary.parquet").to_pandas()
    assert written.equals(simulate({"policy": "secure_communities"}, *SMALL, seed=1).summary)


def test_bad_overrides_raise_the_command_lines_messages():
    with pytest.raises(ParameterError, match=r"population.size = -5: allowed range"):
        simulate("population.size=-5")
    with pytest.raises(ParameterError, match="no_such_key"):
        simulate("no_such_key=1")
    with pytest.raises(ParameterError, match="table"):
        simulate_many([["policy=pep"]], table="everything")


def test_simulate_many_checks_every_set_before_running_any(monkeypatch):
    import experiments.api as api

    monkeypatch.setattr(api, "_summary_of", lambda *a: pytest.fail("a run started before every set was checked"))
    with pytest.raises(ParameterError, match=r"crime\.exploitation"):
        simulate_many([["policy=pep", *SMALL], ["crime.exploitation=-2", *SMALL]])


@pytest.mark.slow
def test_the_script_in_docs_api_runs_and_finds_the_task_force_lowers_latino_reporting():
    text = (ROOT / "docs" / "api.md").read_text()
    script = next(block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "simulate_many" in block)
    assert len(script.strip().splitlines()) <= 15
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(script, "docs/api.md", "exec"), {})
    paired = float(re.search(r"no collaboration: ([-+][\d.]+)", out.getvalue())[1])
    assert paired < 0, out.getvalue()


def test_mesa_batch_run_builds_the_model_from_keywords_over_scenarios_and_seeds():
    rows = mesa.batch_run(ConfiguredModel, parameters={"policy": ["decoupled", "287g_task_force"],
                                                       "population__size": 1500, "days": 40},
                          rng=[0, 1], max_steps=40, display_progress=False)
    assert len(rows) == 4
    assert {(r["policy"], r["rng"]) for r in rows} == {(p, s) for p in ("decoupled", "287g_task_force")
                                                      for s in (0, 1)}
    assert all(r["Step"] == 40 and r["victimizations"] >= 0 for r in rows)
    by_seed = {r["rng"]: r["undocumented_mean_fear"] for r in rows if r["policy"] == "287g_task_force"}
    assert by_seed[0] != by_seed[1]     # the seed reaches the model


def test_the_models_datacollector_agrees_with_its_daily_table():
    model = make_model(size=1500, days=40, policy="secure_communities").run()
    collected = model.datacollector.get_model_vars_dataframe()
    daily = model.tables()["daily"]
    for group, prefix in (("all", ""), ("undocumented", "undocumented_")):
        rows = daily["group"] == group
        assert np.allclose(collected[f"{prefix}willingness_to_report"], daily["willingness_to_report"][rows])
        assert np.allclose(collected[f"{prefix}mean_fear"], daily["mean_fear"][rows])
    everyone = daily["group"] == "all"
    assert np.array_equal(collected["victimizations"], daily["victimizations"][everyone])
    assert np.array_equal(collected["unreported"], (daily["victimizations"] - daily["reported"])[everyone])
    assert len(collected) == 40
