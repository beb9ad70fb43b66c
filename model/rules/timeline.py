"""Policy timeline: a scenario may switch the local policy on given days (adopt on day 180, end on 540)."""

from __future__ import annotations

from model.rules import Rule


class ApplyPolicyTimeline(Rule):
    """At the start of a switch day, the city's policy becomes the one the timeline names."""

    changes_beliefs = False

    def step(self, day: int) -> None:
        for switch in self.model.params.timeline:
            if switch.day == day:
                self.model.set_policy(switch.policy)
