"""Extending the model: a rule of one's own with declared parameters, added from config (docs/extending.md)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.runs.testing import make_params
from model import CommunityTrustModel, ModelParams, ParameterError
from model.params import DEFAULT_RULES
from model.rules.examples import UnsolvedCaseDisillusion
from model.rules.reporting import ReportCrimes

EXAMPLE = "model.rules.examples.UnsolvedCaseDisillusion"


def with_example(**rule_params):
    p = make_params(size=3000, days=120)
    at = DEFAULT_RULES.index("model.rules.investigation.InvestigateCrimes") + 1
    p.rules = [*DEFAULT_RULES[:at], EXAMPLE, *DEFAULT_RULES[at:]]
    p.rule_params = {"UnsolvedCaseDisillusion": rule_params} if rule_params else {}
    return p


def test_the_example_rule_lowers_victims_trust():
    base = CommunityTrustModel(make_params(size=3000, days=120), rng=1, create_agents=False).run()
    extended = CommunityTrustModel(with_example(trust_loss=0.3), rng=1, create_agents=False).run()
    assert extended.residents.trust.mean() < base.residents.trust.mean()
    # its own random stream: the other rules draw the same numbers, so the same crimes happen on day 0
    assert np.array_equal(base.outcomes.events["offences"][0], extended.outcomes.events["offences"][0])


def test_a_rule_declares_its_own_outcome_and_resident_column():
    m = CommunityTrustModel(with_example(), rng=2, create_agents=False).run()
    calls = m.residents.unanswered_calls
    tables = m.tables()
    city = tables["daily"]["group"] == "all"
    assert calls.dtype == np.int32 and calls.sum() > 0
    assert tables["daily"]["unanswered_calls"][city].sum() == calls.sum()
    assert tables["summary"]["unanswered_calls"][0] == calls.sum()   # group 'all' comes first
    reported = tables["summary"]["reporting_share"][0] * tables["summary"]["victimizations_per_1000"][0]
    assert reported > 0


class ColumnClash(UnsolvedCaseDisillusion):
    resident_columns = {"trust": (float, 0.0)}


class EventClash(UnsolvedCaseDisillusion):
    counted_events = ("removals",)


@pytest.mark.parametrize("cls, words", [(ColumnClash, "'trust' is already a resident column"),
                                        (EventClash, "removals is already an outcome")])
def test_a_declared_name_that_is_taken_is_refused(cls, words):
    p = with_example()
    p.rules = [r if r != EXAMPLE else f"{__name__}.{cls.__name__}" for r in p.rules]
    with pytest.raises(ParameterError, match=words):
        CommunityTrustModel(p, rng=0)


class SilentVictims(ReportCrimes):
    """A replacement reporting rule: nobody ever calls (the documented hook, `compute`)."""

    def compute(self, rows, violent, witness, without_fear):
        n = len(self.model.residents) if rows is None else len(rows)
        return np.zeros(n)


class HalfReport(ReportCrimes):
    """Everyone reports with chance one half, whatever they fear (`probability` overridden, which also works)."""

    def probability(self, rows=None, violent=True, witness=False, without_fear=False):
        n = len(self.model.residents) if rows is None else len(rows)
        return np.full(n, 0.5)


class ThresholdReporting(ReportCrimes):
    """Report if trust - fear > 0.3: nearly everyone reports on day 0."""

    def compute(self, rows, violent, witness, without_fear):
        res = self.model.residents
        sel = slice(None) if rows is None else rows
        return (res.trust[sel] - (0.0 if without_fear else res.fear[sel]) > 0.3).astype(float)


def replaced(rule: type, policy: str = "287g_task_force", days: int = 60, kernel: str = "auto", **sections):
    p = make_params(size=3000, days=days, policy=policy, **sections)
    p.rules = [f"{__name__}.{rule.__name__}" if r.endswith("ReportCrimes") else r for r in DEFAULT_RULES]
    return CommunityTrustModel(p, rng=0, create_agents=False, kernel=kernel)


@pytest.mark.parametrize("rule", [HalfReport, ThresholdReporting])
def test_a_compiled_pass_leaves_a_replaced_chance_to_the_replacement(rule):
    """Overriding `compute` or `probability`: the fused belief pass must not compute the default formula for it."""
    pytest.importorskip("numba", reason="the fused kernel is an extra: pip install -e '.[fast]'")
    assert replaced(rule, kernel="numba").reporting.formula_for_everyone() is None
    assert replaced(ReportCrimes, kernel="numba").reporting.formula_for_everyone() is not None


def test_lost_deterrence_is_measured_against_day_0_under_the_rule_in_use():
    """Where the rule in use gives everyone the same chance whatever happens, offenders lose no deterrence: the
    day-0 reference is that rule's, not the default formula's (which a task force's fear would move)."""
    m = replaced(HalfReport)
    crime = next(r for r in m.rules if type(r).__name__ == "CommitCrimes")
    seen = []
    lost = crime.lost_deterrence
    crime.lost_deterrence = lambda *a: seen.append(lost(*a)) or seen[-1]
    m.run()
    assert len(seen) == 60 and all(np.array_equal(d, np.ones_like(d)) for d in seen)
    default = replaced(ReportCrimes)
    crime = next(r for r in default.rules if type(r).__name__ == "CommitCrimes")
    seen.clear()
    lost = crime.lost_deterrence
    crime.lost_deterrence = lambda *a: seen.append(lost(*a)) or seen[-1]
    default.run()
    assert max(float(d.max()) for d in seen) > 1.05        # the default formula: fear costs deterrence


def test_a_rule_under_which_nearly_all_report_on_day_0_raises_crime_through_lost_deterrence():
    """docs/extending.md: a threshold rule makes day-0 reluctance small, so lost deterrence, a relative change,
    is large; with the elasticity set to 0 offending is as under the default rule's day 0."""
    steep = replaced(ThresholdReporting, days=120).run().tables()["summary"]
    flat = replaced(ThresholdReporting, days=120, crime={"reporting_deterrence": 0.0}).run().tables()["summary"]
    default = replaced(ReportCrimes, days=120).run().tables()["summary"]
    assert steep["reporting_share"][0] > 0.8 > default["reporting_share"][0]
    assert steep["victimizations_per_1000"][0] > 1.5 * default["victimizations_per_1000"][0]
    assert flat["victimizations_per_1000"][0] < steep["victimizations_per_1000"][0] / 1.5


def test_replacing_the_reporting_rule_replaces_the_chance_everywhere():
    p = make_params(size=2000, days=20)
    p.rules = [f"{__name__}.SilentVictims" if r.endswith("ReportCrimes") else r for r in DEFAULT_RULES]
    m = CommunityTrustModel(p, rng=0, create_agents=False).run()
    summary = m.tables()["summary"]
    assert (m.residents.report0 == 0).all()                       # day-0 willingness
    assert summary["willingness_to_report_end"][0] == 0            # the willingness outcome
    assert summary["would_not_call_share_end"][0] == 1
    assert summary["reporting_share"][0] == 0                      # and the behaviour


def test_two_reporting_rules_are_refused():
    p = make_params(size=300)
    p.rules = [*DEFAULT_RULES, f"{__name__}.SilentVictims"]
    with pytest.raises(ParameterError, match="2 reporting rules"):
        CommunityTrustModel(p, rng=0)


def test_rule_parameters_are_declared_and_validated():
    with pytest.raises(ParameterError, match=r"rule_params\.UnsolvedCaseDisillusion\.trust_loss = 2: allowed range"):
        CommunityTrustModel(with_example(trust_loss=2), rng=0)
    with pytest.raises(ParameterError, match=r"rule_params\.UnsolvedCaseDisillusion\.trust_los: "
                                             r"UnsolvedCaseDisillusion has no such parameter; "
                                             r"its parameters are: trust_loss"):
        CommunityTrustModel(with_example(trust_los=0.1), rng=0)
    p = make_params(size=300)
    p.rule_params = {"NoSuchRule": {}}
    with pytest.raises(ParameterError, match="not in `rules`: NoSuchRule"):
        CommunityTrustModel(p, rng=0)


def test_a_bad_rule_path_names_the_problem():
    p = make_params(size=300)
    p.rules = ["model.rules.crime.NoSuchRule"]
    with pytest.raises(ParameterError, match=r"cannot load 'model\.rules\.crime\.NoSuchRule'"):
        CommunityTrustModel(p, rng=0)
    p.rules = ["model.params.ModelParams"]
    with pytest.raises(ParameterError, match=r"is not a subclass of model\.rules\.Rule"):
        CommunityTrustModel(p, rng=0)


def test_the_worked_example_in_the_docs_is_the_shipped_code():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "extending.md").read_text()
    block = doc.split("```python\nfrom dataclasses import dataclass")[1].split("```")[0]
    shipped = (root / "model" / "rules" / "examples.py").read_text()
    missing = [line for line in block.splitlines() if line.strip() and line not in shipped.splitlines()]
    assert not missing, f"docs/extending.md differs from model/rules/examples.py: {missing}"


