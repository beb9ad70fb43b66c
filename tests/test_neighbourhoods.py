"""Neighbourhoods: local observed risk, where patrol goes, and outcomes by neighbourhood."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from conftest import make_model, make_params
from model import CommunityTrustModel, ParameterError

REFERENCE = Path(__file__).parent / "data" / "citywide_reference.npz"
CITY_WIDE = {"beliefs": {"own_neighbourhood_weight": 0.0, "ties_neighbourhoods_weight": 0.0},
             "policing": {"patrol_allocation": "residents"}, "network": {"neighbourhood_size": 2000}}


def city_wide_model(policy: str) -> CommunityTrustModel:
    p = make_params(size=3000, days=150, policy=policy, **CITY_WIDE)
    p.policy = dataclasses.replace(p.policy, saturation_patrol=0.0)
    return CommunityTrustModel(p, rng=3, create_agents=False)


@pytest.mark.parametrize("policy", ["287g_task_force", "secure_communities", "community_trust"])
def test_local_weights_at_zero_reproduce_the_city_wide_model_exactly(policy):
    """tests/data/citywide_reference.npz holds the tables of the model before neighbourhoods (commit f2b9644,
    one city-wide observed risk, patrol in proportion to residents); the same settings must give them bit for bit."""
    reference = np.load(REFERENCE, allow_pickle=False)
    tables = city_wide_model(policy).run().tables()
    keys = [k for k in reference.files if k.startswith(f"{policy}/")]
    assert len(keys) > 60
    for key in keys:
        _, table, column = key.split("/")
        got, want = tables[table][column], reference[key]
        if want.dtype.kind == "U":
            assert got.astype(str).tolist() == want.tolist(), key
        else:
            np.testing.assert_array_equal(got, want, err_msg=key)
