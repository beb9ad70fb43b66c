"""Beliefs: fear, trust and knowledge move with what happens to residents and to their ties.

- Fear of immigration consequences rises with enforcement events to oneself and to one's ties (a status
  question, a hold, ICE custody, a removal), in proportion to one's vulnerability (own status, or the
  status of people close: Alsan & Yang 2018), spreads from more fearful ties (fear travels through
  families and friends; reassurance is not assumed to travel the same way), and decays slowly.
- Trust falls with unfair contacts, with enforcement seen among ties (in proportion to vulnerability,
  so residents with no immigration risk near them do not lose trust this way) and, day by day, with the
  perceived risk of police contact (police seen as an arm of immigration enforcement, seed 003); it
  rises a little with fair contacts (a case cleared, an outreach meeting) and with ties' cleared cases.
  What spreads socially is the change in trust since day 0 (each resident's initial level is a stable
  trait), which is pulled toward ties' change and drifts slowly back to zero. Bad contacts weigh
  `trust_asymmetry` times good ones (Skogan 2006), so trust falls faster than it recovers.
- The community watches how police contacts end for undocumented residents: the observed risk is the
  share of their contacts (stops, reports, witness cooperation, bookings) that led to an immigration
  consequence (a status question, or the jail honouring an ICE detainer or notification), smoothed over
  weeks and tempered by a prior of uneventful contacts so that one case does not make a pattern. It is
  counted for the whole city and for each neighbourhood where the contacts happened (with the prior
  shared out by residents, so an even enforcement gives every neighbourhood the city's risk in
  expectation). Each resident feels a mix: `own_neighbourhood_weight` of their own neighbourhood's risk,
  `ties_neighbourhoods_weight` of the risk where their ties live (tie-weighted), and the rest city-wide
  news; both weights 0 is the single city-wide risk. A resident who knows the local policy perceives that
  risk as it is; one who does not hears it as rumour, amplified by `risk_amplification` (capped at 1;
  Theodore 2013: fear beyond the actual risk). Perceived risk = knowledge x observed + (1 - knowledge) x
  rumoured, and fear rises toward vulnerability x perceived risk. So knowing the policy (outreach, seed
  002: "educate their communities about their authority and actions") calms fear wherever the rumour
  overstates the risk.
- Residents differ in attention (a stable trait, Beta-distributed): how much second-hand news of
  enforcement reaches and moves them. Rumour and the observed risk, and fear heard from ties, act in
  proportion to vulnerability x attention; what happens to oneself or to one's own ties acts in
  proportion to vulnerability alone. Without this trait every undocumented resident would feel the same
  risk and the survey-like "less likely to call" share would be all or nothing (docs/calibration.md).
- Knowledge of the local policy spreads from informed ties and fades, at rates that keep it at its
  initial level when nothing else happens.
All of this is one sparse product of the tie matrix with a few columns per day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.daylog import (
    CLEARED_CASE,
    ENFORCEMENT,
    FAIR_CONTACT,
    IMMIGRATION_CONSEQUENCE,
    POLICE_CONTACT,
    UNFAIR_CONTACT,
)
from model.residents import Status
from model.rules import Rule, belief_kernel


@dataclass
class ObservedRisk:
    """The community's observed risk of police contact: city-wide, and per neighbourhood (by code)."""

    city: float
    local: np.ndarray


