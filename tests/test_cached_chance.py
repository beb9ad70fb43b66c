"""Everyone's chance to report is computed once per state of the beliefs and kept (ReportingRule.probability);
it must always equal the chance computed afresh, whichever rules ran and whatever they changed."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.runs.testing import make_params
from model import CommunityTrustModel
from model.compiled import available
from model.params import DEFAULT_RULES
from model.rules.beliefs import UpdateBeliefs
from model.rules.reporting import ReportCrimes

NEEDS_NUMBA = pytest.mark.skipif(not available(), reason="the fused kernel is an extra: pip install -e '.[fast]'")

WITH_A_RULE_THAT_CHANGES_TRUST = [*DEFAULT_RULES, "model.rules.examples.UnsolvedCaseDisillusion"]


class CheckedModel(CommunityTrustModel):
    """Steps as the model does, and after every rule compares each kept chance with a fresh computation."""

    checks = 0

    def apply(self, rule) -> None:
        super().apply(rule)
        self.compare_kept_chances()

    def compare_kept_chances(self) -> None:
        for violent, witness, without_fear in ((True, False, False), (False, False, False), (True, True, False),
                                               (True, False, True)):
            kept = self.reporting.probability(violent=violent, witness=witness, without_fear=without_fear)
            fresh = self.reporting.compute(None, violent, witness, without_fear)
            assert np.array_equal(kept, fresh), f"day {self.day}: a kept chance is stale"
            self.checks += 1


@pytest.mark.parametrize("kernel", ["numpy", pytest.param("numba", marks=NEEDS_NUMBA)])
def test_the_kept_chance_to_report_always_equals_a_fresh_one(kernel):
    # community_trust reaches residents by outreach (knowledge changes mid-day); the example rule cuts trust
    # after the end-of-day update; a county history switches the policy (and so the victims' protection).
    # With kernel=numba the belief pass computes the chance on the way and hands it over (ReportingRule.keep)
    for policy, rules in (("community_trust", WITH_A_RULE_THAT_CHANGES_TRUST), ("287g_task_force", DEFAULT_RULES)):
        p = make_params(size=1500, days=40, policy=policy)
        p.rules = rules
        model = CheckedModel(p, rng=3, create_agents=False, kernel=kernel)
        model.run()
        assert model.checks == 40 * len(rules) * 4


@NEEDS_NUMBA
def test_the_belief_pass_hands_over_the_chance_it_computed():
    """kernel=numba: after the belief update nothing computes everyone's chance again (the pass's own is kept and
    equals a fresh one), and a replaced formula is never taken from the pass."""
    model = CommunityTrustModel(make_params(size=1500, days=40, policy="287g_task_force"), rng=0,
                                create_agents=False, kernel="numba")
    for _ in range(30):
        model.step()
    calls, compute, beliefs = [], model.reporting.compute, next(r for r in model.rules if isinstance(r, UpdateBeliefs))
    model.reporting.compute = lambda rows, *args: calls.append(rows is None) or compute(rows, *args)
    step = beliefs.step
    beliefs.step = lambda day: calls.append("beliefs") or step(day)
    model.step()
    assert calls.count("beliefs") == 1 and not any(c is True for c in calls[calls.index("beliefs"):])
    kept = model.report_probability(), model.reporting.probability(without_fear=True)
    assert not np.array_equal(*kept)       # some residents fear enough for the two to differ
    for chance, without_fear in zip(kept, (False, True)):
        assert np.array_equal(chance, compute(None, True, False, without_fear))

    class Replaced(ReportCrimes):
        def compute(self, rows, violent, witness, without_fear):
            return super().compute(rows, violent, witness, without_fear) * 0.5

    assert Replaced(model).formula_for_everyone() is None


def test_the_kept_chance_cannot_be_changed_by_a_caller():
    model = CommunityTrustModel(make_params(size=500, days=2), rng=0, create_agents=False)
    chance = model.report_probability()
    assert not chance.flags.writeable
    assert model.report_probability() is chance      # nothing changed: the same array
    model.step()
    assert model.report_probability() is not chance  # the beliefs moved: computed again


def test_a_resident_changed_through_the_mesa_view_gets_a_fresh_chance():
    model = CommunityTrustModel(make_params(size=500, days=2), rng=0, create_agents=True)
    before = model.report_probability()[7]
    model.resident(7).fear = 1.0
    assert model.report_probability()[7] < before
    assert np.array_equal(model.report_probability(), model.reporting.compute(None, True, False, False))


def test_the_chance_without_fear_taken_from_the_kept_one_equals_a_fresh_one():
    """Where a resident's fear is within their tolerance the two chances are one number; only the others'
    chance without fear is computed (fearful residents and calm ones both present here)."""
    for policy in ("287g_task_force", "community_trust"):        # victims unprotected, protected
        model = CommunityTrustModel(make_params(size=3000, days=60, policy=policy), rng=2, create_agents=False)
        for _ in range(59):
            model.step()
        res, rp, protected = model.residents, model.params.reporting, model.policy.victim_witness_protection
        fearful = (res.fear * (1 - res.knowledge * rp.protection_relief if protected else 1)) > rp.fear_tolerance
        model.residents.beliefs_changed()
        with_fear = model.report_probability()
        without = model.reporting.probability(without_fear=True)
        assert np.array_equal(without, model.reporting.compute(None, True, False, True))
        assert np.array_equal(without[~fearful], with_fear[~fearful])
        if policy == "287g_task_force":
            assert 0 < fearful.sum() < len(res) and (without[fearful] > with_fear[fearful]).all()
