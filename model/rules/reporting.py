"""Reporting: victims decide whether to call the police, witnesses whether to cooperate.

The probability is logistic: the published base rate at reference trust and no fear, raised by trust
above the reference and lowered by fear of immigration consequences beyond a tolerance. Below the
tolerance a resident worries but still calls; above it each further unit of fear weighs fully, so
avoiding the police is close to all or nothing for the most fearful ("system avoidance", Brayne 2014),
which is what lets a survey's "less likely to call" share and the fall in reporting both hold (issue 15).
Where victims and witnesses are protected (never asked their status), a resident who knows of it feels
only part of that fear.
Where officers ask status at stops and victims are not protected, some reporters are asked too.

The probability is a service the reporting rule supplies to the whole model (`ReportingRule.probability`, which
keeps everyone's chance until their beliefs change, around `ReportingRule.compute`, the formula): victims'
choice by offenders, day-0 willingness, lost deterrence and the willingness outcomes all read it, so a rule that
replaces `ReportCrimes` and overrides `compute` changes all of them together.
"""

from __future__ import annotations

import math

import numpy as np

from model.compiled import called, compiled, exp_is_the_c_librarys
from model.daylog import POLICE_CONTACT
from model.elementary import logistic_of_negative
from model.params import ReportingParams
from model.rules import Rule
from model.rules.custody import ask_status

prange = range    # numba.prange once compiled (model.compiled)


def reporting_probability(base: float, trust: np.ndarray, fear: np.ndarray | None, knowledge: np.ndarray,
                          protected: bool, p: ReportingParams, trust_reference: float,
                          compiled_pass: bool = False) -> np.ndarray:
    """Chance to report (or cooperate):
    logit(base) + trust_weight*(trust - ref) - fear_weight*max(felt fear - fear_tolerance, 0); fear None: no fear.

    Computed in two buffers (whole-population calls run on up to 10,000,000 residents), in the order of
    operations of the formula, so that the result is the same to the last bit. `compiled_pass`: in one compiled
    pass on every core (numba; the same operations in the same order, so the same bits), the exponential too
    where a compiled one is the C library's to the bit (`model.compiled.exp_is_the_c_librarys`), else after the
    pass (`model.elementary`: the C library's exponential on every processor)."""
    constants = chance_constants(base, p, trust_reference)
    if compiled_pass:
        out, logistic = np.empty(len(trust)), exp_is_the_c_librarys()
        compiled(_chance_rows)[0](trust, np.zeros(0) if fear is None else fear, knowledge, fear is not None,
                                  protected, logistic, constants, out)
        return out if logistic else logistic_of_negative(out)
    logit = np.subtract(trust, trust_reference)
    logit *= p.trust_weight
    np.add(constants[0], logit, out=logit)
    if fear is not None:
        felt = fear_beyond_tolerance(fear, knowledge, protected, p)
        np.maximum(felt, 0.0, out=felt)
        felt *= p.fear_weight
        logit -= felt
    np.negative(logit, out=logit)
    return logistic_of_negative(logit)


def chance_constants(base: float, p: ReportingParams, trust_reference: float) -> tuple:
    """The numbers of `reporting_probability`'s formula as a compiled pass takes them (`minus_logits`)."""
    base = min(max(base, 1e-9), 1 - 1e-9)
    return (math.log(base / (1 - base)), float(trust_reference), float(p.trust_weight),
            float(p.protection_relief), float(p.fear_tolerance), float(p.fear_weight))


def fear_beyond_tolerance(fear: np.ndarray, knowledge: np.ndarray, protected: bool, p: ReportingParams) -> np.ndarray:
    """Felt fear minus the tolerance (negative within it): where victims and witnesses are protected, those who
    know it feel only part of their fear."""
    if not protected:
        return np.subtract(fear, p.fear_tolerance)
    felt = np.multiply(knowledge, p.protection_relief)
    np.subtract(1, felt, out=felt)
    felt *= fear
    felt -= p.fear_tolerance
    return felt


@called
def minus_logits(constants, protected, trust, fear, knowledge):
    """Minus the logit of one resident's chance to report, without fear and with it: `reporting_probability`'s
    operations, in its order (for compiled passes)."""
    logit_base, trust_reference, trust_weight, relief, tolerance, fear_weight = constants
    logit = logit_base + (trust - trust_reference) * trust_weight
    felt = (1 - knowledge * relief) * fear - tolerance if protected else fear - tolerance
    return -logit, -(logit - max(felt, 0.0) * fear_weight)


