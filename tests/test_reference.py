"""The array belief update and the per-agent Mesa reference give the same beliefs for the same inputs."""

from __future__ import annotations

import copy

import numpy as np

from benchmarks.reference_beliefs import ReferenceModel
from conftest import make_model
from model.residents import State
from model.rules.beliefs import Tallies, update_beliefs


def test_array_and_per_agent_belief_updates_agree():
    m = make_model(size=800, days=60, policy="287g_task_force")
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
    for day in range(3):
        update_beliefs(arrays, m.network, today, 0.04 * day, m.params.beliefs)
        reference.set_day(today, 0.04 * day)
        reference.step()
    for name, values in reference.beliefs().items():
        np.testing.assert_allclose(getattr(arrays, name), values, rtol=0, atol=1e-12, err_msg=name)
    assert not np.allclose(arrays.trust, res.trust)   # the inputs did change beliefs
