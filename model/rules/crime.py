"""Crime: free residents offend by their propensity; victims and witnesses are chosen.

Victims come mostly from the offender's neighbourhood, weighted by (1 - p_report)^exploitation, so that
with exploitation > 0 offenders prefer residents unlikely to call the police (seed 001: "increased
victimization and exploitation of immigrants"). Offenders also offend more where their neighbours have
become less likely to call than on day 0 (`reporting_deterrence`): choosing victims only moves crime
between residents, while a neighbourhood that stops calling loses deterrence and gets more of it
(Goncalves, Jacome & Weisburst 2024: Hispanic victimization rose under Secure Communities with no change
for others). A crime may have a witness: one of the victim's ties.
"""

from __future__ import annotations

import numpy as np

from model.compiled import compiled
from model.neighbourhoods import Neighbourhoods
from model.rules import Rule
from model.sampling import draw_in_ranges

prange = range    # numba.prange once compiled (model.compiled)


class CommitCrimes(Rule):
    """Today's crimes: offenders, their victims, the crime type and a possible witness."""

    changes_beliefs = False

    def __init__(self, model):
        super().__init__(model)
        self.places = model.neighbourhoods.n
        self.unsafe0 = None   # per neighbourhood, mean chance a crime goes unreported on day 0 (set on day 0)
        self._buffers: dict[str, np.ndarray] = {}

    def step(self, day: int) -> None:
        m = self.model
        res, p = m.residents, m.params.crime
        free = res.free()
        unreported = np.subtract(1, m.report_probability(violent=True), out=self._work("unreported"))
        draws = self.rng.random(len(res), out=self._work("draws"))
        offender = self.offenders(free, draws, self.lost_deterrence(free, unreported))
        total = p.violent_per_1000 + p.property_per_1000
        violent = self.rng.random(len(offender)) < (p.violent_per_1000 / total if total > 0 else 0)
        weight = free * unreported ** p.exploitation if p.exploitation else free.astype(float)   # x ** 0 is 1
        victim = choose_victims(offender, weight, m.neighbourhoods, p.local_victim_share, self.rng)
        ok = (victim >= 0) & (victim != offender)
        offender, victim, violent = offender[ok], victim[ok], violent[ok]
        witness = choose_witnesses(victim, offender, m.network.adjacency, free, p.witness_probability, self.rng)
        m.today.crimes = {"offender": offender, "victim": victim, "violent": violent, "witness": witness}
        m.outcomes.count(day, "offences", offender)
        m.outcomes.count(day, "victimizations", victim)
        m.outcomes.count(day, "violent_victimizations", victim[violent])

    def offenders(self, free: np.ndarray, draws: np.ndarray, lost_deterrence: np.ndarray) -> np.ndarray:
        """Free residents who offend today: `draws` (uniform, one per resident) below their propensity times
        their neighbourhood's lost deterrence. With kernel=numba in one compiled pass, the same rows."""
        m = self.model
        places, propensity = m.neighbourhoods, m.residents.propensity
        if m.kernel == "numba":
            offends = np.empty(len(free), dtype=bool)
            compiled(_offender_rows)[0](places.start, places.stop, free, draws, propensity, lost_deterrence,
                                        offends)
            return np.flatnonzero(offends)
        chance = np.multiply(propensity, places.per_resident(lost_deterrence), out=self._work("chance"))
        return np.flatnonzero(free & (draws < chance))

    def _work(self, name: str) -> np.ndarray:
        """A day's work buffer over residents, kept from day to day (no fresh pages of memory every day)."""
        n = len(self.model.residents)
        if name not in self._buffers or len(self._buffers[name]) != n:
            self._buffers[name] = np.empty(n)
        return self._buffers[name]

    def lost_deterrence(self, free: np.ndarray, unreported: np.ndarray) -> np.ndarray:
        """Per neighbourhood, how much more offenders offend than on day 0: (u / u0)^reporting_deterrence, with u
        the mean chance that a free resident there would not report a crime (u0 on day 0)."""
        d = self.model.params.crime.reporting_deterrence
        if d == 0:
            return np.ones(self.places)
        places = self.model.neighbourhoods
        unsafe = places.total(free * unreported) / np.maximum(places.total(free), 1)
        if self.unsafe0 is None:
            self.unsafe0 = unsafe
        return np.divide(unsafe, self.unsafe0, out=np.ones(self.places), where=self.unsafe0 > 0) ** d


def _offender_rows(start, stop, free, draws, propensity, lost_deterrence, offends):
    for p in prange(len(start)):
        for i in range(start[p], stop[p]):
            offends[i] = free[i] and draws[i] < propensity[i] * lost_deterrence[p]


def choose_victims(offender: np.ndarray, weight: np.ndarray, places: Neighbourhoods, local_share: float,
                   rng: np.random.Generator) -> np.ndarray:
    """A victim per offender, drawn with probability proportional to `weight`: from the offender's
    neighbourhood with chance `local_share` (if anyone there has weight), else city-wide; -1 if nobody has."""
    by_place = places.total(weight)
    if len(offender) == 0 or not by_place.sum() > 0:
        return np.full(len(offender), -1)
    nb = places.code[offender]
    local = (rng.random(len(offender)) < local_share) & (by_place[nb] > 0)
    lo = np.where(local, places.start[nb], 0)
    hi = np.where(local, places.stop[nb], len(weight))
    return draw_in_ranges(weight, lo, hi, rng)


def choose_witnesses(victim: np.ndarray, offender: np.ndarray, adjacency, free: np.ndarray, probability: float,
                     rng: np.random.Generator) -> np.ndarray:
    """With chance `probability`, a free tie of the victim (not the offender) saw the crime; -1 otherwise."""
    indptr, indices = adjacency.indptr, adjacency.indices
    degree = indptr[victim + 1] - indptr[victim]
    has = (rng.random(len(victim)) < probability) & (degree > 0)
    pick = indptr[victim] + (rng.random(len(victim)) * degree).astype(np.int64)
    witness = np.where(has, indices[np.minimum(pick, len(indices) - 1)] if len(indices) else -1, -1)
    valid = witness >= 0
    valid[valid] = free[witness[valid]] & (witness[valid] != offender[valid])
    return np.where(valid, witness, -1)