@called
def logistic_of_minus(x):
    """1 / (exp(x) + 1), as `logistic_of_negative` computes it (for compiled passes)."""
    return 1 / (math.exp(x) + 1)


def chances_with_and_without_fear(trust: np.ndarray, fear: np.ndarray, knowledge: np.ndarray, constants: tuple,
                                  protected: bool) -> tuple[np.ndarray, np.ndarray]:
    """Everyone's chance to report with fear and without, in one compiled pass, as `reporting_probability` computes
    each (`chance_constants` of its base); where fear takes nothing off, one exponential serves both."""
    chance, chance_without_fear, logistic = np.empty(len(trust)), np.empty(len(trust)), exp_is_the_c_librarys()
    compiled(_chance_pair_rows)[0](trust, fear, knowledge, constants, protected, logistic, chance, chance_without_fear)
    if not logistic:   # the pass wrote minus the logits
        return logistic_of_negative(chance), logistic_of_negative(chance_without_fear)
    return chance, chance_without_fear


def _chance_pair_rows(trust, fear, knowledge, constants, protected, logistic, chance, chance_without_fear):
    for i in prange(len(trust)):
        without, with_ = minus_logits(constants, protected, trust[i], fear[i], knowledge[i])
        if not logistic:
            chance[i], chance_without_fear[i] = with_, without
        else:
            chance[i] = logistic_of_minus(with_)
            chance_without_fear[i] = chance[i] if without == with_ else logistic_of_minus(without)


def _chance_rows(trust, fear, knowledge, with_fear, protected, logistic, constants, out):
    """The chance to report for every resident (`logistic`), or minus its logit."""
    for i in prange(len(trust)):
        without, with_ = minus_logits(constants, protected, trust[i], fear[i] if with_fear else 0.0, knowledge[i])
        x = with_ if with_fear else without
        out[i] = logistic_of_minus(x) if logistic else x


