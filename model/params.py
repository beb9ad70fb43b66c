"""Typed model parameters: one dataclass per concern, each field with its unit, bounds and source.

The model is built from a `ModelParams`. Every field is declared here and nowhere else; `validate()`
checks bounds, choices and shares against the metadata declared with each field, and raises a
`ParameterError` that names the field and what is allowed. The experiments layer uses these same
dataclasses as Hydra's structured-config schema, so a wrong type or an unknown key is refused there
before the model runs. Sources: `S(...)` names a seed document or study; "assumption" says none exists.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, get_args, get_origin, get_type_hints

import numpy as np

from model.declare import ParameterError, param, prob
from model.policy import Policy

# Where the calibrated defaults come from (docs/calibration.md records both searches).
STAGE1 = "calibrated against Theodore 2013 with the other targets (docs/calibration.md)"
STAGE2 = "calibrated with the county survey check (docs/calibration.md, stage 2)"
STAGE3 = "calibrated with the behavioural targets (docs/calibration.md, stage 3)"
STAGE4 = "calibrated with a fear tolerance in the reporting rule (docs/calibration.md, stage 4)"

STATUSES = ("citizen", "lawful_permanent_resident", "temporary_visa", "undocumented")


@dataclass
class PopulationParams:
    """Who lives in the city: its size, immigration-status mix, households and ethnicity labels."""

    size: int = param(10_000, lo=10, source="assumption: a small town; set population.size for a city")
    status_shares: dict[str, float] = param(
        # undocumented 4.1%: Pew Research Center 2025 (14.0M in 2023, city_profiles.yaml national);
        # lawful permanent residents ~3.8% and temporary visa holders ~0.6%: assumption, of the order of
        # DHS OHSS population estimates; citizens are the remainder.
        {"citizen": 0.915, "lawful_permanent_resident": 0.038, "temporary_visa": 0.006, "undocumented": 0.041},
        shares=True, source="Pew 2025 (undocumented); assumption (lawful statuses)")
    mixed_status_share: float = prob(0.067, "FWD.us 2023: ~1 in 15 U.S. residents lives in a mixed-status household")
    citizen_share_in_mixed: float = prob(
        0.51, "FWD.us 2023: 11.3M citizens of 22M people in mixed-status households (calc)")
    household_size_mean: float = param(2.5, lo=1.0, hi=10.0, source="assumption: U.S. average household size ~2.5")
    citizen_spouse_or_child_share: float = prob(
        0.38, "Center for Migration Studies 2019: 38% of undocumented immigrants are parents of U.S. citizens (a lower "
        "bound for 'a U.S.-citizen spouse or child'; FWD.us 2021: 1.7M citizens have an undocumented spouse, overlap "
        "unknown): share of undocumented residents with a U.S.-citizen spouse or child at home, drawn among those "
        "living with a citizen; the same conditional chance applies to other residents living with a citizen")
    naturalized_share_of_citizens: float = prob(
        0.078, "calc: ACS 2022, 46.2M foreign-born (CRS IF11806, 2023), 52.3% of them naturalized (Census, The "
        "Foreign-Born Population 2022) = 24.2M, of ~311M citizens; they, unlike U.S.-born citizens, have "
        "fingerprints in DHS's immigration databases")
    ethnicity_shares: dict[str, float] = param(
        {"latino": 0.191, "other": 0.809}, shares=True, source="U.S. Census Bureau estimates, July 2022 (19.1% Latino)")
    ethnicity_shares_undocumented: dict[str, float] = param(
        {"latino": 0.80, "other": 0.20}, shares=True,
        source="MPI 2022: 80% of unauthorized immigrants from Latin America and the Caribbean (approximation)")
    ethnicity_shares_lawful: dict[str, float] = param(
        {"latino": 0.40, "other": 0.60}, shares=True, source="assumption")


@dataclass
class NetworkParams:
    """The social network: household cliques plus community ties, homophilous by place, ethnicity, status."""

    neighbourhood_size: int = param(
        1_500, lo=10, source="U.S. Census Bureau: block groups, the smallest areas with survey data, are drawn at "
        "600-3,000 people, optimum 1,500")
    segregation: float = prob(0.5, "assumption: weight of the ethnicity label in the key that sorts households "
                               "into neighbourhoods; 0 = at random")
    community_degree: float = param(8.0, lo=0.0, hi=200.0, source="assumption: mean community ties per resident")
    local_share: float = prob(0.6, "assumption: share of community ties inside one's neighbourhood")
    homophily: float = prob(0.5, "assumption: share of the other ties to the same ethnicity and immigrant group")
    household_weight: float = param(1.0, lo=0.0, source="assumption: strength of a household tie")
    community_weight: float = param(0.3, lo=0.0, source="assumption: strength of a community tie")


@dataclass
class CrimeParams:
    """Offending, victim choice and witnesses."""

    violent_per_1000: float = param(
        23.5, lo=0.0, source="BJS, Criminal Victimization 2022 (NCVS): 23.5 per 1,000 persons")
    property_per_1000: float = param(
        40.8, lo=0.0, source="BJS NCVS 2022: 101.9 per 1,000 households / 2.5 persons per household (calc)")
    offending_multiplier: dict[str, float] = param(
        # Light, He & Robey 2020 (PNAS, docs/sources/mechanisms.yaml): undocumented about half the U.S.-born rate of
        # violent felony arrests; legal immigrants between the two (0.75 is an assumption for "between").
        {"citizen": 1.0, "lawful_permanent_resident": 0.75, "temporary_visa": 0.75, "undocumented": 0.5},
        lo=0.0, hi=10.0, source="Light et al. 2020 (undocumented); assumption (lawful); bounds: assumption")
    offender_concentration: float = param(
        0.1, lo=1e-3, hi=100.0, source="assumption: gamma shape of offending propensity; small = few offend a lot")
    prior_conviction_share: dict[str, float] = param(
        # undocumented: MPI 2015 (via MPI 2016-11-15): ~820,000 of ~11M unauthorized immigrants have a criminal
        # conviction. Citizens: Shannon et al. 2017 (Demography): people with felony convictions are 8% of adults
        # (2010), x 77.9% adults (2020 Census) = 6.2% of residents, a lower bound (felonies only). Lawful
        # non-citizens: assumption, as citizens.
        {"citizen": 0.062, "lawful_permanent_resident": 0.062, "temporary_visa": 0.062, "undocumented": 0.075},
        lo=0.0, hi=1.0, source="MPI 2015 (undocumented); Shannon et al. 2017 (citizens, calc); assumption (lawful)")
    prior_serious_share: float = prob(
        0.37, "MPI 2015: ~300,000 of the ~820,000 unauthorized immigrants with a conviction have a felony "
        "(assumption: the same share for every status)")
    exploitation: float = param(
        0.0, lo=0.0, hi=10.0,
        source=f"assumption, {STAGE3}: victim weight (1 - p_report)^exploitation; 0 = victims at random")
    reporting_deterrence: float = param(
        1.15, lo=0.0, hi=20.0,
        source=f"assumption, {STAGE4}: elasticity of offending in a neighbourhood to the chance its residents"
        " would not report a crime, relative to day 0; 0 = offending ignores reporting")
    local_victim_share: float = prob(0.7, "assumption: share of victims from the offender's neighbourhood")
    witness_probability: float = prob(0.5, "assumption: share of crimes with a witness in the victim's network")
    sentence_days_violent: int = param(180, lo=1, source="assumption: jail days after a cleared violent crime")
    sentence_days_property: int = param(60, lo=1, source="assumption: jail days after a cleared property crime")


@dataclass
class ReportingParams:
    """Victims' reporting and witnesses' cooperation: logistic in trust and fear."""

    violent_base: float = prob(0.42, "BJS NCVS 2022: 42% of violent victimizations reported")
    property_base: float = prob(0.318, "BJS NCVS 2022: 31.8% of property victimizations reported")
    witness_base: float = prob(0.6, "assumption: witness cooperation at reference trust and no fear")
    trust_weight: float = param(4.0, lo=0.0, source="assumption: log-odds per unit of trust above reference")
    fear_weight: float = param(61.6, lo=0.0, source=f"assumption, {STAGE4}: log-odds lost per unit of fear "
                               "above fear_tolerance")
    fear_tolerance: float = prob(
        0.035, f"assumption, {STAGE4}: fear below which a resident still calls as before (a decision to avoid the "
        "police is discrete: 'system avoidance', Brayne 2014, Am. Sociol. Rev. 79(3):367-391); 0 = every unit of "
        "fear lowers the chance")
    protection_relief: float = prob(
        0.7, "assumption: share of fear's effect removed for a victim who knows of victim/witness protection")
    status_asked_at_report: float = prob(
        0.2, "assumption: chance a victim or witness is asked status where officers ask at stops and no protection")


@dataclass
class PolicingParams:
    """Officers: staffing, hours, stops, profiling, clearance."""

    officers_per_1000: float = param(2.2, lo=0.0, source="BJS 2016: 2.17 sworn officers per 1,000 residents")
    shift_hours: float = param(5.7, lo=0.0, hi=24.0, source="assumption: 2,080 paid hours a year / 365 days")
    investigation_share: float = prob(0.15, "assumption: share of officer hours for follow-up investigation")
    case_bank_days: float = param(14.0, lo=1.0, source="assumption: days of investigation hours that can be "
                                  "carried over (a case is worked over days)")
    hours_per_violent_case: float = param(20.0, lo=0.0, source="assumption")
    hours_per_property_case: float = param(6.0, lo=0.0, source="assumption")
    clearance_violent: float = prob(0.35, "assumption, set toward FBI 2019 45.5% violent clearance with witnesses")
    clearance_property: float = prob(0.12, "assumption, set toward FBI 2019 17.2% property clearance with witnesses")
    witness_clearance_boost: float = prob(0.3, "assumption: added clearance chance with a cooperating witness")
    stops_per_officer_day: float = param(
        0.11, lo=0.0, source="calc: BJS PPCS 2015, 8.6% of residents stopped as drivers a year "
        "/ 2.2 officers per 1,000")
    other_arrests_per_1000: float = param(
        25.0, lo=0.0, source="calc: FBI UCR 2019, ~10.1M arrests / 328M residents = 31 per 1,000 a year, "
        "less the index-crime arrests the model makes itself (assumption: ~6)")
    minor_jail_days: int = param(1, lo=1, source="assumption: days in jail after a minor or status arrest "
                                 "(1 = released the next morning)")
    profiled_label: str = param("latino", source="seed 004: targeting of Latino residents")
    profiling_multiplier: float = param(1.0, lo=0.0, source="assumption: stop rate of the profiled group, no incentive")
    enforcement_profiling: float = param(
        1.0, lo=0.0, source="assumption: extra stop and arrest multiple where a stop can start immigration "
        "consequences: status questions at stops, or status arrests feeding fingerprints or screening (seeds 002, 003)")
    monitoring_reduction: float = prob(
        0.5, "assumption: share of excess profiling removed by monitoring and training (seed 000)")
    patrol_allocation: str = param(
        "residents", choices=("residents", "reported_crime"),
        source="assumption: where patrol stops and discretionary arrests go across neighbourhoods: in proportion "
        "to residents (weighted by profiling), or to recently reported crime (hot spots)")
    hot_spot_half_life: float = param(
        7.0, lo=0.1, source="assumption: days over which the reported crimes that steer hot-spot patrol halve")
    operation_area_share: float = prob(
        0.2, "assumption: share of residents living in the operation area, the neighbourhoods with the largest "
        "share of the profiled label, where saturation patrols go (Policy.saturation_patrol)")
    hours_per_status_check: float = param(0.5, lo=0.0, source="assumption")
    hours_per_booking_screen: float = param(1.0, lo=0.0, source="assumption: 287(g) interview at booking")
    hours_per_ice_request: float = param(2.0, lo=0.0, source="assumption: processing a detainer or notification")


@dataclass
class EnforcementParams:
    """The federal side (the ICE link): database matching, requests, custody and removal."""

    db_match_rate: float = prob(0.9, "assumption: seed 002, no single database holds everyone's status")
    db_false_match_rate: float = prob(
        0.005, "assumption: seed 004, erroneous arrests of U.S. citizens; the chance that a booked person on record in "
        "DHS's databases (a non-citizen or naturalized citizen) who is not removable is matched as removable")
    screening_error_rate: float = prob(0.005, "assumption: seed 001, errors from complex immigration law")
    warrant_share: float = prob(0.1, "assumption: share of ICE requests backed by a judicial warrant")
    hold_days: int = param(2, lo=0, hi=10, source="seed 003: detainers ask for a 48-hour hold")
    pickup_after_hold: float = prob(0.9, "assumption: ICE takes custody at the end of an honoured hold")
    pickup_after_notification: float = prob(0.6, "assumption: ICE takes custody at a notified release")
    days_to_removal: int = param(30, lo=1, source="assumption: days in ICE custody before removal")
    days_to_release_error: int = param(5, lo=1, source="assumption: days before a wrongly held person is freed")
    at_large_rate: float = prob(0.002, "assumption: daily chance ICE arrests a known, flagged person at large")
    background_rate: float = prob(
        0.003, "assumption: yearly chance of an ICE arrest of an undocumented resident without local help")


@dataclass
class BeliefParams:
    """Trust, fear and knowledge: initial values and daily change."""

    initial_trust_mean: float = prob(0.6, "assumption; the same for every group (CIS caution, mechanisms.yaml)")
    initial_trust_sd: float = param(0.15, lo=0.0, hi=0.5, source="assumption")
    initial_knowledge: float = prob(0.3, "assumption: share of what the local policy is that residents know")
    vulnerability: dict[str, float] = param(
        {"citizen": 0.0, "lawful_permanent_resident": 0.3, "temporary_visa": 0.5, "undocumented": 1.0},
        lo=0.0, hi=1.0, source="assumption: own immigration risk by status (0 = none, 1 = removable)")
    tie_vulnerability: float = prob(
        0.455, "Alsan & Yang 2018: fear reaches citizens through ties; weight of ties' risk "
        f"(assumption, {STAGE1}; recalibrated, {STAGE4})")
    profiled_vulnerability: float = prob(
        0.30, f"assumption, {STAGE1}; recalibrated, {STAGE4}: least vulnerability of residents with the profiled label "
        "(policing.profiled_label), whatever their status: they may be asked about status or held by mistake "
        "(seed 004: profiling; Theodore 2013: Latinos fear questions about 'their immigration status or that of "
        "people they know')")
    attention_mean: float = prob(
        0.477, f"assumption, {STAGE1}; recalibrated, {STAGE4}: mean attention to second-hand news of enforcement "
        "(rumour, talk, media); 1 = every resident hears all of it")
    attention_concentration: float = param(
        1.82, lo=0.01, source=f"assumption, {STAGE1}; recalibrated, {STAGE4}: concentration of the Beta distribution "
        "of attention (small = residents differ widely, large = all near the mean)")
    direct_fear: float = prob(0.5, "assumption: fear added by an enforcement event to oneself")
    network_fear: float = prob(0.2, "assumption: fear added by an enforcement event to a tie of weight 1")
    fear_influence: float = prob(0.05, "assumption: daily pull of fear up toward ties' mean, times vulnerability")
    fear_decay: float = prob(
        0.003, f"assumption, {STAGE2}: daily share of fear that fades (half-life ~230 days)")
    own_neighbourhood_weight: float = prob(
        0.4, "assumption: share of the observed risk a resident feels that comes from contacts in their own "
        "neighbourhood (0 with ties_neighbourhoods_weight 0 = one city-wide risk, as before neighbourhoods)")
    ties_neighbourhoods_weight: float = prob(
        0.2, "assumption: share that comes from the neighbourhoods their ties live in (tie-weighted); "
        "the rest is city-wide news")
    awareness_half_life: float = param(30.0, lo=0.1, source="assumption: days over which the community's "
                                       "count of contacts and consequences halves")
    awareness_prior_per_1000: float = param(
        2.0, lo=0.0, source="assumption: uneventful contacts per 1,000 residents the community assumes before it sees "
        "a pattern; per resident, so that the perceived risk does not change with the city's size (it was 20 contacts "
        "in all, the same in the 10,000-resident cities where it was calibrated)")
    risk_amplification: float = param(
        4.2, lo=0.0, source=f"assumption, {STAGE1}; recalibrated, {STAGE4}: how much residents who do not know the "
        "policy overstate the observed risk (Theodore 2013: fear beyond actual risk)")
    policy_fear_rate: float = prob(0.05, "assumption: daily pull of fear up toward the perceived risk; 0 turns the "
                                   "channel off")
    risk_trust_loss: float = prob(
        0.002, f"assumption, {STAGE2}: daily share of trust lost per unit of felt risk (seed 003: entanglement "
        "'drastically damaging trust')")
    contact_gain: float = prob(0.02, "assumption: trust gained from a fair contact (Skogan: near zero)")
    trust_asymmetry: float = param(4.0, lo=1.0, source="Skogan 2006: bad contacts weigh 4-14 times good ones")
    seen_enforcement_loss: float = prob(0.023, f"assumption, {STAGE2}: trust lost when a tie suffers enforcement")
    seen_clearance_gain: float = prob(0.005, "assumption: trust gained when a tie's case is cleared")
    trust_influence: float = prob(
        0.015, f"assumption, {STAGE2}: daily pull of one's trust change toward ties' mean change")
    trust_recovery: float = prob(
        0.019, f"assumption, {STAGE2}: daily pull of trust back to its initial value (half-life ~36 days)")
    knowledge_spread: float = prob(0.01, "assumption: daily learning from informed ties")
    event_weight_status_check: float = prob(0.3, "assumption: weight of a status question as an event")
    event_weight_custody: float = prob(1.0, "assumption: weight of a hold, ICE custody or removal as an event")


@dataclass
class OutcomeParams:
    """Thresholds that turn beliefs into survey-like shares."""

    would_not_call_threshold: float = prob(
        0.2, "assumption: violent-crime reporting probability below which a resident 'would not call'")
    less_likely_drop: float = prob(
        0.1, "assumption: relative fall in one's reporting probability, against the same resident without fear of "
        "immigration consequences, that counts as 'less likely to call'")


DEFAULT_RULES = [
    "model.rules.timeline.ApplyPolicyTimeline",
    "model.rules.custody.ProcessCustody",
    "model.rules.outreach.HoldOutreach",
    "model.rules.crime.CommitCrimes",
    "model.rules.reporting.ReportCrimes",
    "model.rules.patrol.Patrol",
    "model.rules.investigation.InvestigateCrimes",
    "model.rules.beliefs.UpdateBeliefs",
]


@dataclass
class RuleChanges:
    """Changes to `rules`, each named by the class name of a listed rule, so that one override adds, replaces or
    removes a rule without restating the list: `after` and `before` put rules (a dotted path, or a list of them)
    right after or before a listed one; `replace` puts a rule in a listed one's place; `remove` leaves listed
    ones out. Applied in that order of listing: remove, replace, before, after (`rule_paths`)."""

    after: dict[str, Any] = field(default_factory=dict)     # {ListedRule: "package.module.NewRule" or [paths]}
    before: dict[str, Any] = field(default_factory=dict)
    replace: dict[str, str] = field(default_factory=dict)   # {ListedRule: "package.module.Replacement"}
    remove: list[str] = field(default_factory=list)         # [ListedRule, ...]


@dataclass
class PolicySwitch:
    """From `day` on (0-based), the city runs under `policy`."""

    day: int = param(0, lo=0)
    policy: Policy = field(default_factory=Policy)


@dataclass
class ModelParams:
    """Everything the model needs. `policy` applies from day 0; `timeline` switches it on later days."""

    days: int = param(365, lo=1, source="one simulated year; a step is one day")
    population: PopulationParams = field(default_factory=PopulationParams)
    network: NetworkParams = field(default_factory=NetworkParams)
    crime: CrimeParams = field(default_factory=CrimeParams)
    reporting: ReportingParams = field(default_factory=ReportingParams)
    policing: PolicingParams = field(default_factory=PolicingParams)
    enforcement: EnforcementParams = field(default_factory=EnforcementParams)
    beliefs: BeliefParams = field(default_factory=BeliefParams)
    outcomes: OutcomeParams = field(default_factory=OutcomeParams)
    policy: Policy = field(default_factory=Policy)
    timeline: list[PolicySwitch] = field(default_factory=list)
    rules: list[str] = field(default_factory=lambda: list(DEFAULT_RULES))
    rule_changes: RuleChanges = field(default_factory=RuleChanges)          # one rule added, replaced or removed
    rule_params: dict[str, dict[str, Any]] = field(default_factory=dict)  # {RuleClass: {field: value}}


def rule_name(path: str) -> str:
    """A rule's name: its class name, the last part of its dotted path."""
    return path.rsplit(".", 1)[-1]


