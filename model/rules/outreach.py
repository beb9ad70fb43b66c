"""Outreach: community meetings reach residents, who then know the local policy and meet police fairly.

The policy's `outreach_rate` is each resident's daily chance of being reached (seed 002: PERF recommends
that police engage their communities in dialogue about their policies). What they learn spreads along
ties in the belief update.
"""

from __future__ import annotations

from model.daylog import FAIR_CONTACT
from model.rules import Rule


class HoldOutreach(Rule):
    """Reach a random share of residents today: knowledge of the policy to full, a fair contact."""

    changes_beliefs = False

    def step(self, day: int) -> None:
        m = self.model
        rate, res = m.policy.outreach_rate, m.residents
        if rate <= 0:
            return
        reached = self.rng.choice(len(res), self.rng.binomial(len(res), rate), replace=False)
        reached = reached[res.present()[reached]]
        res.knowledge[reached] = 1.0
        res.beliefs_changed(reached)
        m.log(FAIR_CONTACT, reached)
        m.outcomes.count(day, "outreach_contacts", reached)
