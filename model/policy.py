"""A local enforcement policy as a set of levers: the one home of every lever's name and meaning.

A scenario (conf/policy/*.yaml) is a `Policy` with its levers set; rules read the levers, never the name.
Each lever traces to the seed documents in docs/sources/seeds (see docs/parameters.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from model.declare import param, prob

STATUS_QUESTIONS = ("none", "booking", "stops")
ICE_REQUESTS = ("none", "detainer", "notification")
HONOUR = ("none", "warrant_only", "serious_only", "all")
PRIORITIES = ("all_removable", "convicted", "serious")


@dataclass
class Policy:
    """The levers of local participation in federal immigration enforcement.

    Attributes:
        name: label for tables and plots; rules never read it.
        status_questions: who is asked about immigration status: nobody, people booked into jail (287(g)
            jail model), or also people stopped on patrol (287(g) task force).
        pretext_arrests: officers may arrest someone solely to investigate status (seed 000 recommends not).
        fingerprint_sharing: bookings' fingerprints go to DHS and are matched (Secure Communities, PEP).
        ice_request: what ICE asks for a flagged person: a detainer (hold up to 48 h past release),
            a notification (release date only), or nothing.
        honour_requests: which requests the jail honours: all, only those with a judicial warrant, only
            those for people with a serious conviction (California TRUST Act 2014), none.
        priority: whom ICE pursues: every flagged person, those with a conviction, or with a serious one (PEP).
        victim_witness_protection: victims and witnesses are never asked their status; residents who know
            of it fear reporting less.
        outreach_rate: daily chance that a resident is reached by community outreach (1/day).
        profiling_monitoring: stop data are monitored and officers trained, which cuts excess profiling.
        saturation_patrol: share of patrol stops and discretionary arrests moved into the operation area
            (the neighbourhoods with the largest share of the profiled label; PolicingParams.operation_area_share).
    """

    name: str = "unnamed"
    status_questions: str = param("none", choices=STATUS_QUESTIONS)
    pretext_arrests: bool = False
    fingerprint_sharing: bool = False
    ice_request: str = param("none", choices=ICE_REQUESTS)
    honour_requests: str = param("none", choices=HONOUR)
    priority: str = param("all_removable", choices=PRIORITIES)
    victim_witness_protection: bool = False
    outreach_rate: float = prob(0.0)
    profiling_monitoring: bool = False
    saturation_patrol: float = prob(0.0)

    def asks_at_stops(self) -> bool:
        """Officers ask status during patrol stops (and at booking)."""
        return self.status_questions == "stops"

    def screens_at_booking(self) -> bool:
        """Trained officers ask the status of everyone booked into jail."""
        return self.status_questions in ("booking", "stops")

    def rewards_profiling(self) -> bool:
        """A stop can start immigration consequences: status questions at stops, or status arrests that
        bring fingerprints or a 287(g) screening (seed 002: pretextual arrests to get fingerprints taken)."""
        return self.asks_at_stops() or (self.pretext_arrests
                                        and (self.fingerprint_sharing or self.screens_at_booking()))