def rule_paths(p: ModelParams) -> list[str]:
    """The rules a run runs, in order: `rules` with `rule_changes` applied (each change names a listed rule)."""
    changes, names = p.rule_changes, [rule_name(path) for path in p.rules]
    for kind, named in (("remove", changes.remove), ("replace", changes.replace), ("before", changes.before),
                        ("after", changes.after)):
        for name in named:
            if name not in names:
                raise ParameterError(f"rule_changes.{kind}.{name}: no rule named {name} is listed; the rules are: "
                                     f"{', '.join(names)}.")
            if kind in ("before", "after") and name in changes.remove:
                raise ParameterError(f"rule_changes.{kind}.{name}: {name} is removed (rule_changes.remove); "
                                     "add the new rule beside another.")
    out = []
    for path, name in zip(p.rules, names):
        if name not in changes.remove:
            out += [*_as_list(changes.before.get(name, [])), changes.replace.get(name, path),
                    *_as_list(changes.after.get(name, []))]
    return out


def _as_list(paths) -> list[str]:
    return [paths] if isinstance(paths, str) else list(paths)


@functools.cache
def type_hints(cls: type) -> dict[str, Any]:
    """`typing.get_type_hints(cls)`, once per class: with postponed annotations it compiles every field's
    annotation on each call, and every run validates its parameter tree."""
    return get_type_hints(cls)


