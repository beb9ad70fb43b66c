"""Model-level reporters for Mesa's DataCollector, read from the day's counters and end-of-day snapshots.

They never pass over agents: collecting every day costs the same at 1,000 or 10,000,000 residents. The model
collects once a day, after its end-of-day snapshot, so `model.datacollector.get_model_vars_dataframe()` has one
row per day. Add a reporter by adding an entry to `REPORTERS` (or override `CommunityTrustModel.reporters`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.model import CommunityTrustModel


def event_today(model: CommunityTrustModel, name: str, group: str = "all") -> float:
    """Today's count of an event (model.outcomes.EVENTS) among a group's residents."""
    return float(model.outcomes.events[name][model.day, model.outcomes.group_cells(group)].sum())


def unreported_today(model: CommunityTrustModel, group: str = "all") -> float:
    """Today's crimes against a group's residents that nobody reported."""
    return event_today(model, "victimizations", group) - event_today(model, "reported", group)


def mean_today(model: CommunityTrustModel, total: str, group: str = "all") -> float:
    """End-of-day mean over a group's present residents of a summed snapshot (trust_sum, fear_sum,
    report_prob_sum, less_likely), or NaN if none is present."""
    snap, cells = model.outcomes.snapshots, model.outcomes.group_cells(group)
    present = snap["residents"][model.day, cells].sum()
    return float(snap[total][model.day, cells].sum() / present) if present else float("nan")


REPORTERS = {
    "victimizations": partial(event_today, name="victimizations"),
    "reported": partial(event_today, name="reported"),
    "unreported": unreported_today,
    "clearances": partial(event_today, name="cleared"),
    "holds": partial(event_today, name="holds"),
    "removals": partial(event_today, name="removals"),
    "mean_trust": partial(mean_today, total="trust_sum"),
    "mean_fear": partial(mean_today, total="fear_sum"),
    "willingness_to_report": partial(mean_today, total="report_prob_sum"),
    "less_likely_share": partial(mean_today, total="less_likely"),
    "undocumented_mean_fear": partial(mean_today, total="fear_sum", group="undocumented"),
    "undocumented_willingness_to_report": partial(mean_today, total="report_prob_sum", group="undocumented"),
    "undocumented_less_likely_share": partial(mean_today, total="less_likely", group="undocumented"),
}