# ---- adding, replacing and removing a rule, one change at a time ------------------------------------------------

def test_a_rule_is_added_replaced_or_removed_by_name_without_restating_the_list():
    from model.params import RuleChanges, rule_paths

    def paths(**changes):
        return [p.rsplit(".", 1)[-1] for p in rule_paths(ModelParams(rule_changes=RuleChanges(**changes)))]

    default = [p.rsplit(".", 1)[-1] for p in DEFAULT_RULES]
    assert paths() == default
    added = paths(after={"InvestigateCrimes": EXAMPLE})
    assert added == [*default[:7], "UnsolvedCaseDisillusion", *default[7:]]
    assert paths(before={"UpdateBeliefs": EXAMPLE}) == added
    assert paths(after={"Patrol": [EXAMPLE, f"{__name__}.HalfReport"]}) == \
        [*default[:6], "UnsolvedCaseDisillusion", "HalfReport", *default[6:]]
    assert paths(replace={"ReportCrimes": f"{__name__}.HalfReport"}) == \
        [*default[:4], "HalfReport", *default[5:]]
    assert paths(remove=["HoldOutreach", "Patrol"]) == [r for r in default if r not in ("HoldOutreach", "Patrol")]


@pytest.mark.parametrize("changes, words", [
    ({"after": {"Nope": EXAMPLE}}, "rule_changes.after.Nope: no rule named Nope is listed"),
    ({"replace": {"Reporting": EXAMPLE}}, "rule_changes.replace.Reporting: no rule named Reporting"),
    ({"remove": ["Patroll"]}, "rule_changes.remove.Patroll: no rule named Patroll"),
    ({"remove": ["Patrol"], "after": {"Patrol": EXAMPLE}}, "rule_changes.after.Patrol: Patrol is removed"),
])
def test_a_change_to_a_rule_that_is_not_listed_is_refused_by_name(changes, words):
    from model.params import RuleChanges

    with pytest.raises(ParameterError, match=words):
        CommunityTrustModel(ModelParams(rule_changes=RuleChanges(**changes)), rng=0)


