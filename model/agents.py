"""Mesa agents: residents and officers as views onto column stores, and the ICE link.

A `Resident` reads and writes its row of `model.residents`, so `resident.trust` is the same number the
array rules update; an `Officer` does the same with `model.police`. The `IceLink` is the federal side of
enforcement, one agent with its own behaviour: it screens what bookings send it, flags, requests, takes
custody and removes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from model.daylog import IMMIGRATION_CONSEQUENCE
from model.residents import IceSource, State, Status
from model.sampling import distinct

if TYPE_CHECKING:
    from model.model import CommunityTrustModel


BELIEFS = ("trust", "fear", "knowledge")   # what the kept chance to report is computed from


class Column:
    """A read/write property onto row `agent.row` of the column `name` in the store `model.<store>`."""

    def __init__(self, store: str, kind: type | None = None):
        self.store, self.kind = store, kind

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        value = getattr(getattr(agent.model, self.store), self.name)[agent.row]
        return self.kind(value) if self.kind else value.item()

    def __set__(self, agent: Any, value: Any) -> None:
        store = getattr(agent.model, self.store)
        getattr(store, self.name)[agent.row] = value
        if self.name in BELIEFS:
            store.beliefs_changed(np.array([agent.row]))


class RowAgent(mesa.Agent):
    """A Mesa agent that is a view onto row `row` of a column store (its `Column` properties say which)."""

    def __init__(self, model: CommunityTrustModel, row: int):
        super().__init__(model)
        self.row = row


class Resident(RowAgent):
    """A person living in the city, with an immigration status, a household, beliefs and a legal state.

    Residents offend (by propensity), may be victimized, report or not, witness and cooperate or not,
    are stopped and booked, and may be flagged, held and removed. Their trust in police and fear of
    immigration consequences move with what happens to them and to their ties.
    """

    status = Column("residents", Status)
    state = Column("residents", State)
    household = Column("residents", int)
    neighbourhood = Column("residents", int)
    mixed = Column("residents", bool)
    trust = Column("residents", float)
    fear = Column("residents", float)
    knowledge = Column("residents", float)
    propensity = Column("residents", float)
    vulnerability = Column("residents", float)
    attention = Column("residents", float)
    convicted = Column("residents", bool)

    @property
    def ethnicity(self) -> str:
        """The resident's ethnicity label (e.g. 'latino')."""
        res = self.model.residents
        return res.labels[res.ethnicity[self.row]]

    def reporting_probability(self, violent: bool = True) -> float:
        """Chance this resident would report a crime against them today."""
        return float(self.model.report_probability(np.array([self.row]), violent=violent)[0])

    def ties(self) -> list[Resident]:
        """The residents this one is tied to (household and community)."""
        return [self.model.resident(r) for r in self.model.network.neighbours(self.row)]

    def __repr__(self) -> str:
        return (f"Resident(row={self.row}, {self.status.name.lower()}, {self.ethnicity}, "
                f"trust={self.trust:.2f}, fear={self.fear:.2f}, {self.state.name.lower()})")


class PoliceForce:
    """Officers' hours and activity as columns (one row per officer), and the force's investigation hours.

    Investigation hours accrue daily into a bank capped at `bank_days` days' worth, because detectives
    work a case over several days; immigration work and cases draw from the same bank.
    """

    def __init__(self, n: int, investigation_hours_per_officer: float, bank_days: float):
        self.daily_investigation_hours = n * investigation_hours_per_officer
        self.bank_cap = self.daily_investigation_hours * bank_days
        self.bank = self.bank_cap
        self.hours_immigration = np.zeros(n)
        self.hours_investigation = np.zeros(n)
        self.stops = np.zeros(n, dtype=np.int64)
        self.total_stops = np.zeros(n, dtype=np.int64)
        self.total_cleared = np.zeros(n, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.hours_immigration)

    def start_day(self) -> None:
        """New shift: today's hours go into the bank; today's counters back to zero."""
        self.bank = min(self.bank + self.daily_investigation_hours, self.bank_cap)
        self.total_stops += self.stops
        self.hours_immigration[:] = 0
        self.hours_investigation[:] = 0
        self.stops[:] = 0

    def spend(self, hours: float, officers: np.ndarray, column: np.ndarray) -> None:
        """Take `hours` from the bank, charged evenly to `officers` in the given per-officer column."""
        self.bank = max(0.0, self.bank - hours)
        if len(officers):
            np.add.at(column, officers, hours / len(officers))


