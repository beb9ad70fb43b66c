"""Each rule alone, on a small model with hand-made inputs: directions over many draws with fixed seeds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from experiments.runs.testing import make_model, make_params, summary_row
from model import CommunityTrustModel, Policy
from model.daylog import UNFAIR_CONTACT, DayLog
from model.model import beta_by_mean
from model.params import STATUSES, PolicySwitch, ReportingParams
from model.residents import State, Status
from model.rules.beliefs import ObservedRisk, Tallies, UpdateBeliefs, update_beliefs
from model.rules.crime import CommitCrimes
from model.rules.custody import DETAINER, NOTIFICATION, ProcessCustody, book
from model.rules.investigation import InvestigateCrimes
from model.rules.outreach import HoldOutreach
from model.rules.patrol import Patrol, profiling_multiplier
from model.rules.reporting import ReportCrimes, reporting_probability
from model.rules.timeline import ApplyPolicyTimeline


def rule(model: CommunityTrustModel, cls):
    return next(r for r in model.rules if isinstance(r, cls))


def crimes(model: CommunityTrustModel, n: int, violent: bool = True, witness: bool = True, seed: int = 0) -> dict:
    """n hand-made crimes between random residents, each with a witness (or none)."""
    rng = np.random.default_rng(seed)
    size = len(model.residents)
    return {"offender": rng.integers(0, size, n), "victim": rng.integers(0, size, n),
            "violent": np.full(n, violent), "witness": rng.integers(0, size, n) if witness else np.full(n, -1)}


# ---- reporting ---------------------------------------------------------------------------------------------

def test_reporting_probability_falls_with_fear_and_rises_with_trust():
    p = ReportingParams()
    trust = np.linspace(0, 1, 11)
    assert np.all(np.diff(reporting_probability(0.42, trust, np.zeros(11), np.zeros(11), False, p, 0.6)) > 0)
    fear = np.linspace(0, 1, 11)
    assert np.all(np.diff(reporting_probability(0.42, np.full(11, 0.6), fear, np.zeros(11), False, p, 0.6)) < 0)
    at_reference = reporting_probability(0.42, np.array([0.6]), np.array([0.0]), np.array([0.0]), False, p, 0.6)
    assert at_reference[0] == pytest.approx(0.42)


def test_fear_below_the_tolerance_leaves_reporting_unchanged():
    p = dataclasses.replace(ReportingParams(), fear_tolerance=0.05)
    trust, aware = np.full(4, 0.6), np.zeros(4)
    chance = reporting_probability(0.42, trust, np.array([0.0, 0.04, 0.06, 0.5]), aware, False, p, 0.6)
    assert chance[0] == chance[1] == pytest.approx(0.42)   # worried, still calls
    assert chance[0] > chance[2] > chance[3]                 # above it, each unit of fear counts
    linear = reporting_probability(0.42, trust, np.array([0.0, 0.0, 0.01, 0.45]), aware, False,
                                   dataclasses.replace(p, fear_tolerance=0.0), 0.6)
    assert chance[2:] == pytest.approx(linear[2:])           # the excess over the tolerance is what weighs


def test_known_protection_softens_fear():
    p = ReportingParams()
    args = (0.42, np.array([0.6, 0.6]), np.array([0.8, 0.8]))
    unprotected = reporting_probability(*args, np.array([1.0, 0.0]), False, p, 0.6)
    protected = reporting_probability(*args, np.array([1.0, 0.0]), True, p, 0.6)
    assert protected[0] > unprotected[0]                 # knows of the protection
    assert protected[1] == pytest.approx(unprotected[1])  # does not know: no relief


@pytest.mark.parametrize("fear", [0.5, 1.0])
def test_more_fear_gives_fewer_reports_and_less_cooperation(fear):
    def reports(fear_level):
        m = make_model(size=2000)
        m.residents.fear[:] = fear_level
        m.residents.beliefs_changed()
        m.today.crimes = crimes(m, 4000)
        rule(m, ReportCrimes).step(0)
        return m.today.crimes["reported"].sum(), m.today.crimes["cooperated"].sum()
    calm, afraid = reports(0.0), reports(fear)
    assert afraid[0] < 0.8 * calm[0]
    assert afraid[1] < 0.8 * calm[1]


def test_status_questions_at_reports_only_without_protection():
    def checks(policy):
        m = make_model(size=2000, policy=policy)
        m.today.crimes = crimes(m, 2000)
        rule(m, ReportCrimes).step(0)
        return m.outcomes.events["status_checks"][0].sum()
    assert checks("287g_task_force") > 50
    assert checks("community_trust") == 0


# ---- investigation -----------------------------------------------------------------------------------------

def cleared(witness_base: float = 0.6, officers_per_1000: float = 2.2, n: int = 300, seeds=range(4)) -> int:
    total = 0
    for seed in seeds:
        m = make_model(seed=seed, size=5000, reporting={"witness_base": witness_base},
                       policing={"officers_per_1000": officers_per_1000})
        m.today.crimes = crimes(m, n, seed=seed)
        rule(m, ReportCrimes).step(0)
        rule(m, InvestigateCrimes).step(0)
        total += m.outcomes.events["cleared"][0].sum()
    return total


def test_more_cooperation_gives_more_clearances():
    assert cleared(witness_base=0.95) > 1.15 * cleared(witness_base=0.05)


def test_fewer_officer_hours_give_fewer_clearances():
    assert cleared(officers_per_1000=0.2) < 0.5 * cleared(officers_per_1000=2.2)


def test_immigration_work_takes_hours_from_investigation():
    m = make_model(size=5000)
    before = m.police.bank
    m.charge_immigration_hours(0, np.arange(100), 2.0)
    assert m.police.bank == pytest.approx(max(0.0, before - 200.0))
    assert m.police.hours_immigration.sum() == pytest.approx(200.0)


def test_clearance_convicts_and_jails_the_offender():
    m = make_model(size=3000, reporting={"witness_base": 1.0},
                   policing={"clearance_violent": 1.0, "officers_per_1000": 100.0})
    m.today.crimes = crimes(m, 50)
    rule(m, ReportCrimes).step(0)
    rule(m, InvestigateCrimes).step(0)
    jailed = m.today.crimes["offender"][m.today.crimes["reported"]]
    assert (m.residents.state[jailed] == State.JAILED).all()
    assert m.residents.convicted_serious[jailed].all()


# ---- crime -------------------------------------------------------------------------------------------------

def victim_share_of_fearful(exploitation: float) -> float:
    shares = []
    for seed in range(3):
        m = make_model(seed=seed, size=4000, crime={"exploitation": exploitation,
                                                    "violent_per_1000": 20_000.0, "property_per_1000": 0.0})
        fearful = np.random.default_rng(seed).random(4000) < 0.3
        m.residents.fear[fearful] = 1.0
        m.residents.beliefs_changed()
        rule(m, CommitCrimes).step(0)
        shares.append(fearful[m.today.crimes["victim"]].mean())
    return float(np.mean(shares))


def test_exploitation_concentrates_victimization_on_low_reporters():
    assert victim_share_of_fearful(0.0) == pytest.approx(0.3, abs=0.05)
    assert victim_share_of_fearful(3.0) > 0.4


def test_only_free_residents_offend_and_are_victimized():
    m = make_model(size=3000, crime={"violent_per_1000": 50_000.0, "offender_concentration": 100.0})
    m.residents.state[:1500] = State.JAILED
    rule(m, CommitCrimes).step(0)
    c = m.today.crimes
    assert len(c["victim"]) > 100
    assert (c["offender"] >= 1500).all() and (c["victim"] >= 1500).all()
    assert (c["victim"] != c["offender"]).all()
    with_witness = c["witness"] >= 0
    assert (c["witness"][with_witness] >= 1500).all()


# ---- patrol ------------------------------------------------------------------------------------------------

def test_profiling_multiplier_levers():
    p = make_params().policing
    assert profiling_multiplier(Policy(), p) == pytest.approx(p.profiling_multiplier)
    task_force = Policy(status_questions="stops")
    assert profiling_multiplier(task_force, p) == pytest.approx(1 + p.enforcement_profiling)
    monitored = dataclasses.replace(task_force, profiling_monitoring=True)
    assert profiling_multiplier(monitored, p) == pytest.approx(1 + p.enforcement_profiling
                                                               * (1 - p.monitoring_reduction))


def test_profiling_raises_the_stop_rate_of_the_profiled_group():
    def latino_stop_ratio(multiplier):
        m = make_model(size=5000, policing={"profiling_multiplier": multiplier, "stops_per_officer_day": 20.0})
        for day in range(5):
            rule(m, Patrol).step(day)
        stops = m.outcomes.events["stops"][:5].sum(axis=0)
        groups = m.outcomes.groups()
        residents = np.bincount(m.outcomes.cell, minlength=m.outcomes.n_cells)
        rate = lambda g: stops[groups[g]].sum() / residents[groups[g]].sum()  # noqa: E731
        return rate("latino") / rate("other")
    assert latino_stop_ratio(1.0) == pytest.approx(1.0, abs=0.15)
    assert latino_stop_ratio(3.0) > 2.0


def test_status_questions_at_stops_only_under_the_task_force():
    for policy, expect_checks in (("287g_task_force", True), ("secure_communities", False)):
        m = make_model(size=3000, policy=policy, policing={"stops_per_officer_day": 5.0})
        rule(m, Patrol).step(0)
        assert (m.outcomes.events["status_checks"][0].sum() > 0) == expect_checks


# ---- custody and the ICE link --------------------------------------------------------------------------------

def jailed_undocumented(policy: str, warrant_share: float = 0.0, n: int = 40):
    """A model where n undocumented residents have just been booked (and flagged by a perfect match)."""
    m = make_model(size=4000, policy=policy, enforcement={"db_match_rate": 1.0, "warrant_share": warrant_share})
    rows = np.flatnonzero(m.residents.status == Status.UNDOCUMENTED)[:n]
    book(m, rows, 0, 1)
    return m, rows


@pytest.mark.parametrize("policy, holds", [("secure_communities", True), ("decoupled", False)])
def test_detainers_honoured_create_holds_and_jail_days(policy, holds):
    m, rows = jailed_undocumented(policy)
    rule(m, ProcessCustody).step(1)
    ev = m.outcomes.events
    assert (ev["holds"][1].sum() == len(rows)) == holds
    assert (ev["jail_days_immigration"][1].sum() == len(rows) * m.params.enforcement.hold_days) == holds
    expected_state = State.HELD_FOR_ICE if holds else State.FREE
    assert (m.residents.state[rows] == expected_state).all()


def test_warrant_only_holds_nobody_without_a_warrant():
    m, rows = jailed_undocumented("community_trust", warrant_share=0.5, n=200)
    warrants = m.residents.request_warrant[rows].copy()
    rule(m, ProcessCustody).step(1)
    assert 0 < m.outcomes.events["holds"][1].sum() == warrants.sum()
    assert m.outcomes.events["holds_without_warrant"][1].sum() == 0


def test_notifications_hand_over_at_release_without_holds():
    m, rows = jailed_undocumented("pep")
    m.residents.convicted_serious[rows] = True   # PEP's priority: serious convictions
    m.residents.state[rows] = State.FREE
    book(m, rows, 0, 1)
    assert (m.residents.ice_request[rows] == NOTIFICATION).all()
    rule(m, ProcessCustody).step(1)
    assert m.outcomes.events["holds"][1].sum() == 0
    assert 0 < m.outcomes.events["ice_custody"][1].sum() <= len(rows)


def test_priority_filter_skips_people_without_convictions():
    m, rows = jailed_undocumented("pep", n=400)
    serious = m.residents.convicted_serious[rows]
    assert serious.any() and not serious.all()   # some bring a serious record into the run
    assert (m.residents.ice_request[rows[~serious]] == 0).all()
    assert (m.residents.ice_request[rows[serious]] == NOTIFICATION).all()
    m2, rows2 = jailed_undocumented("secure_communities")
    assert (m2.residents.ice_request[rows2] == DETAINER).all()


def test_prior_records_follow_the_published_shares_and_fall_on_those_who_offend_more():
    m = make_model(size=20_000, days=1)
    res, p = m.residents, m.params.crime
    for code, name in enumerate(STATUSES):
        group = res.status == code
        assert res.convicted[group].mean() == pytest.approx(p.prior_conviction_share[name], abs=1 / group.sum())
    assert res.convicted_serious[res.convicted].mean() == pytest.approx(p.prior_serious_share, abs=0.03)
    assert not res.convicted_serious[~res.convicted].any()
    assert res.propensity[res.convicted].mean() > 3 * res.propensity[~res.convicted].mean()


def test_match_errors_hold_citizens_who_are_then_freed_not_removed():
    m = make_model(size=4000, policy="secure_communities", enforcement={"db_false_match_rate": 1.0},
                   population={"naturalized_share_of_citizens": 1.0})
    citizens = np.flatnonzero(m.residents.status == Status.CITIZEN)[:30]
    book(m, citizens, 0, 1)
    custody = rule(m, ProcessCustody)
    for day in range(1, 60):
        custody.step(day)
    assert m.outcomes.events["wrongly_held"].sum() == len(citizens)
    assert m.outcomes.events["removals"].sum() == 0 or not np.isin(
        np.flatnonzero(m.residents.state == State.REMOVED), citizens).any()
    assert not (m.residents.state[citizens] == State.REMOVED).any()


# ---- beliefs -----------------------------------------------------------------------------------------------

def test_enforcement_raises_fear_of_the_person_and_of_citizens_in_the_household():
    m = make_model(size=4000)
    res = m.residents
    mixed_undoc = np.flatnonzero(res.mixed & (res.status == Status.UNDOCUMENTED))[:20]
    household_citizens = np.flatnonzero(np.isin(res.household, res.household[mixed_undoc]) &
                                        (res.status == Status.CITIZEN))
    m.record_enforcement_event(mixed_undoc, 1.0)
    rule(m, UpdateBeliefs).step(0)
    assert (res.fear[mixed_undoc] > 0.3).all()
    assert res.fear[household_citizens].mean() > 0.02
    others = np.flatnonzero(~np.isin(res.household, res.household[mixed_undoc]) & (res.vulnerability == 0))
    assert res.fear[others].max() == 0


def test_a_removal_is_felt_by_the_household_left_behind():
    m = make_model(size=4000)
    res = m.residents
    removed = np.flatnonzero(res.mixed & (res.status == Status.UNDOCUMENTED))[:10]
    res.state[removed] = State.REMOVED
    m.record_enforcement_event(removed, 1.0)
    rule(m, UpdateBeliefs).step(0)
    family = np.isin(res.household, res.household[removed]) & (res.state != State.REMOVED)
    assert res.fear[family].mean() > 0.02


def test_rumoured_risk_moves_fear_in_proportion_to_attention():
    m = make_model(size=3000)
    res, quiet_day = m.residents, Tallies.from_log(DayLog(), len(m.residents))
    undocumented = np.flatnonzero(res.status == Status.UNDOCUMENTED)
    res.attention[:] = 0.0
    attentive, inattentive = undocumented[::2], undocumented[1::2]
    res.attention[attentive] = 1.0
    for _ in range(60):
        update_beliefs(res, m.network, quiet_day, ObservedRisk(0.05, np.full(m.neighbourhoods.n, 0.05)),
                       m.params.beliefs)
    assert res.fear[attentive].min() > 0.05
    assert res.fear[inattentive].max() == 0.0   # nothing happened to them or their ties, and they hear nothing


def test_attention_is_drawn_with_its_mean_and_spread():
    rng = np.random.default_rng(0)
    wide, narrow = beta_by_mean(rng, 0.3, 1.0, 50_000), beta_by_mean(rng, 0.3, 50.0, 50_000)
    assert wide.mean() == pytest.approx(0.3, abs=0.01) and narrow.mean() == pytest.approx(0.3, abs=0.01)
    assert wide.var() == pytest.approx(0.3 * 0.7 / 2, rel=0.05) and narrow.var() < wide.var() / 10
    assert (beta_by_mean(rng, 1.0, 2.0, 5) == 1.0).all()


def test_trust_falls_faster_than_it_recovers():
    m = make_model(size=2000, days=400)
    res, beliefs = m.residents, rule(m, UpdateBeliefs)
    start = res.trust.copy()
    m.log(UNFAIR_CONTACT, np.arange(len(res)))
    beliefs.step(0)
    drop = (start - res.trust).mean()
    assert drop > 0
    days = 0
    while (start - res.trust).mean() > drop / 2 and days < 398:
        m.today = type(m.today)()
        beliefs.step(days + 1)
        days += 1
    assert 10 < days < 398   # half the loss of one day takes weeks to win back, but it does come back


def test_knowledge_stays_at_its_level_without_outreach_and_rises_with_it():
    m = make_model(size=2000)
    beliefs = rule(m, UpdateBeliefs)
    for day in range(30):
        beliefs.step(day)
    assert m.residents.knowledge.mean() == pytest.approx(m.params.beliefs.initial_knowledge, abs=0.01)
    m.set_policy(Policy(outreach_rate=0.05))
    outreach = rule(m, HoldOutreach)
    for day in range(30, 40):
        outreach.step(day)
        beliefs.step(day)
    assert m.residents.knowledge.mean() > m.params.beliefs.initial_knowledge + 0.1


# ---- timeline ----------------------------------------------------------------------------------------------

def test_timeline_switches_policy_on_its_day():
    tf = Policy(name="tf", status_questions="stops")
    m = make_model(size=500, days=20)
    m.params.timeline = [PolicySwitch(day=5, policy=tf), PolicySwitch(day=10, policy=Policy(name="back"))]
    timeline = rule(m, ApplyPolicyTimeline)
    seen = []
    for day in range(15):
        timeline.step(day)
        seen.append(m.policy.name)
    assert seen[4] != "tf" and seen[5:10] == ["tf"] * 5 and seen[10] == "back"


def test_ice_custody_is_split_by_how_ice_learned_of_the_person():
    """Under Secure Communities ICE learns of people through bookings' fingerprints; under a 287(g) task force
    mostly through status questions at stops (which lead to a status arrest and then a booking)."""
    totals = {}
    for policy in ("secure_communities", "287g_task_force"):
        row = {k: 0.0 for k in ("ice_custody", "ice_custody_after_booking", "ice_custody_after_stop")}
        for seed in range(3):
            s = summary_row(make_model(seed=seed, size=5000, days=240, policy=policy).run())
            row = {k: v + s[k] for k, v in row.items()}
        totals[policy] = row
    sc, tf = totals["secure_communities"], totals["287g_task_force"]
    assert sc["ice_custody_after_stop"] == 0 and sc["ice_custody_after_booking"] > 0
    assert tf["ice_custody_after_stop"] > tf["ice_custody_after_booking"] > 0


def test_a_citizen_spouse_or_child_lives_in_the_household_and_the_published_share_of_undocumented_have_one():
    res = make_model(size=30_000, days=1).residents
    for row in range(0, 30_000, 37):
        household = np.flatnonzero(res.household == res.household[row])
        others = household[household != row]
        if res.citizen_family[row]:
            assert (res.status[others] == Status.CITIZEN).any()
    undocumented = res.status == Status.UNDOCUMENTED
    assert res.citizen_family[undocumented].mean() == pytest.approx(0.38, abs=0.03)


def test_only_non_citizens_and_naturalized_citizens_are_on_record_with_dhs():
    res = make_model(size=30_000, days=1).residents
    citizen = res.status == Status.CITIZEN
    assert res.dhs_record[~citizen].all()
    assert res.dhs_record[citizen].mean() == pytest.approx(0.078, abs=0.01)


def test_less_likely_to_call_means_fear_not_lost_trust_holds_the_call_back():
    """Theodore (2013) asked whether residents were less likely to call for fear of status questions: lost trust
    alone lowers the chance to report but is not counted; fear is."""
    m = make_model(size=2000, days=1)
    m.day, res = 0, m.residents
    res.trust[:] = 0.1
    res.fear[:] = 0.0
    res.beliefs_changed()
    m._record_day()
    assert m.outcomes.snapshots["less_likely"][0].sum() == 0
    res.fear[::2] = 0.5
    res.beliefs_changed()
    m._record_day()
    assert m.outcomes.snapshots["less_likely"][0].sum() == len(res.fear[::2])


def test_offending_rises_only_where_neighbours_have_become_less_likely_to_call():
    m = make_model(size=3000, days=5, crime={"reporting_deterrence": 2.0})
    crime, res = CommitCrimes(m), m.residents
    free = res.free()

    def lost(rule):
        return rule.lost_deterrence(*rule.free_and_unreported(free, rule.model.report_probability()))

    assert np.allclose(lost(crime), 1.0)   # day 0 is the reference
    res.fear[res.neighbourhood == 0] = 1.0
    res.beliefs_changed()
    factor = lost(crime)
    assert factor[0] > 1.2 and np.allclose(factor[1:], 1.0)
    off = CommitCrimes(make_model(size=3000, days=5, crime={"reporting_deterrence": 0.0}))
    off.model.residents.fear[:] = 1.0
    off.model.residents.beliefs_changed()
    assert np.allclose(lost(off), 1.0)


def test_more_offences_where_residents_stop_calling():
    counts = {}
    for d in (0.0, 3.0):
        m = make_model(size=4000, days=60, crime={"reporting_deterrence": d})
        crime = rule(m, CommitCrimes)
        crime.step(0)
        m.residents.fear[:] = 0.8
        m.residents.beliefs_changed()
        total = 0
        for day in range(1, 60):
            crime.step(day)
            total += len(m.today.crimes["offender"])
        counts[d] = total
    assert counts[3.0] > 1.3 * counts[0.0]


def test_the_communitys_prior_grows_with_the_city_so_perceived_risk_does_not_depend_on_its_size():
    small, large = (rule(make_model(size=n, days=1), UpdateBeliefs) for n in (2_000, 20_000))
    assert large.prior == pytest.approx(10 * small.prior)
    assert large.local_prior.sum() == pytest.approx(large.prior)


def test_the_kept_tie_strength_to_residents_present_equals_summing_it_afresh():
    """UpdateBeliefs keeps each resident's tie strength to residents present and sums again only the rows tied to
    someone who left or came back: after removals, and after a removed resident comes back, every row equals the
    whole product's, bit for bit."""
    m = make_model(size=3000, days=200, policy="287g_task_force")
    beliefs, res = rule(m, UpdateBeliefs), m.residents
    for _ in range(150):
        m.step()
        present = res.present()
        np.testing.assert_array_equal(beliefs.ties_present(present), m.network.spread(present.astype(float)))
    removed = np.flatnonzero(res.state == int(State.REMOVED))
    assert len(removed) > 0
    res.state[removed[:3]] = int(State.FREE)   # a rule of one's own lets some come back
    present = res.present()
    np.testing.assert_array_equal(beliefs.ties_present(present), m.network.spread(present.astype(float)))