def test_one_override_adds_the_example_rule_from_the_command_lines_config_and_from_yaml(tmp_path):
    """The same as listing all rules with the example among them (the CLI's overrides, through simulate)."""
    from experiments.api import simulate

    settings = ("population.size=3000", "days=60", "+rule_params.UnsolvedCaseDisillusion.trust_loss=0.3")
    added = simulate(f"+rule_changes.after.InvestigateCrimes={EXAMPLE}", *settings, seed=1).summary
    listed = simulate("rules=[" + ",".join(with_example().rules) + "]", *settings, seed=1).summary
    assert added.equals(listed) and added["unanswered_calls"][0] > 0
    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "disillusion.yaml").write_text(
        "# @package _global_\nrule_changes:\n  after:\n    InvestigateCrimes: " + EXAMPLE + "\n")
    from experiments.runs.composing import compose
    from experiments.runs.config import to_model_params

    params, _ = to_model_params(compose([f"hydra.searchpath=[file://{tmp_path}]", "+experiment=disillusion"]))
    assert params.rule_changes.after == {"InvestigateCrimes": EXAMPLE}


def test_a_rule_parameter_sweeps_through_mesa_batch_run_under_a_keyword():
    import mesa

    from experiments.api import ConfiguredModel

    results = mesa.batch_run(ConfiguredModel, parameters={
        "rule_changes__after__InvestigateCrimes": EXAMPLE, "population__size": 1500, "days": 40,
        "rule_params__UnsolvedCaseDisillusion__trust_loss": [0.0, 0.5]}, iterations=1, max_steps=40,
        number_processes=1, data_collection_period=-1, display_progress=False)
    trust = {r["rule_params__UnsolvedCaseDisillusion__trust_loss"]: r for r in results}
    assert len(trust) == 2
    assert trust[0.5]["mean_trust"] < trust[0.0]["mean_trust"]
