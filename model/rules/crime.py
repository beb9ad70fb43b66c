"""Crime: free residents offend by their propensity; victims and witnesses are chosen.

Victims come mostly from the offender's neighbourhood, weighted by (1 - p_report)^exploitation, so that
with exploitation > 0 offenders prefer residents unlikely to call the police (seed 001: "increased
victimization and exploitation of immigrants"). Offenders also offend more where their neighbours have
become less likely to call than on day 0 (`reporting_deterrence`): choosing victims only moves crime
between residents, while a neighbourhood that stops calling loses deterrence and gets more of it
(Goncalves, Jacome & Weisburst 2024: Hispanic victimization rose under Secure Communities with no change
for others). A crime may have a witness: one of the victim's ties.

Both read the chance to report of the reporting rule in use (`model.report_probability`), day 0's reference
included, so a replacement reporting rule moves them too. Lost deterrence is an elasticity of a relative change:
`crime.reporting_deterrence` was chosen with the default rule, under which about 6 in 10 residents would not
report on day 0; a rule under which nearly everyone reports on day 0 turns a small rise in that share into a
large relative one, and wants the elasticity chosen again (docs/extending.md, "Replacing a built-in rule").
"""

from __future__ import annotations

import numpy as np

from model.compiled import compiled
from model.elementary import power
from model.neighbourhoods import Neighbourhoods
from model.rules import Rule
from model.sampling import IndependentTrials, draw_in_ranges

prange = range    # numba.prange once compiled (model.compiled)


class CommitCrimes(Rule):
    """Today's crimes: offenders, their victims, the crime type and a possible witness."""

    changes_beliefs = False

    def __init__(self, model):
        super().__init__(model)
        self.places = model.neighbourhoods.n
        self.unsafe0 = None   # per neighbourhood, mean chance a crime goes unreported on day 0 (set on day 0)
        self.offending = IndependentTrials()

    def step(self, day: int) -> None:
        m = self.model
        res, p = m.residents, m.params.crime
        free = res.free()
        chance_to_report = m.report_probability(violent=True)
        free_here, unreported = self.free_and_unreported(free, chance_to_report)
        offender = self.offenders(free, self.lost_deterrence(free_here, unreported))
        total = p.violent_per_1000 + p.property_per_1000
        violent = self.rng.random(len(offender)) < (p.violent_per_1000 / total if total > 0 else 0)
        if p.exploitation:
            victim = choose_victims(offender, free * power(1 - chance_to_report, p.exploitation), m.neighbourhoods,
                                    p.local_victim_share, self.rng)
        else:   # victims at random among the free: weight 1 each, the largest 1, by neighbourhood the free residents
            victim = choose_victims(offender, free.astype(float), m.neighbourhoods, p.local_victim_share, self.rng,
                                    by_place=free_here, top=1.0)
        ok = (victim >= 0) & (victim != offender)
        offender, victim, violent = offender[ok], victim[ok], violent[ok]
        witness = choose_witnesses(victim, offender, m.network.adjacency, free, p.witness_probability, self.rng)
        m.today.crimes = {"offender": offender, "victim": victim, "violent": violent, "witness": witness}
        m.outcomes.count(day, "offences", offender)
        m.outcomes.count(day, "victimizations", victim)
        m.outcomes.count(day, "violent_victimizations", victim[violent])

    def offenders(self, free: np.ndarray, lost_deterrence: np.ndarray) -> np.ndarray:
        """Free residents who offend today, each independently with chance propensity x their neighbourhood's lost
        deterrence (drawn at a cost that grows with the offenders, not the city: `IndependentTrials`)."""
        code = self.model.neighbourhoods.code
        return self.offending.draw(self.model.residents.propensity,
                                   lambda rows: np.where(free[rows], lost_deterrence[code[rows]], 0.0),
                                   float(lost_deterrence.max(initial=0.0)), self.rng)

    def free_and_unreported(self, free: np.ndarray, chance_to_report: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per neighbourhood, the free residents and the sum of their chances not to report a violent crime, added
        up in row order (with kernel=numba in one compiled pass over the neighbourhoods in parallel, the same
        numbers)."""
        places = self.model.neighbourhoods
        if self.model.kernel == "numba":
            residents, unreported = np.zeros(places.n), np.zeros(places.n)
            compiled(_free_and_unreported_rows)[0](places.start, places.stop, free, chance_to_report, residents,
                                                   unreported)
            return residents, unreported
        return (np.bincount(places.code, weights=free, minlength=places.n),
                np.bincount(places.code, weights=free * (1 - chance_to_report), minlength=places.n))

    def lost_deterrence(self, free_here: np.ndarray, unreported: np.ndarray) -> np.ndarray:
        """Per neighbourhood, how much more offenders offend than on day 0: (u / u0)^reporting_deterrence, with u
        the mean chance that a free resident there would not report a crime (u0 on day 0), from the count of free
        residents and the sum of their chances not to report (`free_and_unreported`)."""
        d = self.model.params.crime.reporting_deterrence
        if d == 0:
            return np.ones(self.places)
        unsafe = unreported / np.maximum(free_here, 1)
        if self.unsafe0 is None:
            self.unsafe0 = unsafe
        return power(np.divide(unsafe, self.unsafe0, out=np.ones(self.places), where=self.unsafe0 > 0), d)


def _free_and_unreported_rows(start, stop, free, chance_to_report, residents, unreported):
    for p in prange(len(start)):
        # sums in locals (registers), written once: adding into the arrays row by row chains every row through
        # memory, and neighbouring neighbourhoods' sums share a cache line between threads (4x slower at 100,000)
        count, total = 0.0, 0.0
        for i in range(start[p], stop[p]):
            count += free[i]
            total += free[i] * (1 - chance_to_report[i])
        residents[p], unreported[p] = count, total


def choose_victims(offender: np.ndarray, weight: np.ndarray, places: Neighbourhoods, local_share: float,
                   rng: np.random.Generator, by_place: np.ndarray | None = None,
                   top: float | None = None) -> np.ndarray:
    """A victim per offender, drawn with probability proportional to `weight`: from the offender's
    neighbourhood with chance `local_share` (if anyone there has weight), else city-wide; -1 if nobody has.
    `by_place` (the weight by neighbourhood) and `top` (the largest weight), if known, spare passes over it."""
    by_place = places.total(weight) if by_place is None else by_place
    if len(offender) == 0 or not by_place.sum() > 0:
        return np.full(len(offender), -1)
    nb = places.code[offender]
    local = (rng.random(len(offender)) < local_share) & (by_place[nb] > 0)
    lo = np.where(local, places.start[nb], 0)
    hi = np.where(local, places.stop[nb], len(weight))
    return draw_in_ranges(weight, lo, hi, rng, top=top)


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
