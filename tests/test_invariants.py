"""Invariants over many random valid configurations (hypothesis): accounting, bounds, due process."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.runs.testing import make_params
from model import CommunityTrustModel, Policy
from model.policy import HONOUR, ICE_REQUESTS, PRIORITIES, STATUS_QUESTIONS
from model.residents import State, Status

policies = st.builds(
    Policy,
    status_questions=st.sampled_from(STATUS_QUESTIONS),
    pretext_arrests=st.booleans(),
    fingerprint_sharing=st.booleans(),
    ice_request=st.sampled_from(ICE_REQUESTS),
    honour_requests=st.sampled_from(HONOUR),
    priority=st.sampled_from(PRIORITIES),
    victim_witness_protection=st.booleans(),
    outreach_rate=st.floats(0, 0.05),
    profiling_monitoring=st.booleans(),
)

configs = st.fixed_dictionaries({
    "size": st.integers(100, 600),
    "days": st.integers(5, 40),
    "policy": policies,
    "seed": st.integers(0, 2**31),
    "crime": st.fixed_dictionaries({"exploitation": st.floats(0, 5), "violent_per_1000": st.floats(0, 500),
                                    "witness_probability": st.floats(0, 1)}),
    "enforcement": st.fixed_dictionaries({"db_false_match_rate": st.floats(0, 1), "warrant_share": st.floats(0, 1),
                                          "days_to_removal": st.integers(1, 10),
                                          "background_rate": st.floats(0, 1), "at_large_rate": st.floats(0, 1)}),
    "policing": st.fixed_dictionaries({"officers_per_1000": st.floats(0, 20),
                                       "stops_per_officer_day": st.floats(0, 5)}),
    "beliefs": st.fixed_dictionaries({"trust_asymmetry": st.floats(1, 20), "direct_fear": st.floats(0, 1)}),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_invariants_hold_every_day(cfg):
    params = make_params(size=cfg["size"], days=cfg["days"], crime=cfg["crime"], enforcement=cfg["enforcement"],
                         policing=cfg["policing"], beliefs=cfg["beliefs"])
    params.policy = cfg["policy"]
    model = CommunityTrustModel(params, rng=cfg["seed"], create_agents=False)
    res = model.residents
    n = len(res)
    previous = res.state.copy()
    while model.running:
        model.step()
        newly_removed = (res.state == State.REMOVED) & (previous != State.REMOVED)
        assert (previous[newly_removed] == State.ICE_CUSTODY).all(), "removed without ICE custody first"
        assert not (res.state[res.status == Status.CITIZEN] == State.REMOVED).any(), "a citizen was removed"
        for name in ("trust", "fear", "knowledge"):
            column = getattr(res, name)
            assert ((column >= 0) & (column <= 1)).all(), f"{name} out of [0, 1]"
        previous = res.state.copy()

    daily = model.tables()["daily"]
    everyone = daily["group"] == "all"
    by_state = sum(daily[k][everyone] for k in ("free", "jailed", "held_for_ice", "in_ice_custody", "removed"))
    assert (by_state == n).all(), "residents by state do not add up to the population"
    assert (daily["residents"][everyone] + daily["removed"][everyone] == n).all()
    for column in ("mean_trust", "mean_fear", "mean_knowledge", "willingness_to_report", "would_not_call_share",
                   "less_likely_share"):
        values = daily[column][~np.isnan(daily[column])]
        assert ((values >= 0) & (values <= 1)).all(), column
    summary = model.tables()["summary"]
    for column in ("reporting_share", "violent_reporting_share", "witness_cooperation", "clearance_rate",
                   "violent_clearance_rate", "less_likely_share_end", "would_not_call_share_end"):
        values = summary[column][~np.isnan(summary[column])]
        assert ((values >= 0) & (values <= 1)).all(), column
    assert (summary["removals_no_conviction"] <= summary["removals"]).all()
    for name in ("ice_custody", "removals"):   # the record's splits partition the totals
        for parts in (("after_booking", "after_stop", "at_large"),
                      ("convicted_violent", "convicted_other", "no_conviction")):
            assert (sum(summary[f"{name}_{p}"] for p in parts) == summary[name]).all(), (name, parts)
        assert (summary[f"{name}_citizen_family"] <= summary[name]).all()
    assert (summary["holds_without_warrant"] <= summary["holds"]).all()
