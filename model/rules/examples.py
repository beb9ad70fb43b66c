"""A worked example of extending the model with a rule of one's own (docs/extending.md walks through it).

Victims who reported a crime that was not cleared lose some trust: an unanswered call is a bad
experience, and bad experiences weigh more than good ones (Skogan 2006). The rule counts those calls as
an outcome of its own (`unanswered_calls`, a column of the daily table and a total in the summary) and
keeps each resident's count in a resident column of its own (`unanswered_calls`). Add it after the
investigation:

    python -m experiments.run \\
        +rule_changes.after.InvestigateCrimes=model.rules.examples.UnsolvedCaseDisillusion \\
        +rule_params.UnsolvedCaseDisillusion.trust_loss=0.1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.declare import prob
from model.rules import Rule


class UnsolvedCaseDisillusion(Rule):
    """Victims whose reported crime was not cleared today lose a share of their trust."""

    counted_events = ("unanswered_calls",)
    resident_columns = {"unanswered_calls": (np.int32, 0)}

    @dataclass
    class Params:
        trust_loss: float = prob(0.05, "assumption: share of trust lost after an unsolved reported crime")

    def step(self, day: int) -> None:
        m = self.model
        crimes = m.today.crimes
        reported = crimes.get("reported", np.zeros(0, dtype=bool))
        if not reported.any():
            return
        cleared = crimes.get("cleared", np.zeros(len(reported), dtype=bool))
        unsolved = crimes["victim"][reported & ~cleared]
        m.residents.trust[unsolved] *= 1 - self.params.trust_loss
        np.add.at(m.residents.unanswered_calls, unsolved, 1)
        m.outcomes.count(day, "unanswered_calls", unsolved)