class Officer(RowAgent):
    """A sworn officer: patrols and stops residents, answers and investigates reported crimes.

    Immigration work (status questions, 287(g) screening, ICE requests) is charged to the officer's
    hours and drawn from the force's investigation-hours bank (`PoliceForce`), so it leaves fewer hours
    for cases; it is never refused for lack of hours (the bank stops at zero).
    """

    hours_immigration = Column("police", float)
    hours_investigation = Column("police", float)
    stops = Column("police", int)
    total_stops = Column("police", int)
    total_cleared = Column("police", int)

    def __repr__(self) -> str:
        return f"Officer(row={self.row}, stops today={self.stops}, immigration hours={self.hours_immigration:.1f})"


class IceLink(mesa.Agent):
    """Immigration and Customs Enforcement as seen from the city: one agent that acts on what it is sent.

    It receives 287(g) screenings and, when sharing is on, bookings' fingerprints matched against its
    databases (which miss some removable people and falsely match some people on record there: lawful
    residents and naturalized citizens),
    flags those it believes removable (undocumented residents, and lawful non-citizens with a serious
    conviction), and asks the jail for a detainer or a notification for those its
    priority filter selects. It takes custody when handed a person, removes those the law lets it remove,
    frees those wrongly held, and arrests flagged people at large.
    """

    def __init__(self, model: CommunityTrustModel):
        super().__init__(model)
        self.stream = model.stream("ice")

    def screen(self, rows: np.ndarray, day: int, by_officers: bool) -> None:
        """Learn the status of people booked: by a 287(g) interview, or by fingerprint match."""
        if len(rows) == 0:
            return
        m = self.model
        res, p = m.residents, m.params.enforcement
        removable = res.removable(rows)
        if by_officers:
            flagged = removable | (self.stream.random(len(rows)) < p.screening_error_rate)
            m.charge_immigration_hours(day, rows, m.params.policing.hours_per_booking_screen)
            m.outcomes.count(day, "status_checks", rows)
            m.log(IMMIGRATION_CONSEQUENCE, rows)
            m.record_enforcement_event(rows, m.params.beliefs.event_weight_status_check)
        else:
            hit = self.stream.random(len(rows))
            on_record = res.dhs_record[rows]   # a U.S.-born citizen's fingerprints match nothing in DHS's databases
            flagged = np.where(removable, hit < p.db_match_rate, on_record & (hit < p.db_false_match_rate))
        flag(res, rows[flagged], IceSource.BOOKING)

    def request(self, rows: np.ndarray, day: int) -> None:
        """Issue the policy's request (detainer or notification) for flagged people that meet ICE's priority."""
        m = self.model
        policy, res = m.policy, m.residents
        if policy.ice_request == "none" or len(rows) == 0:
            return
        wanted = rows[res.ice_flagged[rows] & self.priority(rows)]
        kind = 1 if policy.ice_request == "detainer" else 2
        res.ice_request[wanted] = kind
        res.request_warrant[wanted] = self.stream.random(len(wanted)) < m.params.enforcement.warrant_share
        m.outcomes.count(day, "detainers" if kind == 1 else "notifications", wanted)
        m.charge_immigration_hours(day, wanted, m.params.policing.hours_per_ice_request)

    def priority(self, rows: np.ndarray) -> np.ndarray:
        """Which of `rows` ICE's current priority filter selects."""
        res, priority = self.model.residents, self.model.policy.priority
        if priority == "convicted":
            return res.convicted[rows]
        if priority == "serious":
            return res.convicted_serious[rows]
        return np.ones(len(rows), dtype=bool)

    def take_custody(self, rows: np.ndarray, day: int, already_held: bool = False) -> None:
        """Move people into ICE custody; those ICE may not remove are freed after an error review.

        `already_held` people come from a detainer hold and were counted as wrongly held there.
        """
        if len(rows) == 0:
            return
        m = self.model
        res, p = m.residents, m.params.enforcement
        removable = res.removable(rows)
        res.state[rows] = State.ICE_CUSTODY
        res.release_day[rows] = day + np.where(removable, p.days_to_removal, p.days_to_release_error)
        res.ice_request[rows] = 0
        self.count_by_record(day, "ice_custody", rows)
        if not already_held:
            m.outcomes.count(day, "wrongly_held", rows[~removable])
        m.record_enforcement_event(rows, m.params.beliefs.event_weight_custody)

    def finish_custody(self, day: int) -> None:
        """At the end of custody: remove those removable, free the others."""
        m = self.model
        res = m.residents
        due = res.due(State.ICE_CUSTODY, day)
        if len(due) == 0:
            return
        removable = res.removable(due)
        removed, freed = due[removable], due[~removable]
        res.state[removed] = State.REMOVED
        res.state[freed] = State.FREE
        res.ice_flagged[freed] = False
        res.ice_source[freed] = IceSource.NONE
        self.count_by_record(day, "removals", removed)
        m.record_enforcement_event(removed, m.params.beliefs.event_weight_custody)

    def arrest_at_large(self, day: int) -> None:
        """Arrest flagged people at liberty (priority permitting), and some undocumented people on its own."""
        m = self.model
        res, p = m.residents, m.params.enforcement
        flagged = np.flatnonzero(res.ice_flagged)   # a few: then which of them are free
        flagged = flagged[res.state[flagged] == State.FREE]
        flagged = flagged[self.priority(flagged) & (self.stream.random(len(flagged)) < p.at_large_rate)]
        undocumented = res.with_status(Status.UNDOCUMENTED)
        undocumented = undocumented[res.state[undocumented] == State.FREE]
        own = undocumented[self.stream.random(len(undocumented)) < p.background_rate / 365]
        flag(res, own, IceSource.AT_LARGE)
        self.take_custody(distinct(np.concatenate([flagged, own])), day)

    def count_by_record(self, day: int, name: str, rows: np.ndarray) -> None:
        """Count ICE custody or removals (`name`): in all, by how ICE learned of the person (after a booking,
        after a stop or report, at large), by conviction (violent, other, none), and of people with a U.S.-citizen
        spouse or child at home: the splits the published record uses (Kohli, Markowitz & Chavez 2011)."""
        out, res = self.model.outcomes, self.model.residents
        source, convicted, violent = res.ice_source[rows], res.convicted[rows], res.convicted_serious[rows]
        out.count(day, name, rows)
        out.count(day, f"{name}_after_booking", rows[source == IceSource.BOOKING])
        out.count(day, f"{name}_after_stop", rows[source == IceSource.STOP])
        out.count(day, f"{name}_at_large", rows[(source == IceSource.AT_LARGE) | (source == IceSource.NONE)])
        out.count(day, f"{name}_convicted_violent", rows[violent])
        out.count(day, f"{name}_convicted_other", rows[convicted & ~violent])
        out.count(day, f"{name}_no_conviction", rows[~convicted])
        out.count(day, f"{name}_citizen_family", rows[res.citizen_family[rows]])


def flag(res, rows: np.ndarray, source: IceSource) -> None:
    """ICE now believes `rows` removable; how it learned of each is kept from the first time."""
    res.ice_flagged[rows] = True
    first = rows[res.ice_source[rows] == IceSource.NONE]
    res.ice_source[first] = source
