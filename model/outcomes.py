"""Outcomes counted where events happen, per day and per cell, and assembled into tables once at the end.

A cell is a combination of status x mixed-status household x ethnicity label; every reported group
(undocumented residents, citizens in mixed-status households, Latino residents, ...) is a union of cells,
so rules count into a small (days, cells) array and no agent is scanned to make the tables.
A few events are also counted by neighbourhood and week, and residents' beliefs are summed by
neighbourhood at the end of each week, for the neighbourhood table.
Tables are plain dicts of equal-length numpy columns; the model knows nothing of files.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from model.compiled import compiled
from model.declare import ParameterError
from model.neighbourhoods import Neighbourhoods
from model.params import STATUSES
from model.residents import Residents, State, Status

prange = range    # numba.prange once compiled (model.compiled)

EVENTS = (
    "offences",                   # crimes committed, by the offender's group
    "victimizations",             # crimes suffered, by the victim's group
    "violent_victimizations",
    "reported",                   # crimes reported by their victims
    "reported_violent",
    "witnesses_asked",            # witnesses of reported crimes approached by police
    "witnesses_cooperated",
    "investigated",               # reported crimes that got investigation hours
    "cleared",                    # reported crimes cleared (by the victim's group)
    "cleared_violent",
    "stops",                      # patrol stops, by the stopped person's group
    "status_checks",              # status questions asked (stops, reports, bookings)
    "bookings",                   # people booked into the local jail
    "detainers",                  # ICE detainers issued
    "notifications",              # ICE notification requests issued
    "ice_cooperation",            # ICE requests the jail honoured (holds, and release dates given)
    "holds",                      # detainer holds past release honoured by the jail
    "holds_without_warrant",      # ... of which without a judicial warrant (the locality's liability)
    "ice_custody",                # transfers into ICE custody
    "wrongly_held",               # people ICE may not remove who were held or taken into custody
    "removals",
    # ICE custody and removals split as the record splits them (IceLink.count_by_record): by how ICE learned of
    # the person, by conviction, and of people with a U.S.-citizen spouse or child at home
    *(f"{name}_{split}" for name in ("ice_custody", "removals")
      for split in ("after_booking", "after_stop", "at_large", "convicted_violent", "convicted_other",
                    "no_conviction", "citizen_family")),
    "jail_days_immigration",      # local jail-days spent holding people for immigration reasons
    "officer_hours_immigration",  # officer hours spent on immigration work (attributed to the person concerned)
    "officer_hours_investigation",
    "outreach_contacts",
)

SNAPSHOTS = ("residents", "free", "jailed", "held_for_ice", "in_ice_custody", "removed",
             "trust_sum", "fear_sum", "knowledge_sum", "report_prob_sum", "would_not_call", "less_likely")

# counted by neighbourhood (where the resident concerned lives) and week too
PLACE_EVENTS = ("victimizations", "reported", "stops", "status_checks", "bookings", "holds", "ice_custody", "removals")
PLACE_SNAPSHOTS = ("residents", "undocumented", "trust_sum", "fear_sum", "report_prob_sum", "report0_sum",
                   "less_likely")
WEEK = 7

SUMMARY_TOTALS = ("status_checks", "bookings", "detainers", "notifications", "ice_cooperation", "holds",
                  "holds_without_warrant", "ice_custody", "wrongly_held", "removals",
                  *(e for e in EVENTS if e.startswith(("ice_custody_", "removals_"))), "jail_days_immigration",
                  "officer_hours_immigration", "officer_hours_investigation", "outreach_contacts")


class Outcomes:
    """Per-day, per-cell counters and snapshots of one run."""

    def __init__(self, residents: Residents, days: int, places: Neighbourhoods, extra_events=()):
        self.labels = residents.labels
        self.n_labels = len(self.labels)
        self.n_cells = 8 * self.n_labels
        self.cell = ((residents.status.astype(np.int64) * 2 + residents.mixed) * self.n_labels
                     + residents.ethnicity).astype(np.int64)
        self.days = days
        clash = sorted(set(extra_events) & set(EVENTS + SNAPSHOTS))
        if clash:
            raise ParameterError(f"counted_events: {', '.join(clash)} is already an outcome; choose another name.")
        self.event_names = EVENTS + tuple(dict.fromkeys(extra_events))
        self.events = {name: np.zeros((days, self.n_cells)) for name in self.event_names}
        self.snapshots = {name: np.zeros((days, self.n_cells)) for name in SNAPSHOTS}
        self.place = residents.neighbourhood
        self.places = places
        self.operation_area = places.operation_area
        self.n_places, self.weeks = places.n, -(-days // WEEK)
        self.place_events = {name: np.zeros((self.weeks, self.n_places)) for name in PLACE_EVENTS}
        self.place_snapshots = {name: np.zeros((self.weeks, self.n_places))
                                for name in (*PLACE_SNAPSHOTS, *(f"{label}_residents" for label in self.labels))}
        self.area_change = np.zeros((2, self.n_cells))    # end of run: sum of willingness change, in/out of area
        self.area_residents = np.zeros((2, self.n_cells))

    def count(self, day: int, name: str, rows: np.ndarray, weights: np.ndarray | float | None = None) -> None:
        """Add events for the residents in `rows` (one each, or `weights` each) to today's counter."""
        if len(rows) == 0:
            return
        if weights is not None and np.ndim(weights) == 0:
            weights = np.full(len(rows), float(weights))
        self.events[name][day] += np.bincount(self.cell[rows], weights=weights, minlength=self.n_cells)
        if name in self.place_events:
            self.place_events[name][day // WEEK] += np.bincount(self.place[rows], weights=weights,
                                                                minlength=self.n_places)

    def record_state(self, day: int, res: Residents, report_prob: np.ndarray, report_prob_without_fear: np.ndarray,
                     would_not_call: float, less_likely_drop: float, fused: bool = False) -> None:
        """Snapshot today's population by state and its beliefs, per cell. "Less likely to call": a chance to
        report more than `less_likely_drop` (relative) below what it would be without fear of immigration
        consequences (Theodore 2013 asked whether respondents were less likely to contact the police for fear
        that officers would ask about their or their acquaintances' immigration status). `fused`: in one
        compiled pass (numba), with the same numbers bit for bit."""
        present = res.present()
        if fused:
            by_state, sums, would_not, less_likely_count, less_likely = _snapshot_fused(
                self.cell_runs, self.n_cells, res, present, report_prob, report_prob_without_fear, would_not_call,
                less_likely_drop)
        else:
            by_state, sums, would_not, less_likely_count, less_likely = _snapshot(
                self.cell, self.n_cells, self.places, res, present, report_prob, report_prob_without_fear,
                would_not_call, less_likely_drop)
        snap = self.snapshots
        for name, state in (("free", State.FREE), ("jailed", State.JAILED), ("held_for_ice", State.HELD_FOR_ICE),
                            ("in_ice_custody", State.ICE_CUSTODY), ("removed", State.REMOVED)):
            snap[name][day] = by_state[:, state]
        snap["residents"][day] = by_state[:, :State.REMOVED].sum(axis=1)
        for k, name in enumerate(SUMMED):
            snap[name][day] = sums[:, k]
        snap["would_not_call"][day] = would_not
        snap["less_likely"][day] = less_likely_count
        if day % WEEK == WEEK - 1 or day == self.days - 1:
            self._record_places(day // WEEK, res, present, report_prob, less_likely)
        if day == self.days - 1:
            self._record_area_change(present, report_prob - res.report0)

    def _record_places(self, week: int, res: Residents, present: np.ndarray, report_prob: np.ndarray,
                       less_likely: np.ndarray) -> None:
        """This week's residents and beliefs by neighbourhood."""
        total, snap = self.places.total, self.place_snapshots
        snap["residents"][week] = total(present)
        snap["undocumented"][week] = total(present & (res.status == int(Status.UNDOCUMENTED)))
        for code, label in enumerate(self.labels):
            snap[f"{label}_residents"][week] = total(present & (res.ethnicity == code))
        for name, values in (("trust_sum", res.trust), ("fear_sum", res.fear), ("report_prob_sum", report_prob),
                             ("report0_sum", res.report0)):
            snap[name][week] = total(np.where(present, values, 0.0))
        snap["less_likely"][week] = total(less_likely)

    def _record_area_change(self, present: np.ndarray, change: np.ndarray) -> None:
        """End of run: change in willingness to report since day 0, by cell, inside and outside the operation area."""
        key = self.operation_area[self.place[present]] * self.n_cells + self.cell[present]
        self.area_change[:] = np.bincount(key, weights=change[present], minlength=2 * self.n_cells).reshape(2, -1)
        self.area_residents[:] = np.bincount(key, minlength=2 * self.n_cells).reshape(2, -1)

    @cached_property
    def cell_runs(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows of each neighbourhood cell by cell, each cell's in row order, and where each (neighbourhood,
        cell) starts in them (for the compiled snapshot; cells and neighbourhoods do not change in a run)."""
        key = self.places.code.astype(np.int64) * self.n_cells + self.cell
        order = np.argsort(key, kind="stable")
        return order, np.searchsorted(key[order], np.arange(self.n_places * self.n_cells + 1))

    # ---- groups and tables -------------------------------------------------------------------------------

    @cached_property
    def group_masks(self) -> dict[str, np.ndarray]:
        """`groups()`, computed once (the groups depend only on the cells)."""
        return self.groups()

    def group_cells(self, group: str) -> np.ndarray:
        """The cells of a named group (a boolean mask)."""
        return self.group_masks[group]

    def groups(self) -> dict[str, np.ndarray]:
        """Named groups as boolean masks over cells."""
        return groups_over_cells(self.labels)

    def daily_table(self) -> dict[str, np.ndarray]:
        """One row per day and group: counts of events, residents by state, mean beliefs and survey shares."""
        cols: dict[str, list] = {"day": [], "group": []}
        for name, mask in self.groups().items():
            g = {k: v[:, mask].sum(axis=1) for k, v in {**self.events, **self.snapshots}.items()}
            cols["day"].append(np.arange(self.days))
            cols["group"].append(np.full(self.days, name, dtype=object))
            residents = g["residents"]
            derived = {
                "mean_trust": _ratio(g["trust_sum"], residents),
                "mean_fear": _ratio(g["fear_sum"], residents),
                "mean_knowledge": _ratio(g["knowledge_sum"], residents),
                "willingness_to_report": _ratio(g["report_prob_sum"], residents),
                "would_not_call_share": _ratio(g["would_not_call"], residents),
                "less_likely_share": _ratio(g["less_likely"], residents),
            }
            for k, v in [*((k, g[k]) for k in ("residents", "free", "jailed", "held_for_ice", "in_ice_custody",
                                                "removed")), *derived.items(), *((k, g[k]) for k in self.event_names)]:
                cols.setdefault(k, []).append(v)
        return {k: np.concatenate(v) for k, v in cols.items()}

    def summary_table(self) -> dict[str, np.ndarray]:
        """One row per group for the whole run: rates per 1,000 residents a year, shares, end beliefs, totals."""
        groups = self.groups()
        total = {k: v.sum(axis=0) for k, v in self.events.items()}
        start = self.snapshots["residents"][0]
        end = {k: v[-1] for k, v in self.snapshots.items()}
        per_year = 1000 * 365 / self.days
        all_stop_rate = _ratio(total["stops"].sum(), start.sum())
        rows = []
        for name, mask in groups.items():
            t = {k: v[mask].sum() for k, v in total.items()}
            n0, n1 = start[mask].sum(), end["residents"][mask].sum()
            row = {
                "group": name,
                "residents_start": n0,
                "residents_end": n1,
                "offences_per_1000": _ratio(t["offences"] * per_year, n0),
                "victimizations_per_1000": _ratio(t["victimizations"] * per_year, n0),
                "violent_victimizations_per_1000": _ratio(t["violent_victimizations"] * per_year, n0),
                "unreported_per_1000": _ratio((t["victimizations"] - t["reported"]) * per_year, n0),
                "reporting_share": _ratio(t["reported"], t["victimizations"]),
                "violent_reporting_share": _ratio(t["reported_violent"], t["violent_victimizations"]),
                "witness_cooperation": _ratio(t["witnesses_cooperated"], t["witnesses_asked"]),
                "clearance_rate": _ratio(t["cleared"], t["reported"]),
                "violent_clearance_rate": _ratio(t["cleared_violent"], t["reported_violent"]),
                "stops_per_1000": _ratio(t["stops"] * per_year, n0),
                "stop_rate_ratio": _ratio(_ratio(t["stops"], n0), all_stop_rate),
                "mean_trust_start": _ratio(self.snapshots["trust_sum"][0][mask].sum(), n0),
                "mean_trust_end": _ratio(end["trust_sum"][mask].sum(), n1),
                "mean_fear_end": _ratio(end["fear_sum"][mask].sum(), n1),
                "mean_knowledge_end": _ratio(end["knowledge_sum"][mask].sum(), n1),
                "willingness_to_report_start": _ratio(self.snapshots["report_prob_sum"][0][mask].sum(), n0),
                "willingness_to_report_end": _ratio(end["report_prob_sum"][mask].sum(), n1),
                "would_not_call_share_end": _ratio(end["would_not_call"][mask].sum(), n1),
                "less_likely_share_end": _ratio(end["less_likely"][mask].sum(), n1),
                "willingness_change_operation_area": _ratio(self.area_change[1][mask].sum(),
                                                            self.area_residents[1][mask].sum()),
                "willingness_change_elsewhere": _ratio(self.area_change[0][mask].sum(),
                                                       self.area_residents[0][mask].sum()),
                **{k: t[k] for k in SUMMARY_TOTALS + self.event_names[len(EVENTS):]},
            }
            rows.append(row)
        return {k: np.array([r[k] for r in rows], dtype=object if k == "group" else float) for k in rows[0]}


    def neighbourhood_table(self) -> dict[str, np.ndarray]:
        """One row per neighbourhood and week: residents and their mix, mean beliefs, willingness to report and
        its change since day 0, and the week's crimes and enforcement events where the residents concerned live."""
        week, place = np.divmod(np.arange(self.weeks * self.n_places), self.n_places)
        snap = {k: v.ravel() for k, v in self.place_snapshots.items()}
        residents = snap["residents"]
        cols = {
            "neighbourhood": place,
            "week": week,
            "last_day": np.minimum((week + 1) * WEEK, self.days) - 1,
            "operation_area": self.operation_area[place],
            "residents": residents,
            "undocumented_share": _ratio(snap["undocumented"], residents),
            **{f"{label}_share": _ratio(snap[f"{label}_residents"], residents) for label in self.labels},
            "mean_trust": _ratio(snap["trust_sum"], residents),
            "mean_fear": _ratio(snap["fear_sum"], residents),
            "willingness_to_report": _ratio(snap["report_prob_sum"], residents),
            "willingness_change": _ratio(snap["report_prob_sum"] - snap["report0_sum"], residents),
            "less_likely_share": _ratio(snap["less_likely"], residents),
        }
        cols.update({name: v.ravel() for name, v in self.place_events.items()})
        return cols


SUMMED = ("trust_sum", "fear_sum", "knowledge_sum", "report_prob_sum")   # summed over present residents per cell


def _snapshot(cell, n_cells, places, res, present, report_prob, report_prob_without_fear, would_not_call, drop):
    """Per cell: residents by state, sums of beliefs and chance over present residents, how many present would
    not call (chance below `would_not_call`) and how many are less likely to call; and who they are. The sums
    are added up in each neighbourhood first (in row order), then over neighbourhoods in order (`_in_order`), so
    that the compiled form can take the neighbourhoods in parallel and give the same numbers to the bit."""
    by_state = np.bincount(cell * 5 + res.state, minlength=n_cells * 5).reshape(n_cells, 5)
    cells_here = cell[present]   # selected once: the sums below run over present residents only
    here = places.code[present] * n_cells + cells_here
    partial = np.stack([np.bincount(here, weights=values[present], minlength=places.n * n_cells)
                        for values in (res.trust, res.fear, res.knowledge, report_prob)], axis=-1)
    would_not = np.bincount(cells_here[report_prob[present] < would_not_call], minlength=n_cells)
    less_likely = present & less_likely_to_call(report_prob, report_prob_without_fear, drop)
    return (by_state, _in_order(partial.reshape(places.n, n_cells, len(SUMMED))), would_not,
            np.bincount(cell[less_likely], minlength=n_cells), less_likely)


def _in_order(partial: np.ndarray) -> np.ndarray:
    """Sums over neighbourhoods (axis 0) added one neighbourhood after another (an accumulation, not numpy's
    pairwise sum)."""
    return np.cumsum(partial, axis=0)[-1] if len(partial) else np.zeros(partial.shape[1:])


def _snapshot_fused(cell_runs, n_cells, res, present, report_prob, report_prob_without_fear, would_not_call, drop):
    """`_snapshot` in one compiled pass, the neighbourhoods in parallel. `cell_runs` (`Outcomes.cell_runs`) lists
    each neighbourhood's rows cell by cell, each cell's in row order, so that a cell's sums are added in registers
    in the order bincount adds them: the same numbers to the bit."""
    order, run_start = cell_runs
    n = (len(run_start) - 1) // n_cells
    by_state, partial = np.zeros((n, n_cells, 5), dtype=np.int64), np.zeros((n, n_cells, len(SUMMED)))
    would_not, less_likely_count = np.zeros((n, n_cells), dtype=np.int64), np.zeros((n, n_cells), dtype=np.int64)
    less_likely = np.empty(len(order), dtype=bool)
    (rows,) = compiled(_snapshot_rows)
    rows(run_start, order, n_cells, int(State.FREE), res.state, present, res.trust, res.fear, res.knowledge,
         report_prob, report_prob_without_fear, float(would_not_call), 1 - drop, by_state, partial, would_not,
         less_likely_count, less_likely)
    return (by_state.sum(axis=0), _in_order(partial), would_not.sum(axis=0), less_likely_count.sum(axis=0),
            less_likely)


def _snapshot_rows(run_start, order, n_cells, free, state, present, trust, fear, knowledge, chance,
                   chance_without_fear, would_not_call, keep, by_state, sums, would_not, less_likely_count,
                   less_likely):
    for p in prange((len(run_start) - 1) // n_cells):
        for c in range(n_cells):
            # one cell of one neighbourhood: its sums and counts in registers (adding into the arrays row by row
            # chained every row to the one before through memory: most neighbours share a cell)
            lo, hi = run_start[p * n_cells + c], run_start[p * n_cells + c + 1]
            trust_sum, fear_sum, knowledge_sum, chance_sum = 0.0, 0.0, 0.0, 0.0
            at_liberty, would_not_here, less_likely_here = hi - lo, 0, 0
            for k in range(lo, hi):
                i = order[k]
                if state[i] != free:   # a few: counted by state, and taken from those at liberty
                    by_state[p, c, state[i]] += 1
                    at_liberty -= 1
                less_likely[i] = False
                if not present[i]:
                    continue
                trust_sum += trust[i]
                fear_sum += fear[i]
                knowledge_sum += knowledge[i]
                chance_sum += chance[i]
                # counted without branches: under enforcement a fifth of residents are less likely to call, and a
                # branch the processor cannot predict cost a third of the pass at 100,000 residents
                would_not_here += chance[i] < would_not_call
                unlikelier = chance[i] < chance_without_fear[i] * keep
                less_likely[i] = unlikelier
                less_likely_here += unlikelier
            by_state[p, c, free] = at_liberty
            sums[p, c, 0], sums[p, c, 1], sums[p, c, 2], sums[p, c, 3] = trust_sum, fear_sum, knowledge_sum, chance_sum
            would_not[p, c], less_likely_count[p, c] = would_not_here, less_likely_here


def less_likely_to_call(chance: np.ndarray, chance_without_fear: np.ndarray, drop: float) -> np.ndarray:
    """Who is "less likely to call": a chance to report more than `drop` (relative) below the same resident's
    chance without fear of immigration consequences (Theodore 2013's question; OutcomeParams.less_likely_drop)."""
    return chance < chance_without_fear * (1 - drop)


def _ratio(num, den):
    """num / den, NaN where den is 0."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return out if out.ndim else float(out)


def groups_over_cells(labels: list[str]) -> dict[str, np.ndarray]:
    """Named groups as boolean masks over the cells (status x mixed-status household x ethnicity label) of a city
    with these ethnicity labels: which group holds which residents, whatever the run."""
    n_labels = len(labels)
    c = np.arange(len(STATUSES) * 2 * n_labels)
    status, mixed, label = c // (2 * n_labels), (c // n_labels) % 2, c % n_labels
    citizen = status == Status.CITIZEN
    groups = {"all": np.ones(len(c), dtype=bool)}
    groups.update({name: status == code for code, name in enumerate(STATUSES)})
    groups["lawful_resident"] = (status == Status.LAWFUL_PERMANENT_RESIDENT) | (status == Status.TEMPORARY_VISA)
    groups["citizen_mixed_status"] = citizen & (mixed == 1)
    groups["citizen_other"] = citizen & (mixed == 0)
    groups["mixed_status_household"] = mixed == 1
    for code, name in enumerate(labels):
        groups[name] = label == code
        groups[f"{name}_citizen"] = (label == code) & citizen
    return groups


def is_subgroup(part: str, whole: str, labels: list[str]) -> bool:
    """Whether every resident of group `part` is in group `whole` (in any city with these ethnicity labels)."""
    groups = groups_over_cells(labels)
    return bool(not (groups[part] & ~groups[whole]).any())
