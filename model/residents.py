"""Resident state as columns: one numpy array per attribute, one row per resident.

Rules work on whole columns; the `Resident` Mesa agent (agents.py) is a view onto one row.
Categorical attributes are stored as small integer codes (`Status`, `State`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from model.declare import ParameterError


class Status(IntEnum):
    """Immigration status. Order matches params.STATUSES."""

    CITIZEN = 0
    LAWFUL_PERMANENT_RESIDENT = 1
    TEMPORARY_VISA = 2
    UNDOCUMENTED = 3


class IceSource(IntEnum):
    """How ICE first learned of a resident: a booking's screening (fingerprints or a 287(g) interview), a
    status question on patrol or at a report, or its own arrest at large."""

    NONE = 0
    BOOKING = 1
    STOP = 2
    AT_LARGE = 3


class State(IntEnum):
    """Where a resident is: free, in local jail, held past release for ICE, in ICE custody, or removed."""

    FREE = 0
    JAILED = 1
    HELD_FOR_ICE = 2
    ICE_CUSTODY = 3
    REMOVED = 4


@dataclass
class Residents:
    """All residents' attributes, indexed by row. Households occupy contiguous rows, neighbourhoods too.

    Static: status, household, ethnicity (index into `labels`), neighbourhood, mixed (lives in a
    household with undocumented and non-undocumented members), citizen_family (has a U.S.-citizen spouse or
    child at home; by default, anyone living with a citizen other than themselves), dhs_record (fingerprints in
    DHS's immigration databases: non-citizens and naturalized citizens; by default, non-citizens),
    vulnerability (own or ties' immigration
    risk, 0..1), attention (0..1, how much second-hand news of enforcement reaches and moves the resident),
    propensity (daily probability of offending).
    Dynamic: trust, fear, knowledge (0..1); state; release_day (day the current custody phase ends);
    convicted, convicted_serious; ice_flagged (ICE believes removable), ice_source (IceSource: how ICE
    learned of the resident), ice_request (0 none, 1 detainer, 2 notification), request_warrant; trust0 and
    report0 (day-0 trust and reporting probability).
    """

    labels: tuple[str, ...]
    status: np.ndarray
    household: np.ndarray
    ethnicity: np.ndarray
    neighbourhood: np.ndarray
    mixed: np.ndarray
    citizen_family: np.ndarray | None = None
    dhs_record: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.status)
        self.vulnerability = np.zeros(n)
        self.attention = np.zeros(n)
        self.propensity = np.zeros(n)
        self.trust = np.zeros(n)
        self.trust0 = np.zeros(n)
        self.fear = np.zeros(n)
        self.knowledge = np.zeros(n)
        self.report0 = np.zeros(n)
        self.state = np.zeros(n, dtype=np.int8)
        self.release_day = np.zeros(n, dtype=np.int32)
        self.convicted = np.zeros(n, dtype=bool)
        self.convicted_serious = np.zeros(n, dtype=bool)
        self.ice_flagged = np.zeros(n, dtype=bool)
        self.ice_source = np.zeros(n, dtype=np.int8)
        if self.citizen_family is None:
            self.citizen_family = self.lives_with_citizen()
        if self.dhs_record is None:
            self.dhs_record = self.status != Status.CITIZEN
        self.ice_request = np.zeros(n, dtype=np.int8)
        self.request_warrant = np.zeros(n, dtype=bool)
        self.beliefs_version = 0
        self._with_status: dict = {}    # with_status(): the status column it was made from, and rows by status
        self.belief_patches: list[np.ndarray] = []   # rows changed since the version last moved, in order

    def __len__(self) -> int:
        return len(self.status)

    def add_columns(self, columns: dict[str, tuple[type, float]], owner: str) -> None:
        """Add columns a rule declares (`Rule.resident_columns`: name -> (dtype, initial value))."""
        for name, (dtype, initial) in columns.items():
            if hasattr(self, name):
                raise ParameterError(f"{owner}.resident_columns: {name!r} is already a resident column; "
                                     "choose another name.")
            setattr(self, name, np.full(len(self), initial, dtype=dtype))

    def lives_with_citizen(self) -> np.ndarray:
        """Residents whose household holds a U.S. citizen other than themselves."""
        citizen = (self.status == Status.CITIZEN).astype(float)
        citizens_at_home = np.bincount(self.household, weights=citizen)[self.household] if len(citizen) else citizen
        return citizens_at_home - citizen > 0

    def labelled(self, label: str) -> np.ndarray:
        """Residents whose household carries ethnicity label `label`."""
        return self.ethnicity == self.labels.index(label)

    def present(self) -> np.ndarray:
        """Residents still in the city (not removed)."""
        return self.state != int(State.REMOVED)   # int(): see `free`

    def free(self) -> np.ndarray:
        """Residents at liberty in the city: they can offend, be victimized, be stopped."""
        # int(): against an IntEnum member numpy widens the int8 column first, 10x slower at 1,000,000 residents
        return self.state == int(State.FREE)

    def with_status(self, status: Status) -> np.ndarray:
        """Rows of residents with immigration `status`, ascending (kept until the status column changes)."""
        kept = self._with_status
        if not np.array_equal(kept.get("status", ()), self.status):
            kept.clear()
            kept["status"] = self.status.copy()
        if status not in kept:
            kept[status] = np.flatnonzero(self.status == int(status))
        return kept[status]

    def due(self, state: State, day: int) -> np.ndarray:
        """Residents in `state` (custody of some kind) whose time there ends by `day` (`release_day`), in row order."""
        rows = np.flatnonzero(self.state == int(state))   # a few; then their release days
        return rows[self.release_day[rows] <= day]

    def removable(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Who the law lets ICE remove (of all residents, or of `rows`): undocumented residents, and lawful
        non-citizens with a serious conviction."""
        status = self.status if rows is None else self.status[rows]
        serious = self.convicted_serious if rows is None else self.convicted_serious[rows]
        lawful_noncitizen = (status == int(Status.LAWFUL_PERMANENT_RESIDENT)) | (status == int(Status.TEMPORARY_VISA))
        return (status == int(Status.UNDOCUMENTED)) | (lawful_noncitizen & serious)

    def beliefs_changed(self, rows: np.ndarray | None = None) -> None:
        """Say that trust, fear or knowledge changed (of everyone, or of `rows` only), so that what was computed
        from them (the kept chance to report, `ReportingRule.probability`) is computed again, for those rows.
        The model calls it after every rule whose `changes_beliefs` is True; a rule that declares False and
        still changes them calls it itself."""
        if rows is None:
            self.beliefs_version += 1
            self.belief_patches = []
        else:
            self.belief_patches.append(np.asarray(rows))
