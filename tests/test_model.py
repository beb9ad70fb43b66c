"""The whole model: determinism, Mesa agents as views onto the arrays, and the causal chain end to end."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from experiments.runs.testing import make_model, summary_row
from model import CommunityTrustModel, ModelParams, ParameterError
from model.agents import IceLink, Officer, Resident
from model.residents import State


def assert_tables_equal(a: dict, b: dict) -> None:
    for table in ("daily", "summary"):
        assert a[table].keys() == b[table].keys()
        for column, values in a[table].items():
            if values.dtype == object:
                assert (values == b[table][column]).all(), (table, column)
            else:
                np.testing.assert_array_equal(values, b[table][column], err_msg=f"{table}.{column}")


def test_same_seed_same_tables_different_seed_different_tables():
    first = make_model(seed=11, size=1500, days=60, policy="secure_communities").run().tables()
    again = make_model(seed=11, size=1500, days=60, policy="secure_communities").run().tables()
    other = make_model(seed=12, size=1500, days=60, policy="secure_communities").run().tables()
    assert_tables_equal(first, again)
    assert not np.array_equal(first["summary"]["victimizations_per_1000"], other["summary"]["victimizations_per_1000"])


def test_agents_are_views_onto_the_columns():
    m = make_model(size=300, days=5, agents=True)
    residents = m.agents_by_type[Resident]
    assert len(residents) == 300 and len(m.agents_by_type[Officer]) == len(m.police)
    assert len(m.agents_by_type[IceLink]) == 1
    r = m.resident(42)
    assert r.trust == m.residents.trust[42]
    r.trust = 0.123
    assert m.residents.trust[42] == 0.123
    m.run()
    assert r.trust == m.residents.trust[42]
    assert r.state in State and r.ethnicity in m.residents.labels
    assert 0 <= r.reporting_probability() <= 1
    assert {t.row for t in r.ties()} == set(m.network.neighbours(42).tolist())
    assert "Resident(row=42" in repr(r)
    assert sum(a.stops for a in m.agents_by_type[Officer]) == m.police.stops.sum()


def test_lazy_agents_for_large_runs():
    m = make_model(size=300, days=2, agents=False)
    assert len(m.agents) == len(m.police) + 1
    assert m.resident(7).trust == m.residents.trust[7]


def test_a_model_stops_after_its_days_and_refuses_tables_before():
    m = make_model(size=200, days=3)
    with pytest.raises(RuntimeError, match="stopped at day 0 of 3"):
        m.tables()
    m.run()
    assert m.day == 2 and not m.running and m.steps == 3


def test_bad_seed_is_refused():
    with pytest.raises(ParameterError, match="seed"):
        CommunityTrustModel(ModelParams(), rng=-1)


SEEDS = range(4)


def pooled(policy: str, group: str, metric: str, days: int = 180) -> float:
    return float(np.mean([summary_row(finished(policy, s, days), group)[metric] for s in SEEDS]))


@functools.cache
def finished(policy: str, seed: int, days: int) -> CommunityTrustModel:
    """One run of a scenario at 4,000 residents, made once per module (several tests read it)."""
    return make_model(seed=seed, size=4000, days=days, policy=policy).run()


@pytest.mark.slow
@pytest.mark.parametrize("group", ["undocumented", "citizen_mixed_status"])
def test_status_questions_at_stops_raise_fear_and_cut_reporting(group):
    """The chain: a 287(g) task force frightens undocumented residents and citizens in their households."""
    assert pooled("287g_task_force", group, "mean_fear_end") > pooled("decoupled", group, "mean_fear_end") + 0.02
    assert pooled("287g_task_force", group, "less_likely_share_end") > 0.3
    assert pooled("decoupled", group, "less_likely_share_end") < 0.05


@pytest.mark.slow
def test_the_chain_can_fail_when_enforcement_is_not_felt_beyond_the_people_it_touches():
    """With no fear and no loss of trust from what residents hear, the task force leaves most residents'
    reporting intact (only the trust lost in their own unfair contacts remains): not a foregone conclusion."""
    calm = {"direct_fear": 0.0, "network_fear": 0.0, "policy_fear_rate": 0.0, "fear_influence": 0.0,
            "risk_trust_loss": 0.0, "seen_enforcement_loss": 0.0}
    shares = [summary_row(make_model(seed=s, size=4000, days=180, policy="287g_task_force", beliefs=calm).run(),
                          "undocumented")["less_likely_share_end"] for s in SEEDS]
    assert np.mean(shares) < 0.15 < pooled("287g_task_force", "undocumented", "less_likely_share_end")
