"""The array belief update and the per-agent Mesa reference give the same beliefs for the same inputs."""

from __future__ import annotations

import copy

import numpy as np

from experiments.runs.testing import make_model
from model.reference import ReferenceModel
from model.residents import State
from model.rules.beliefs import ObservedRisk, Tallies, update_beliefs


def test_array_and_per_agent_belief_updates_agree():
    m = make_model(size=800, days=60, policy="287g_task_force", network={"neighbourhood_size": 100})
    for _ in range(40):   # a lived-in state: fear, trust changes, removals
        m.step()
    res = m.residents
    res.state[:5] = State.REMOVED
    rng = np.random.default_rng(3)
    n = len(res)
    today = Tallies(event_rows=rng.integers(0, n, 30), event_weights=rng.choice([0.3, 1.0], 30),
                    unfair=rng.poisson(0.05, n).astype(float), fair=rng.poisson(0.05, n).astype(float),
                    cleared_rows=rng.integers(0, n, 10))
    reference = ReferenceModel(copy.deepcopy(res), m.network, m.params.beliefs)
    arrays = copy.deepcopy(res)
    b = m.params.beliefs
    assert b.own_neighbourhood_weight > 0 and b.ties_neighbourhoods_weight > 0   # the whole mix is exercised
    for day in range(3):
        risk = ObservedRisk(city=0.04 * day, local=rng.uniform(0, 0.2, m.neighbourhoods.n))
        update_beliefs(arrays, m.network, today, risk, b)
        reference.set_day(today, risk)
        reference.step()
    for name, values in reference.beliefs().items():
        np.testing.assert_allclose(getattr(arrays, name), values, rtol=0, atol=1e-12, err_msg=name)
    assert not np.allclose(arrays.trust, res.trust)   # the inputs did change beliefs
