"""Patrol: officers stop residents; a profiled group is stopped more where enforcement rewards it.

Stops per day are a Poisson draw with mean officers x `stops_per_officer_day` (a resident drawn twice
is stopped once); who is stopped is weighted by the profiling multiplier for the
profiled label (seed 004: targeting of Latino residents; seed 002: pretextual arrests to get fingerprints
taken). Where officers ask status at stops (287(g) task force) the stop becomes a status question.
Discretionary arrests for offences without a victim in the model (drugs, disorder, traffic, warrants)
fall on residents by offending propensity and the same profiling weight, and lead to a booking.

Where patrol goes: `policing.patrol_allocation` shares stops and arrests across neighbourhoods in
proportion to residents (weighted by profiling) or to recently reported crime (hot spots); a policy's
`saturation_patrol` moves that share of them into the operation area, the neighbourhoods with the largest
share of the profiled label (Melendres v. Arpaio, findings of fact, D. Ariz. 2013: the Maricopa County
Sheriff's Office ran "saturation patrols" while it held 287(g) authority).
"""

from __future__ import annotations

import numpy as np

from model.daylog import POLICE_CONTACT
from model.params import PolicingParams
from model.policy import Policy
from model.residents import State
from model.rules import Rule
from model.rules.custody import ask_status, book
from model.sampling import FixedTimesFactor, LazyWeights, draw_weighted


def profiling_multiplier(policy: Policy, p: PolicingParams) -> float:
    """How many times more often a resident with the profiled label is stopped than another.

    The excess over 1 grows by `enforcement_profiling` where stops can trigger immigration consequences,
    and monitoring with training removes the share `monitoring_reduction` of the excess (seed 000).
    """
    excess = p.profiling_multiplier - 1
    if policy.rewards_profiling():
        excess += p.enforcement_profiling
    if policy.profiling_monitoring:
        excess *= 1 - p.monitoring_reduction
    return max(0.0, 1 + excess)


class Patrol(Rule):
    """Today's stops (with status questions where policy says so) and discretionary arrests."""

    changes_beliefs = False

    def __init__(self, model):
        super().__init__(model)
        self.reported = np.zeros(model.neighbourhoods.n)   # recent reported crimes by neighbourhood (hot spots)
        self._profiling: tuple = (None, None, 0.0)   # multiplier, weights, largest weight
        res = model.residents
        # arrests fall on residents by offending propensity (a stable trait) times today's patrol weight
        self.arrests = FixedTimesFactor(res.propensity / res.propensity.mean() if res.propensity.mean() > 0
                                        else np.ones(len(res)))

    def step(self, day: int) -> None:
        m = self.model
        res, p = m.residents, m.params.policing
        profiling, largest = self.profiling_weight(profiling_multiplier(m.policy, p))
        if p.patrol_allocation == "reported_crime":
            self._note_reported_crimes()
        weight = self.weights(profiling, largest, self.place_weight(profiling))
        self._stops(day, weight)
        n_arrests = self.rng.poisson(len(res) * p.other_arrests_per_1000 / 1000 / 365)
        book(m, self.arrests.draw(weight, n_arrests, self.rng, top=weight.top), day, p.minor_jail_days)

    def weights(self, profiling: np.ndarray, largest: float, place: np.ndarray | None) -> LazyWeights:
        """Each resident's weight in today's stops and arrests: at liberty x profiling weight (at most `largest`) x
        their neighbourhood's multiplier (`place`, if any), computed only for the residents a draw proposes."""
        state, code, free = self.model.residents.state, self.model.neighbourhoods.code, int(State.FREE)
        if place is None:
            return LazyWeights(lambda rows: (state[rows] == free) * profiling[rows], len(state), largest)
        return LazyWeights(lambda rows: (state[rows] == free) * profiling[rows] * place[code[rows]], len(state),
                           largest * float(place.max(initial=0.0)))

    def profiling_weight(self, multiplier: float) -> tuple[np.ndarray, float]:
        """Each resident's weight in patrol: `multiplier` for the profiled label, else 1; and the largest (the
        labels do not change; the multiplier changes only when the policy does)."""
        if self._profiling[0] != multiplier:
            profiled = self.model.residents.labelled(self.model.params.policing.profiled_label)
            weight = np.where(profiled, multiplier, 1.0)
            self._profiling = (multiplier, weight, float(weight.max(initial=0.0)))
        return self._profiling[1], self._profiling[2]

    def place_weight(self, profiling: np.ndarray) -> np.ndarray | None:
        """Per-neighbourhood multiplier of patrol weight that gives each neighbourhood its share of stops
        and arrests; None where patrol goes in proportion to residents everywhere (no multiplier)."""
        m = self.model
        hot_spots, saturation = m.params.policing.patrol_allocation == "reported_crime", m.policy.saturation_patrol
        if not hot_spots and saturation == 0:
            return None
        places = m.neighbourhoods
        load = places.total(m.residents.free() * profiling)
        share = _normalized(self.reported if hot_spots and self.reported.sum() > 0 else load)
        target = (1 - saturation) * share + saturation * _normalized(load * places.operation_area)
        return np.divide(target, load, out=np.zeros(places.n), where=load > 0)

    def _note_reported_crimes(self) -> None:
        """Add the crimes reported so far today to the decayed hot-spot count (where their victims live)."""
        m = self.model
        crimes = m.today.crimes
        reported = crimes["victim"][crimes["reported"]] if "reported" in crimes else np.zeros(0, dtype=np.int64)
        keep = 0.5 ** (1 / m.params.policing.hot_spot_half_life)
        self.reported = keep * self.reported + np.bincount(m.residents.neighbourhood[reported],
                                                           minlength=len(self.reported))

    def _stops(self, day: int, weight: LazyWeights) -> None:
        m = self.model
        police = m.police
        stopped = draw_weighted(weight, self.rng.poisson(len(police) * m.params.policing.stops_per_officer_day),
                                self.rng, top=weight.top)
        np.add.at(police.stops, self.rng.integers(0, len(police), len(stopped)), 1)
        m.outcomes.count(day, "stops", stopped)
        m.log(POLICE_CONTACT, stopped)
        if m.policy.asks_at_stops():
            ask_status(m, stopped, day, self.rng)


def _normalized(x: np.ndarray) -> np.ndarray:
    """x / x.sum(), zeros if the sum is 0."""
    total = x.sum()
    return x / total if total > 0 else np.zeros_like(x, dtype=float)