class UpdateBeliefs(Rule):
    """Apply the day's events, what is known of the policy, and social influence to fear, trust, knowledge."""

    def __init__(self, model):
        super().__init__(model)
        places = model.neighbourhoods
        self.contacts = 0.0
        self.consequences = 0.0
        self.local_contacts = np.zeros(places.n)
        self.local_consequences = np.zeros(places.n)
        self.prior = model.params.beliefs.awareness_prior_per_1000 * len(model.residents) / 1000
        self.local_prior = self.prior * places.resident_share
        self._ties = self._present = self._here = None
        self.work: dict = {}     # the fused kernel's buffers, kept from day to day

    def ties_present(self, present: np.ndarray) -> np.ndarray:
        """Tie strength to residents still in the city, kept from day to day (the array is updated in place):
        where someone left (was removed) or came back, the residents tied to them have theirs summed again, each
        row as the whole product sums it (in index order), so the same numbers as summing everyone's afresh; the
        ties go both ways, so those tied to someone are the ones they are tied to."""
        net = self.model.network
        if self._present is None:
            self._present, self._here = present.copy(), present.astype(float)
            self._ties = net.spread(self._here)
            return self._ties
        changed = np.flatnonzero(self._present != present)
        if len(changed):
            self._present[changed] = present[changed]
            self._here[changed] = present[changed]
            tied = net.tied_to(changed)
            self._ties[tied] = net.spread_at(tied, self._here)
        return self._ties

    def observed_risk(self) -> ObservedRisk:
        """Update, from today's log, and return the share of undocumented residents' police contacts that
        had immigration consequences: city-wide and in each neighbourhood."""
        m = self.model
        b, n_places = m.params.beliefs, len(self.local_contacts)
        keep = 0.5 ** (1 / b.awareness_half_life)
        contacts, consequences = (self._undocumented_places(kind) for kind in (POLICE_CONTACT, IMMIGRATION_CONSEQUENCE))
        self.contacts = keep * self.contacts + len(contacts)
        self.consequences = keep * self.consequences + len(consequences)
        self.local_contacts = keep * self.local_contacts + np.bincount(contacts, minlength=n_places)
        self.local_consequences = keep * self.local_consequences + np.bincount(consequences, minlength=n_places)
        return ObservedRisk(city=float(_share(self.consequences, self.contacts + self.prior)),
                            local=_share(self.local_consequences, self.local_contacts + self.local_prior))

    def _undocumented_places(self, kind: str) -> np.ndarray:
        """Where today's `kind` entries about undocumented residents happened."""
        log = self.model.today
        return log.places(kind)[self.model.residents.status[log.rows(kind)] == Status.UNDOCUMENTED]

    def step(self, day: int) -> None:
        m = self.model
        scratch = self.work.setdefault("scratch", Scratch(len(m.residents)))
        today = Tallies.from_log(m.today, len(m.residents), scratch)
        b = m.params.beliefs
        ties = self.ties_present(m.residents.present())
        formula = m.reporting.formula_for_everyone()
        chances = update_beliefs(m.residents, m.network, today, self.observed_risk(), b, ties, kernel=m.kernel,
                                 work=self.work, chance_formula=formula)
        if chances is not None:   # the compiled pass took everyone's chance to report on the way: keep it
            m.residents.beliefs_changed()
            m.reporting.keep(*chances, protected=formula[1])


@dataclass
class Tallies:
    """Today's events per resident, as the belief update needs them."""

    event_rows: np.ndarray        # residents with an enforcement event (repeated per event)
    event_weights: np.ndarray     # ... and each event's weight
    unfair: np.ndarray            # unfair contacts per resident
    fair: np.ndarray              # fair contacts per resident
    cleared_rows: np.ndarray      # victims whose case was cleared (repeated per case)

    @classmethod
    def from_log(cls, log, n: int, scratch: Scratch | None = None) -> Tallies:
        scratch = Scratch(n) if scratch is None else scratch
        return cls(log.rows(ENFORCEMENT), log.weights(ENFORCEMENT), scratch.tally("unfair", log.rows(UNFAIR_CONTACT)),
                   scratch.tally("fair", log.rows(FAIR_CONTACT)), log.rows(CLEARED_CASE))


