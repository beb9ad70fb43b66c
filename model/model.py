"""The community trust model: a Mesa model of residents, officers and an ICE link over one city.

Built from a `ModelParams`; knows nothing of Hydra, files or plots. Each day runs the rules listed in
`params.rules` in order (with `params.rule_changes` applied); outcomes are counted into per-day arrays and turned
into tables by `tables()`.
"""

from __future__ import annotations

import zlib

import mesa
import numpy as np

from model.agents import IceLink, Officer, PoliceForce, Resident
from model.daylog import ENFORCEMENT, UNFAIR_CONTACT, DayLog
from model.declare import ParameterError
from model.neighbourhoods import Neighbourhoods
from model.network import SocialNetwork, build_network
from model.outcomes import Outcomes
from model.params import STATUSES, ModelParams, rule_paths, validate
from model.policy import Policy
from model.population import build_population
from model.reporters import REPORTERS
from model.residents import Residents
from model.rules import Rule, load_rule
from model.rules.belief_kernel import choose_kernel
from model.rules.reporting import ReportingRule
from model.sampling import weighted_sample


class CommunityTrustModel(mesa.Model):
    """Residents of mixed status, the police force and an ICE link in one city, one step per day.

    Args:
        params: all parameters (defaults if None); validated here.
        rng: the run's seed; every random stream derives from it.
        create_agents: make a Mesa `Resident` view per resident (turn off for the largest runs).
        kernel: how the daily belief update is computed: "numpy", or "numba" (one fused pass on every core,
            the same numbers bit for bit; needs the `fast` extra); "auto" picks numba from AUTO_NUMBA_RESIDENTS
            residents up, where it pays, if it is installed. Results do not depend on it.
    """

    def __init__(self, params: ModelParams | None = None, rng: int = 0, create_agents: bool = True,
                 kernel: str = "auto"):
        params = params if params is not None else ModelParams()
        validate(params)
        if not isinstance(rng, (int, np.integer)) or isinstance(rng, bool) or rng < 0:
            raise ParameterError(f"seed = {rng!r}: must be a non-negative integer.")
        super().__init__(rng=int(rng))
        self.params = params
        self.seed = int(rng)
        self.policy: Policy = params.policy
        self.day = -1
        self.today = DayLog()

        rule_classes = [load_rule(path) for path in rule_paths(params)]
        self.residents: Residents = build_population(params.population, params.network, self.stream("population"))
        self.kernel = choose_kernel(kernel, len(self.residents))
        for cls in rule_classes:
            self.residents.add_columns(cls.resident_columns, cls.__name__)
        self.network: SocialNetwork = build_network(self.residents, params.network, self.stream("network"))
        self.neighbourhoods = Neighbourhoods(self.residents, params.policing.profiled_label,
                                             params.policing.operation_area_share)
        self._init_residents()
        n_officers = max(1, round(params.policing.officers_per_1000 * len(self.residents) / 1000))
        pp = params.policing
        self.police = PoliceForce(n_officers, pp.shift_hours * pp.investigation_share, pp.case_bank_days)
        self.outcomes = Outcomes(self.residents, params.days, self.neighbourhoods,
                                 extra_events=[e for cls in rule_classes for e in cls.counted_events])

        self._resident_agents: list[Resident] | None = None
        if create_agents:
            self._resident_agents = [Resident(self, row) for row in range(len(self.residents))]
        for row in range(n_officers):
            Officer(self, row)
        self.ice = IceLink(self)
        self._officer_rng = self.stream("officer_assignment")
        self.rules: list[Rule] = [cls(self) for cls in rule_classes]
        listed = [rule for rule in self.rules if isinstance(rule, ReportingRule)]
        # with no reporting rule listed, nobody reports, but victim choice and the outcomes still need the chance
        self.reporting: ReportingRule = listed[0] if listed else ReportingRule(self)
        self.residents.report0 = self.report_probability().copy()
        self.datacollector = mesa.DataCollector(model_reporters=self.reporters())

    # ---- set-up ------------------------------------------------------------------------------------------

    def stream(self, name: str) -> np.random.Generator:
        """An independent random stream for `name`, derived from the run's seed only."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),)))

    def _init_residents(self) -> None:
        """Offending propensity, vulnerability, attention and initial beliefs."""
        res, p, rng = self.residents, self.params, self.stream("init")
        status_names = np.array(STATUSES)[res.status]
        multiplier = np.array([p.crime.offending_multiplier[s] for s in STATUSES])[res.status]
        daily = (p.crime.violent_per_1000 + p.crime.property_per_1000) / 1000 / 365
        k = p.crime.offender_concentration
        res.propensity = np.clip(daily * multiplier / multiplier.mean() * rng.gamma(k, 1 / k, len(res)), 0, 1)
        self._give_prior_records()
        own_risk = np.array([p.beliefs.vulnerability[s] for s in status_names.tolist()]) if len(res) else np.zeros(0)
        ties_risk = np.divide(self.network.spread(own_risk), self.network.strength,
                              out=np.zeros(len(res)), where=self.network.strength > 0)
        profiled = res.labelled(p.policing.profiled_label)
        res.vulnerability = np.maximum(own_risk, p.beliefs.tie_vulnerability * ties_risk)
        res.vulnerability[profiled] = np.maximum(res.vulnerability[profiled], p.beliefs.profiled_vulnerability)
        b = p.beliefs
        res.trust = np.clip(rng.normal(b.initial_trust_mean, b.initial_trust_sd, len(res)), 0, 1)
        res.trust0 = res.trust.copy()
        res.knowledge = np.full(len(res), b.initial_knowledge)
        res.attention = beta_by_mean(rng, b.attention_mean, b.attention_concentration, len(res))

    def _give_prior_records(self) -> None:
        """Convictions residents bring into the run: in each status, the published share of residents, drawn
        in proportion to offending propensity (those who offend more are likelier to have been convicted);
        a share of them serious (a felony)."""
        res, p, rng = self.residents, self.params.crime, self.stream("records")
        for code, name in enumerate(STATUSES):
            rows = np.flatnonzero(res.status == code)
            chosen = weighted_sample(rows, res.propensity[rows], round(p.prior_conviction_share[name] * len(rows)), rng)
            res.convicted[chosen] = True
            res.convicted_serious[chosen] = rng.random(len(chosen)) < p.prior_serious_share

    # ---- running -----------------------------------------------------------------------------------------

    def step(self) -> None:
        """One day: every rule in order."""
        self.day += 1
        self.today = DayLog()
        self.police.start_day()
        for rule in self.rules:
            self.apply(rule)
        self._record_day()
        self.datacollector.collect(self)
        if self.day + 1 >= self.params.days:
            self.running = False

    def apply(self, rule: Rule) -> None:
        """Run one rule's day; if it may have changed beliefs and did not say so itself, drop what was kept from
        them (a rule that says so may hand over what it computed from its new beliefs: UpdateBeliefs)."""
        version = self.residents.beliefs_version
        rule.step(self.day)
        if rule.changes_beliefs and self.residents.beliefs_version == version:
            self.residents.beliefs_changed()

    def _record_day(self) -> None:
        """End of day: snapshot residents by state and beliefs (outcomes, not a rule of the world)."""
        o = self.params.outcomes
        self.outcomes.record_state(self.day, self.residents, self.report_probability(),
                                   self.reporting.probability(without_fear=True),
                                   o.would_not_call_threshold, o.less_likely_drop, fused=self.kernel == "numba")

    def run(self) -> CommunityTrustModel:
        """Run all remaining days."""
        while self.running:
            self.step()
        return self

    # ---- services the rules share --------------------------------------------------------------------------

    def report_probability(self, rows: np.ndarray | None = None, violent: bool = True,
                           witness: bool = False) -> np.ndarray:
        """Today's chance that residents (all, or `rows`) report a crime against them, or cooperate as witness.

        Supplied by the reporting rule in `rules` (ReportCrimes by default): replace that rule and victim
        choice, day-0 willingness and the willingness outcomes follow the replacement.
        """
        return self.reporting.probability(rows, violent=violent, witness=witness)

    def log(self, kind: str, rows: np.ndarray, weight: float | np.ndarray = 1.0) -> None:
        """Log today's `kind` (model.daylog) for residents `rows`, in the neighbourhoods where they live."""
        self.today.add(kind, rows, self.residents.neighbourhood[rows], weight)

    def charge_immigration_hours(self, day: int, rows: np.ndarray, hours_each: float) -> None:
        """Officer hours spent on immigration work about `rows`, charged to officers drawn at random."""
        if len(rows) == 0 or hours_each == 0:
            return
        officers = self._officer_rng.integers(0, len(self.police), len(rows))
        self.police.spend(hours_each * len(rows), officers, self.police.hours_immigration)
        self.outcomes.count(day, "officer_hours_immigration", rows, hours_each)

    def record_enforcement_event(self, rows: np.ndarray, weight: float) -> None:
        """An enforcement event (status question, hold, custody, removal) that the person and ties will feel."""
        self.log(ENFORCEMENT, rows, weight)
        self.log(UNFAIR_CONTACT, rows)

    def set_policy(self, policy: Policy) -> None:
        """Switch the local policy (rules read `self.policy` every day)."""
        self.policy = policy

    # ---- views for modelers ----------------------------------------------------------------------------------

    def reporters(self) -> dict:
        """Model-level reporters of `self.datacollector` (Mesa's DataCollector, collected once a day after the
        end-of-day snapshot): model.reporters.REPORTERS; override to collect other numbers."""
        return dict(REPORTERS)

    def resident(self, row: int) -> Resident:
        """The Mesa agent of resident `row` (made on demand if agents were not created up front)."""
        if self._resident_agents is not None:
            return self._resident_agents[row]
        return Resident(self, row)

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """The run's outcome tables: 'daily' (day x group), 'summary' (group) and 'neighbourhoods'
        (neighbourhood x week), as dicts of columns."""
        days_run = self.day + 1
        if days_run < self.params.days:
            raise RuntimeError(f"the run stopped at day {days_run} of {self.params.days}; tables need a full run.")
        daily = self.outcomes.daily_table()
        in_force = policy_in_force(self.params)[daily["day"]]
        daily = {"day": daily.pop("day"), "group": daily.pop("group"), "policy_in_force": in_force, **daily}
        return {"daily": daily, "summary": self.outcomes.summary_table(),
                "neighbourhoods": self.outcomes.neighbourhood_table()}


def policy_in_force(params: ModelParams) -> np.ndarray:
    """The name of the policy in force on each day of a run: the starting policy, then each switch's from its day."""
    names = np.full(params.days, params.policy.name, dtype=object)
    for switch in sorted(params.timeline, key=lambda s: s.day):
        names[switch.day:] = switch.policy.name
    return names


def beta_by_mean(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    """`n` draws from a Beta distribution given by its mean and concentration (a + b); 0 or 1 exactly at the ends."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(n, float(mean))
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)
