"""Investigation: reported crimes share the officer hours in the bank; cooperation raises clearance.

Investigation hours come from the force's bank, which immigration work draws on too, so enforcement
duties take hours away from cases (seed 000: costs and strained resources). When the bank falls short
of what today's cases need, each case gets the same share of its hours (`coverage`) and its chance of
clearance shrinks by that share. A cleared case convicts and
books its offender (incapacitation), and is a fair contact for the victim that ties also hear of.
"""

from __future__ import annotations

import numpy as np

from model.daylog import CLEARED_CASE, FAIR_CONTACT
from model.rules import Rule
from model.rules.custody import book


class InvestigateCrimes(Rule):
    """Investigate reported crimes with the hours left; clear some; convict and book the offenders."""

    changes_beliefs = False

    def step(self, day: int) -> None:
        m = self.model
        crimes = m.today.crimes
        if not crimes.get("reported", np.zeros(0, dtype=bool)).any():
            return
        p, police = m.params.policing, m.police
        cases = np.flatnonzero(crimes["reported"])
        violent = crimes["violent"][cases]
        needed = np.where(violent, p.hours_per_violent_case, p.hours_per_property_case)
        coverage = min(1.0, police.bank / needed.sum()) if needed.sum() > 0 else 1.0
        hours = needed * coverage
        police.spend(hours.sum(), np.arange(len(police)), police.hours_investigation)
        victim, offender = crimes["victim"][cases], crimes["offender"][cases]
        m.outcomes.count(day, "investigated", victim[hours > 0])
        m.outcomes.count(day, "officer_hours_investigation", victim, hours)

        chance = np.where(violent, p.clearance_violent, p.clearance_property)
        chance = coverage * np.minimum(1.0, chance + p.witness_clearance_boost * crimes["cooperated"][cases])
        cleared = self.rng.random(len(cases)) < chance
        crimes["cleared"] = np.zeros(len(crimes["victim"]), dtype=bool)
        crimes["cleared"][cases[cleared]] = True
        m.outcomes.count(day, "cleared", victim[cleared])
        m.outcomes.count(day, "cleared_violent", victim[cleared & violent])
        np.add.at(police.total_cleared, self.rng.integers(0, len(police), int(cleared.sum())), 1)
        m.log(FAIR_CONTACT, victim[cleared])
        m.log(CLEARED_CASE, victim[cleared])
        self._convict(offender[cleared], violent[cleared], day)

    def _convict(self, offender: np.ndarray, violent: np.ndarray, day: int) -> None:
        """Convict and book cleared offenders (one booking per offender, the longest sentence)."""
        m = self.model
        res, p = m.residents, m.params.crime
        days = np.where(violent, p.sentence_days_violent, p.sentence_days_property)
        order = np.lexsort((-days, offender))
        offender, days, violent = offender[order], days[order], violent[order]
        first = np.ones(len(offender), dtype=bool)
        np.not_equal(offender[1:], offender[:-1], out=first[1:])
        any_violent = np.logical_or.reduceat(violent, np.flatnonzero(first)) if len(offender) else first
        offender, days = offender[first], days[first]
        res.convicted[offender] = True
        res.convicted_serious[offender] |= any_violent
        book(m, offender, day, days)