def validate(params: Any, path: str = "") -> None:
    """Check every field's type, declared bound, choice and share in a parameter tree, then cross-field
    consistency and the rules' own parameters."""
    hints = type_hints(type(params))
    for f in fields(params):
        value = getattr(params, f.name)
        key = f"{path}{f.name}"
        _check_type(key, value, hints.get(f.name, Any))
        if is_dataclass(value):
            validate(value, key + ".")
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                if is_dataclass(item):
                    validate(item, f"{key}[{i}].")
        _check_field(key, value, f.metadata)
    if isinstance(params, ModelParams):
        _check_consistency(params)
        _check_rules(params)


def _check_type(key: str, value: Any, hint: Any) -> None:
    """Refuse a value of the wrong type (the Python API has no Hydra schema in front of it)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return
    if origin is dict:
        if not isinstance(value, dict):
            raise ParameterError(f"{key} = {value!r}: must be a mapping of names to values.")
        for sub, v in value.items():
            _check_type(f"{key}.{sub}", v, args[1] if len(args) == 2 else Any)
        return
    if origin is list:
        if not isinstance(value, list):
            raise ParameterError(f"{key} = {value!r}: must be a list.")
        for i, v in enumerate(value):
            _check_type(f"{key}[{i}]", v, args[0] if args else Any)
        return
    if hint is bool:
        ok, what = isinstance(value, (bool, np.bool_)), "true or false"
    elif hint is int:
        ok, what = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)), "a whole number"
    elif hint is float:
        ok, what = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)), "a number"
    elif hint is str:
        ok, what = isinstance(value, str), "a text value"
    elif isinstance(hint, type) and is_dataclass(hint):
        ok, what = isinstance(value, hint), f"a {hint.__name__}"
    else:
        return
    if not ok:
        raise ParameterError(f"{key} = {value!r}: must be {what}.")


def _check_field(key: str, value: Any, meta: Any) -> None:
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices", ())
    values = value.items() if isinstance(value, dict) else [(None, value)]
    for sub, v in values:
        name = key if sub is None else f"{key}.{sub}"
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if not math.isfinite(v):
                raise ParameterError(f"{name} = {v}: must be a finite number.")
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                raise ParameterError(f"{name} = {v}: allowed range is [{_fmt(lo)}, {_fmt(hi)}].")
        if choices and v not in choices:
            raise ParameterError(f"{name} = {v!r} is not allowed; choose one of: {', '.join(choices)}.")
    if meta.get("shares"):
        total = sum(value.values())
        if any(v < 0 or v > 1 for v in value.values()) or abs(total - 1.0) > 1e-6:
            raise ParameterError(
                f"{key} = {dict(value)}: shares must each be in [0, 1] and sum to 1 (they sum to {total:.6g}).")


def _fmt(bound: float | None) -> str:
    return "inf" if bound is None else f"{bound:g}"


def _check_consistency(p: ModelParams) -> None:
    """Cross-field rules that single-field bounds cannot express."""
    pop = p.population
    _require_keys("population.status_shares", pop.status_shares, STATUSES)
    for key, d in (("crime.offending_multiplier", p.crime.offending_multiplier),
                   ("crime.prior_conviction_share", p.crime.prior_conviction_share),
                   ("beliefs.vulnerability", p.beliefs.vulnerability)):
        _require_keys(key, d, STATUSES)
    labels = tuple(pop.ethnicity_shares)
    for key in ("ethnicity_shares_undocumented", "ethnicity_shares_lawful"):
        _require_keys(f"population.{key}", getattr(pop, key), labels)
    if p.policing.profiled_label not in labels:
        raise ParameterError(
            f"policing.profiled_label = {p.policing.profiled_label!r} is not an ethnicity label; "
            f"choose one of: {', '.join(labels)}.")
    if pop.mixed_status_share > 0 and pop.status_shares["undocumented"] == 0:
        raise ParameterError(
            "population.mixed_status_share > 0 needs undocumented residents: "
            "set population.status_shares.undocumented > 0 or mixed_status_share = 0.")
    for i, switch in enumerate(p.timeline):
        if switch.day >= p.days:
            raise ParameterError(f"timeline[{i}].day = {switch.day}: must be below days = {p.days}.")
    days = [s.day for s in p.timeline]
    if days != sorted(set(days)):
        raise ParameterError(f"timeline days {days}: must increase, one switch a day (two on one day would leave "
                             "one unused).")
    local = p.beliefs.own_neighbourhood_weight + p.beliefs.ties_neighbourhoods_weight
    if local > 1 + 1e-12:
        raise ParameterError(
            f"beliefs.own_neighbourhood_weight + beliefs.ties_neighbourhoods_weight = {local:g}: must be at most 1 "
            "(the rest of the observed risk is city-wide).")
    if not rule_paths(p):
        raise ParameterError("rules is empty: list at least one rule class (see DEFAULT_RULES).")


def _check_rules(p: ModelParams) -> None:
    """Every rule the run runs loads, and `rule_params` names only those rules, with valid values."""
    from model.rules import load_rule  # noqa: PLC0415  (the rules package imports this module's users)

    rules = {}
    for path in rule_paths(p):
        cls = load_rule(path)
        rules[cls.__name__] = cls
    unknown = sorted(set(p.rule_params) - set(rules))
    if unknown:
        raise ParameterError(f"rule_params names rules that are not in `rules`: {', '.join(unknown)}; "
                             f"the listed rules are: {', '.join(rules)} (add one with "
                             f"+rule_changes.after.<ListedRule>=<package.module.Rule>).")
    for name, values in p.rule_params.items():
        rules[name].own_params(values)
    from model.rules.reporting import ReportingRule  # noqa: PLC0415

    reporting = [name for name, cls in rules.items() if issubclass(cls, ReportingRule)]
    if len(reporting) > 1:
        raise ParameterError(f"rules lists {len(reporting)} reporting rules ({', '.join(reporting)}): list one, "
                             "since it supplies the model's chance to report.")


def _require_keys(key: str, d: dict, allowed: tuple) -> None:
    if set(d) != set(allowed):
        raise ParameterError(f"{key} has keys {sorted(d)}; it must have exactly: {', '.join(allowed)}.")


def declared_sources(params_cls: type) -> dict[str, str]:
    """Where each default of a parameter class comes from (for docs and the config-provenance test)."""
    return {f.name: f.metadata.get("source", "") for f in fields(params_cls) if f.default is not MISSING
            or f.default_factory is not MISSING}