class ReportingRule(Rule):
    """A rule that decides reporting, and supplies the model's chance to report (`model.report_probability`).

    Everyone's chance (rows=None) is computed once per state of their beliefs and kept, read-only, until
    `Residents.beliefs_changed` says trust, fear or knowledge moved (victim choice and the end-of-day snapshot
    ask for it on the same beliefs)."""

    def __init__(self, model):
        super().__init__(model)
        self._everyone: dict[tuple, np.ndarray] = {}
        self._version, self._patched = -1, 0

    def probability(self, rows: np.ndarray | None = None, violent: bool = True, witness: bool = False,
                    without_fear: bool = False) -> np.ndarray:
        """Today's chance that residents (all, or `rows`) report a crime against them, or cooperate as witness;
        `without_fear`: the same chance if they feared no immigration consequences (trust as it is)."""
        if rows is not None:
            return self.compute(rows, violent, witness, without_fear)
        self._catch_up()
        key = (violent, witness, without_fear, self.model.policy.victim_witness_protection)
        if key not in self._everyone:
            chance = self._without_fear_from_kept(violent, witness, key[3]) if without_fear else None
            if chance is None:
                chance = self.compute(None, violent, witness, without_fear)
            chance.flags.writeable = False
            self._everyone[key] = chance
        return self._everyone[key]

    def _catch_up(self) -> None:
        """Drop what was kept if the beliefs moved since; recompute the rows of the residents who changed alone."""
        res = self.model.residents
        if res.beliefs_version != self._version:
            self._everyone, self._version, self._patched = {}, res.beliefs_version, 0
        protected = self.model.policy.victim_witness_protection
        if res.belief_patches[self._patched:]:    # a few residents changed: recompute those rows (of this policy's)
            self._everyone = {k: v for k, v in self._everyone.items() if k[3] == protected}
        for rows in res.belief_patches[self._patched:]:
            for (violent_, witness_, without_fear_, _), kept in self._everyone.items():
                kept.flags.writeable = True
                kept[rows] = self.compute(rows, violent_, witness_, without_fear_)
                kept.flags.writeable = False
        self._patched = len(res.belief_patches)

    def formula_for_everyone(self) -> tuple | None:
        """What a compiled pass over residents needs to compute everyone's chance to report a violent crime, with
        fear and without, as `compute` would (`chances_with_and_without_fear`): (constants, protected). None where
        `compute` (or `probability`) is overridden (a pass cannot know the replacement) or the model does not run
        compiled passes."""
        m = self.model
        replaced = (type(self).compute is not ReportingRule.compute
                    or type(self).probability is not ReportingRule.probability)
        if replaced or m.kernel != "numba":
            return None
        rp = m.params.reporting
        return (chance_constants(rp.violent_base, rp, m.params.beliefs.initial_trust_mean),
                m.policy.victim_witness_protection)

    def keep(self, chance: np.ndarray, chance_without_fear: np.ndarray, protected: bool) -> None:
        """Keep everyone's chance to report a violent crime, with fear and without, computed by another pass from
        the current beliefs with `formula_for_everyone` (so equal to what `compute` gives, bit for bit)."""
        self._catch_up()
        for without_fear, chance_ in ((False, chance), (True, chance_without_fear)):
            chance_.flags.writeable = False
            self._everyone[(True, False, without_fear, protected)] = chance_

    def _without_fear_from_kept(self, violent: bool, witness: bool, protected: bool) -> np.ndarray | None:
        """Everyone's chance without fear, from their kept chance with fear: the same number wherever a
        resident's fear is within their tolerance (the formula's fear term is then exactly 0), computed afresh
        for the others only (a few residents where there is little to fear; everyone else's exponential is
        saved). None if there is no kept chance, or if `compute` is not this formula."""
        kept = self._everyone.get((violent, witness, False, protected))
        if kept is None or type(self).compute is not ReportingRule.compute:
            return None
        res = self.model.residents
        fearful = np.flatnonzero(~(fear_beyond_tolerance(res.fear, res.knowledge, protected,
                                                          self.model.params.reporting) <= 0))
        chance = kept.copy()
        chance[fearful] = self.compute(fearful, violent, witness, without_fear=True)
        return chance

    def compute(self, rows: np.ndarray | None, violent: bool, witness: bool, without_fear: bool) -> np.ndarray:
        """The chance itself, from today's beliefs (`probability` without the cache); override this to change it."""
        m = self.model
        res, rp = m.residents, m.params.reporting
        sel = slice(None) if rows is None else rows
        base = rp.witness_base if witness else (rp.violent_base if violent else rp.property_base)
        fear = None if without_fear else res.fear[sel]
        return reporting_probability(base, res.trust[sel], fear, res.knowledge[sel],
                                     m.policy.victim_witness_protection, rp, m.params.beliefs.initial_trust_mean,
                                     compiled_pass=rows is None and m.kernel == "numba")


class ReportCrimes(ReportingRule):
    """Victims of today's crimes report or not; for reported crimes, witnesses cooperate or not."""

    changes_beliefs = False

    def step(self, day: int) -> None:
        m = self.model
        crimes = m.today.crimes
        if not crimes or len(crimes["victim"]) == 0:
            return
        victim, violent, witness = crimes["victim"], crimes["violent"], crimes["witness"]
        p_report = np.where(violent, m.report_probability(victim, violent=True),
                            m.report_probability(victim, violent=False))
        reported = self.rng.random(len(victim)) < p_report
        asked = reported & (witness >= 0)
        p_coop = m.report_probability(np.where(asked, witness, 0), witness=True)
        cooperated = asked & (self.rng.random(len(victim)) < p_coop)
        crimes["reported"], crimes["cooperated"] = reported, cooperated
        out = m.outcomes
        out.count(day, "reported", victim[reported])
        out.count(day, "reported_violent", victim[reported & violent])
        out.count(day, "witnesses_asked", witness[asked])
        out.count(day, "witnesses_cooperated", witness[cooperated])
        m.log(POLICE_CONTACT, victim[reported])
        m.log(POLICE_CONTACT, witness[cooperated])
        self._ask_status(day, np.concatenate([victim[reported], witness[cooperated]]))

    def _ask_status(self, day: int, contacts: np.ndarray) -> None:
        """Without protection, where officers ask at stops, some victims and witnesses are asked status too."""
        m = self.model
        if not m.policy.asks_at_stops() or m.policy.victim_witness_protection or len(contacts) == 0:
            return
        asked = contacts[self.rng.random(len(contacts)) < m.params.reporting.status_asked_at_report]
        ask_status(m, np.unique(asked), day, self.rng)
