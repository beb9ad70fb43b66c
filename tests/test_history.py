"""County histories: dated timelines of scenarios switch on the right days and carry calendar dates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow.parquet as pq
import pytest

from experiments.api import compose
from experiments.paths import CONF_DIR
from experiments.runs.config import county_history, to_model_params
from experiments.runs.run import run
from model import ParameterError

HISTORIES = sorted(p.stem for p in (CONF_DIR / "history").glob("*.yaml") if p.stem != "none")


def composed(*overrides: str):
    return compose(overrides)


def test_the_four_surveyed_counties_have_histories():
    assert set(HISTORIES) == {"cook_il", "harris_tx", "los_angeles_ca", "maricopa_az"}


@pytest.mark.parametrize("name", HISTORIES)
def test_a_history_switches_policy_on_its_dates(name):
    cfg = composed(f"city={name}", f"history={name}")
    params, _ = to_model_params(cfg)
    start, end = date.fromisoformat(cfg.history.start), date.fromisoformat(cfg.history.end)
    assert params.days == (end - start).days + 1
    assert params.policy.name == cfg.history.initial_policy
    for switch, event in zip(params.timeline, cfg.history.events):
        assert switch.day == (date.fromisoformat(event.date) - start).days
        assert switch.policy.name == event.policy


def test_maricopa_adopts_the_task_force_on_1_april_2007():
    params, _ = to_model_params(composed("city=maricopa_az", "history=maricopa_az"))
    first = params.timeline[0]
    assert first.day == (date(2007, 4, 1) - date(2006, 1, 1)).days and first.policy.status_questions == "stops"


def test_until_stops_a_history_early_and_drops_the_events_it_does_not_reach():
    full, _ = to_model_params(composed("city=harris_tx", "history=harris_tx"))
    short, _ = to_model_params(composed("city=harris_tx", "history=harris_tx", "history.until=2012-12-31"))
    assert short.days == (date(2012, 12, 31) - date(2008, 1, 1)).days + 1 < full.days
    assert [s.day for s in short.timeline] == [s.day for s in full.timeline if s.day < short.days]
    assert len(short.timeline) == len(full.timeline) - 1   # the 2017 switch is not reached
    with pytest.raises(ParameterError, match=r"history.until = 2020-01-01: must fall after 2008-01-01 and by"):
        to_model_params(composed("history=harris_tx", "history.until=2020-01-01"))


def test_the_same_county_history_from_the_cli_and_in_process():
    cli, _ = to_model_params(composed("city=maricopa_az", "history=maricopa_az", "history.until=2010-06-30"))
    merged, _ = to_model_params(county_history(composed(), "maricopa_az", "2010-06-30"))
    assert merged == cli


def test_bad_dates_are_clear_errors():
    with pytest.raises(ParameterError, match=r"history.events\[0\].date = 2030-01-01: must fall after"):
        to_model_params(composed("history=cook_il", "history.events=[{date: '2030-01-01', policy: pep}]"))
    with pytest.raises(ParameterError, match=r"history.start = '1/1/2010': give a date as YYYY-MM-DD"):
        to_model_params(composed("history=cook_il", "history.start=1/1/2010"))


def test_a_county_history_runs_end_to_end_with_calendar_dates(tmp_path):
    cfg = composed("city=cook_il", "history=cook_il", "population.size=500", "output.print_summary=false")
    run(cfg, tmp_path)
    daily = pq.read_table(tmp_path / "daily.parquet").to_pydict()
    assert daily["date"][0] == "2010-01-01" and max(daily["date"]) == "2013-12-31"
    assert set(daily["policy"]) == {"cook_il history"} and set(daily["city"]) == {"cook_il"}


@pytest.mark.slow
def test_the_history_command_writes_the_survey_check_and_the_figure(tmp_path):
    from experiments.analyses.history import main
    main(["--counties", "cook_il", "--seeds", "2", "--folder", str(tmp_path), "population.size=400"])
    text = (tmp_path / "survey_check.txt").read_text()
    assert "cook_il" in text and "Theodore 2013" in text and "70%" in text and "44%" in text
    assert (tmp_path / "history_cook_il.png").stat().st_size > 20_000
    svg = (tmp_path / "history_cook_il.svg").read_text()
    assert "What did our county" in svg and "Detainers" in svg   # an event label (wrapped over lines)


def test_the_weighted_pool_leans_toward_the_county_with_more_residents_in_the_group():
    from experiments.analyses.history import GROUPS, pooled
    results = {"los_angeles_ca": {g: np.array([0.9, 0.9]) for g in GROUPS},
               "maricopa_az": {g: np.array([0.1, 0.1]) for g in GROUPS}}
    pools = pooled(results)
    assert pools["pooled (mean)"]["undocumented"] == pytest.approx(0.5)
    # LA: 10.0M residents x 10% undocumented against Maricopa's 4.4M x 5%
    assert 0.7 < pools["pooled (weighted)"]["undocumented"] < 0.9
    assert 0.5 < pools["pooled (weighted)"]["latino"] < pools["pooled (weighted)"]["undocumented"]