class Scratch:
    """Per-resident columns of one day's events, kept from day to day: filled where today's events are, and set
    back to zero there after the update (`clear`), so that a day costs what its events cost and a city of
    10,000,000 residents allocates no 80 MB column per kind of event. Same numbers as counting afresh."""

    def __init__(self, n: int):
        self.n = n
        self._columns: dict[str, np.ndarray] = {}
        self._touched: list[tuple[np.ndarray, np.ndarray]] = []

    def _column(self, name: str) -> np.ndarray:
        if name not in self._columns:   # made once (setdefault would make a column on every call)
            self._columns[name] = np.zeros(self.n)
        return self._columns[name]

    def tally(self, name: str, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Per-resident sum of today's events (one each, or `weights`)."""
        column = self._column(name)
        np.add.at(column, rows, 1.0 if weights is None else weights)
        self._touched.append((column, rows))
        return column

    def seen(self, name: str, net, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """What ties of `rows` see of their events (`SocialNetwork.spread_from`), capped at 1."""
        column = self._column(name)
        touched = net.add_spread_from(column, rows, weights)
        column[touched] = np.minimum(column[touched], 1.0)
        self._touched.append((column, touched))
        return column

    def clear(self) -> None:
        for column, rows in self._touched:
            column[rows] = 0.0
        self._touched = []


def update_beliefs(res, net, today: Tallies, risk: ObservedRisk, b, ties: np.ndarray | None = None,
                   kernel: str = "numpy", work: dict | None = None,
                   chance_formula: tuple | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """One day's fear, trust and knowledge update for every resident still present, in place.

    `risk` is the community's observed risk of police contact (UpdateBeliefs.observed_risk); `ties`
    the tie strength to present residents (computed if not given).
    model/reference.py is the same rule written per agent, and the test that both agree
    keeps this one honest. `kernel="numba"` runs the same arithmetic fused into one pass on every core
    (model/rules/belief_kernel.py), with the same result bit for bit; it keeps its work buffer in `work`, a dict
    the caller may keep from day to day; given
    `chance_formula` (`ReportingRule.formula_for_everyone`), it returns everyone's chance to report a violent
    crime with fear and without, from the new beliefs (the numpy form returns None).
    """
    work = {} if work is None else work
    scratch = work.setdefault("scratch", Scratch(len(res)))
    try:
        return _update(res, net, today, risk, b, ties, kernel, work, scratch, chance_formula)
    finally:
        scratch.clear()


def _update(res, net, today: Tallies, risk: ObservedRisk, b, ties, kernel: str, work: dict, scratch: Scratch,
            chance_formula: tuple | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    present = res.present()
    events = scratch.tally("events", today.event_rows, today.event_weights)
    seen_enforcement = scratch.seen("seen_enforcement", net, today.event_rows, today.event_weights)
    seen_cleared = scratch.seen("seen_cleared", net, today.cleared_rows)
    w_own, w_ties = b.own_neighbourhood_weight, b.ties_neighbourhoods_weight
    ties = net.spread(present.astype(float)) if ties is None else ties
    if kernel == "numba":
        work["gathered"], chances = belief_kernel.update(
            res, present, net.adjacency, net.strength, ties, events, seen_enforcement, today.unfair, today.fair,
            seen_cleared, risk.city, risk.local, w_own, w_ties, b, work.get("gathered"), chance_formula)
        return chances
    here = present.astype(float)
    shift = res.trust - res.trust0
    local = risk.local[res.neighbourhood] if w_own > 0 or w_ties > 0 else None   # one's own neighbourhood's risk
    spread = net.spread(np.column_stack([shift * here, res.fear * here, res.knowledge * here]))
    has_ties = ties > 0
    safe = np.where(has_ties, ties, 1.0)
    ties_shift = np.where(has_ties, spread[:, 0] / safe, shift)
    ties_fear = np.where(has_ties, spread[:, 1] / safe, res.fear)
    ties_knowledge = np.where(has_ties, spread[:, 2] / safe, res.knowledge)

    # the observed risk one feels: the city's, one's neighbourhood's and where one's ties live (tie-weighted;
    # both weights 0: the city's alone, a scalar)
    observed = (1.0 - w_own - w_ties) * risk.city
    if w_own > 0:
        observed = observed + w_own * local
    if w_ties > 0:   # where one's ties live: all of them, removed ones too (people know where they lived)
        ties_risk = np.divide(net.spread(local), net.strength, out=local.copy(), where=net.strength > 0)
        observed = observed + w_ties * ties_risk

    v = res.vulnerability
    heard = v * res.attention
    fear = res.fear + v * (b.direct_fear * np.minimum(events, 1.0) + b.network_fear * seen_enforcement)
    fear += b.fear_influence * heard * np.maximum(ties_fear - res.fear, 0.0) - b.fear_decay * res.fear
    rumoured = np.minimum(1.0, b.risk_amplification * observed)
    felt_risk = heard * (res.knowledge * observed + (1 - res.knowledge) * rumoured)
    fear += b.policy_fear_rate * np.maximum(felt_risk - res.fear, 0.0)

    loss = np.minimum(1.0, b.contact_gain * b.trust_asymmetry * today.unfair
                      + b.seen_enforcement_loss * v * seen_enforcement + b.risk_trust_loss * felt_risk)
    gain = np.minimum(1.0, b.contact_gain * today.fair + b.seen_clearance_gain * seen_cleared)
    trust = res.trust + gain * (1 - res.trust) - loss * res.trust
    trust += b.trust_influence * (ties_shift - shift) - b.trust_recovery * shift

    decay = b.knowledge_spread * (1 - b.initial_knowledge)
    knowledge = res.knowledge + b.knowledge_spread * (1 - res.knowledge) * ties_knowledge - decay * res.knowledge

    for name, new in (("fear", fear), ("trust", trust), ("knowledge", knowledge)):
        column = getattr(res, name)
        column[present] = np.clip(new[present], 0.0, 1.0)
    return None


def _share(part, whole):
    """part / whole, 0 where whole is 0 (no contacts yet and no prior)."""
    return np.divide(part, whole, out=np.zeros_like(np.asarray(whole, dtype=float)), where=np.asarray(whole) > 0)
