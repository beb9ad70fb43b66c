"""Jail and custody: booking, status questions, releases, detainer holds and hand-overs to ICE.

`book` and `ask_status` are the one place where a booking or a status question happens; the rules
that arrest or question (patrol, reporting, investigation) call them. `ProcessCustody` is the daily rule
that releases people from jail, honours or declines ICE's requests per the local policy, and lets the
ICE link finish custody and arrest people at large.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.agents import flag
from model.daylog import IMMIGRATION_CONSEQUENCE, POLICE_CONTACT
from model.residents import IceSource, State
from model.rules import Rule

if TYPE_CHECKING:
    from model.model import CommunityTrustModel

DETAINER, NOTIFICATION = 1, 2


def book(m: CommunityTrustModel, rows: np.ndarray, day: int, jail_days: int | np.ndarray,
         for_immigration: bool = False) -> None:
    """Book free residents into jail for `jail_days`; per policy, ICE screens them and may send a request."""
    res = m.residents
    keep = res.state[rows] == State.FREE
    rows = rows[keep]
    if len(rows) == 0:
        return
    days = np.full(len(rows), jail_days) if np.ndim(jail_days) == 0 else np.asarray(jail_days)[keep]
    res.state[rows] = State.JAILED
    res.release_day[rows] = day + days
    m.outcomes.count(day, "bookings", rows)
    m.log(POLICE_CONTACT, rows)
    if for_immigration:
        m.outcomes.count(day, "jail_days_immigration", rows, days.astype(float))
    if m.policy.screens_at_booking():
        m.ice.screen(rows, day, by_officers=True)
    if m.policy.fingerprint_sharing:
        m.ice.screen(rows, day, by_officers=False)
    m.ice.request(rows, day)


def ask_status(m: CommunityTrustModel, rows: np.ndarray, day: int, rng: np.random.Generator) -> None:
    """Officers ask `rows` their status. Those found removable (rightly, or by a screening error) are
    arrested for it where policy allows arrests solely to investigate status, and otherwise referred to ICE."""
    if len(rows) == 0:
        return
    res = m.residents
    m.outcomes.count(day, "status_checks", rows)
    m.log(IMMIGRATION_CONSEQUENCE, rows)
    m.charge_immigration_hours(day, rows, m.params.policing.hours_per_status_check)
    m.record_enforcement_event(rows, m.params.beliefs.event_weight_status_check)
    mistaken = rng.random(len(rows)) < m.params.enforcement.screening_error_rate
    found = rows[res.removable(rows) | mistaken]
    if m.policy.pretext_arrests:   # a status arrest: ICE learns of them through the booking it leads to
        first = found[res.ice_source[found] == IceSource.NONE]
        book(m, found, day, m.params.policing.minor_jail_days, for_immigration=True)
        res.ice_source[first[res.ice_flagged[first]]] = IceSource.STOP
    else:
        flag(res, found, IceSource.STOP)


class ProcessCustody(Rule):
    """Each morning: ICE finishes custody, holds end, the jail releases people (honouring ICE's requests
    per policy), and ICE arrests flagged people at large."""

    changes_beliefs = False

    def step(self, day: int) -> None:
        m = self.model
        m.ice.finish_custody(day)
        self._end_holds(day)
        self._release_from_jail(day)
        m.ice.arrest_at_large(day)

    def _end_holds(self, day: int) -> None:
        m = self.model
        res = m.residents
        due = res.due(State.HELD_FOR_ICE, day)
        picked = self.rng.random(len(due)) < m.params.enforcement.pickup_after_hold
        self._free(due[~picked])
        m.ice.take_custody(due[picked], day, already_held=True)

    def _release_from_jail(self, day: int) -> None:
        m = self.model
        res, p = m.residents, m.params.enforcement
        due = res.due(State.JAILED, day)
        if len(due) == 0:
            return
        honoured = self.honoured(due)
        is_detained = honoured & (res.ice_request[due] == DETAINER)
        is_notified = honoured & (res.ice_request[due] == NOTIFICATION)
        detained, notified = due[is_detained], due[is_notified]
        is_picked = self.rng.random(len(notified)) < p.pickup_after_notification
        picked = notified[is_picked]
        cooperated = np.concatenate([detained, notified])
        m.outcomes.count(day, "ice_cooperation", cooperated)
        m.log(IMMIGRATION_CONSEQUENCE, cooperated)
        stays = is_detained.copy()   # with ICE from here: the detained, and the notified ICE picks up
        stays[np.flatnonzero(is_notified)[is_picked]] = True
        self._free(due[~stays])
        self._hold(detained, day)
        m.ice.take_custody(picked, day)

    def honoured(self, rows: np.ndarray) -> np.ndarray:
        """Which pending ICE requests the jail honours under the current policy."""
        honour = self.model.policy.honour_requests
        if honour == "all":
            return np.ones(len(rows), dtype=bool)
        if honour == "warrant_only":
            return self.model.residents.request_warrant[rows].copy()
        if honour == "serious_only":
            return self.model.residents.convicted_serious[rows].copy()
        return np.zeros(len(rows), dtype=bool)

    def _hold(self, rows: np.ndarray, day: int) -> None:
        """Honour detainers: hold past release for ICE, at the locality's cost."""
        m = self.model
        res, hold_days = m.residents, m.params.enforcement.hold_days
        res.state[rows] = State.HELD_FOR_ICE
        res.release_day[rows] = day + hold_days
        m.outcomes.count(day, "holds", rows)
        m.outcomes.count(day, "holds_without_warrant", rows[~res.request_warrant[rows]])
        m.outcomes.count(day, "jail_days_immigration", rows, float(hold_days))
        m.outcomes.count(day, "wrongly_held", rows[~res.removable(rows)])
        m.record_enforcement_event(rows, m.params.beliefs.event_weight_custody)

    def _free(self, rows: np.ndarray) -> None:
        res = self.model.residents
        res.state[rows] = State.FREE
        res.ice_request[rows] = 0
