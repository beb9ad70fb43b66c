"""The day log: what happened today, written by the rules that make it happen and read by the rules after.

Reset every morning. Besides today's crimes, it holds entries: the residents concerned, the
neighbourhood where it happened and a weight, by kind. The belief update reads these entries; the
outcome counters (model/outcomes.py) only count and never drive the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Kinds the built-in rules write and UpdateBeliefs reads; a rule of one's own may add kinds of its own.
POLICE_CONTACT = "police_contact"                    # a stop, a report, a witness's cooperation, a booking
IMMIGRATION_CONSEQUENCE = "immigration_consequence"  # a status question, an ICE request the jail honoured
ENFORCEMENT = "enforcement"                          # weighted: status question, hold, ICE custody, removal
UNFAIR_CONTACT = "unfair_contact"
FAIR_CONTACT = "fair_contact"                        # a case cleared, an outreach meeting
CLEARED_CASE = "cleared_case"                        # the victim of a cleared case


@dataclass
class DayLog:
    """Today's events, passed from rule to rule.

    `crimes` holds one entry per crime: offender, victim, violent, witness (-1 if none), then reported
    and cooperated (ReportCrimes) and cleared (InvestigateCrimes). Entries are added with `add` and read
    with `rows`, `places` and `weights`, each concatenated over the day in the order they were added.
    """

    crimes: dict[str, np.ndarray] = field(default_factory=dict)
    entries: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def add(self, kind: str, rows: np.ndarray, places: np.ndarray, weight: float | np.ndarray = 1.0) -> None:
        """Log residents `rows` for `kind`, at neighbourhoods `places`, each with `weight`."""
        if len(rows):
            weights = np.full(len(rows), float(weight)) if np.ndim(weight) == 0 else np.asarray(weight, dtype=float)
            self.entries.setdefault(kind, []).append((np.asarray(rows), np.asarray(places), weights))

    def rows(self, kind: str) -> np.ndarray:
        """Residents logged for `kind` today (repeated if logged more than once)."""
        return self._column(kind, 0, np.int64)

    def places(self, kind: str) -> np.ndarray:
        """Where each of `rows(kind)` happened (neighbourhood codes)."""
        return self._column(kind, 1, np.int64)

    def weights(self, kind: str) -> np.ndarray:
        """The weight of each of `rows(kind)`."""
        return self._column(kind, 2, float)

    def _column(self, kind: str, index: int, dtype) -> np.ndarray:
        parts = [entry[index] for entry in self.entries.get(kind, ())]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
