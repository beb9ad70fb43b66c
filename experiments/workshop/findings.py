"""Key findings: plain sentences generated from a sweep's comparison table, for the report's first section.

Every sentence says what differs from the baseline, by how much (with its 95% interval), for whom, and
whether the difference is clear at the run's size and seeds; nothing here is written by hand about a
result. Shares are given in percentage points and as a relative change ("7 points lower (16% fewer)").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from experiments.runs.config import in_scenario_order, load_policy
from experiments.workshop.vocabulary import label
from model.declare import ParameterError
from model.params import OutcomeParams

DEFAULT_DROP = OutcomeParams().less_likely_drop


@dataclass(frozen=True)
class Outcome:
    """One headline outcome as the findings speak of it."""

    group: str
    metric: str
    what: str           # a noun phrase: "the share of crimes against Latino residents reported to police"
    kind: str           # "share" (0-1), "rate" (per 1,000 residents a year) or "count" (a year)


FINDINGS = (
    Outcome("latino", "less_likely_share_end", "the share of Latino residents less likely to call the police",
            "share"),
    Outcome("undocumented", "less_likely_share_end", "the share of undocumented residents less likely to call",
            "share"),
    Outcome("latino", "reporting_share", "the share of crimes against Latino residents reported to police", "share"),
    Outcome("all", "unreported_per_1000", "unreported crimes", "rate"),
    Outcome("latino", "victimizations_per_1000", "crimes against Latino residents", "rate"),
    Outcome("all", "victimizations_per_1000", "crimes against all residents", "rate"),
    Outcome("all", "removals", "removals from the city", "count"),
    Outcome("all", "wrongly_held", "citizens and lawful residents wrongly held for immigration", "count"),
)

def less_likely_meaning(drop: float = DEFAULT_DROP) -> str:
    """What "less likely to call" means, with the run's cut-off (outcomes.less_likely_drop)."""
    return (f'"Less likely to call" means a resident\'s chance of reporting a violent crime is more than {drop:.0%} '
            "below what it would be if they feared no immigration consequences (Theodore 2013 asked whether people "
            "were less likely to call for fear that officers would ask about status).")


class Table:
    """The comparison table (comparison.parquet as a dict of columns), looked up by scenario, group and metric."""

    def __init__(self, columns: dict[str, list]):
        self.t = columns
        self.rows = {(p, g, m): i for i, (p, g, m) in enumerate(zip(columns["policy"], columns["group"],
                                                                     columns["metric"]))}
        self.baseline = next((b for b in columns.get("baseline", []) if b), "")
        self.policies = in_scenario_order(columns["policy"])

    def get(self, policy: str, group: str, metric: str, column: str = "mean") -> float:
        i = self.rows.get((policy, group, metric))
        return math.nan if i is None else float(self.t[column][i])

    def others(self) -> list[str]:
        return [p for p in self.policies if p != self.baseline]


def key_findings(columns: dict[str, list]) -> list[str]:
    """Five to eight sentences, one per headline outcome the table holds, baseline first."""
    table = Table(columns)
    if not table.baseline:
        return []
    return [s for s in (finding(table, o) for o in FINDINGS) if s]


def finding(table: Table, o: Outcome) -> str:
    """'<What> is highest under X: <value> against <value> under the baseline (<change>); also clearly
    different under ...; no clear difference under ...' or, if no scenario differs clearly, say so."""
    base = table.get(table.baseline, o.group, o.metric)
    scenarios = [p for p in table.others() if not math.isnan(table.get(p, o.group, o.metric, "diff"))]
    if math.isnan(base) or not scenarios:
        return ""
    clear = [p for p in scenarios if table.get(p, o.group, o.metric, "resolved") == 1]
    unclear = [p for p in scenarios if p not in clear]
    by_size = sorted(clear or scenarios, key=lambda p: -abs(table.get(p, o.group, o.metric, "diff")))
    top = by_size[0]
    if not clear:
        return (f"{_capital(o.what)}: no clear difference from {label(table.baseline)} under any scenario at this "
                f"run's size (largest: {label(top)}, {change(table, top, o)}).")
    text = (f"{_capital(o.what)}: the largest difference is under {label(top)}, "
            f"{pair(o.kind, table.get(top, o.group, o.metric), base)} under {label(table.baseline)} "
            f"({change(table, top, o)})")
    if len(by_size) > 1:
        text += "; also clearly different under " + ", ".join(f"{label(p)} ({change(table, p, o, interval=False)})"
                                                                for p in by_size[1:])
    if unclear:
        text += "; no clear difference under " + ", ".join(label(p) for p in unclear)
    return text + "."


def pair(kind: str, x: float, base: float) -> str:
    """'48.0 against 40.3 per 1,000 residents a year': a scenario's value and the baseline's, one unit."""
    if kind == "share":
        return f"{x:.0%} against {base:.0%}"
    unit = "per 1,000 residents a year" if kind == "rate" else "a year"
    return f"{x:,.1f} against {base:,.1f} {unit}"


def change(table: Table, policy: str, o: Outcome, interval: bool = True) -> str:
    """A difference from the baseline in plain words: points and relative change for shares, with the 95%
    interval of the difference."""
    base = table.get(table.baseline, o.group, o.metric)
    d, lo, hi = (table.get(policy, o.group, o.metric, c) for c in ("diff", "diff_low", "diff_high"))
    # a relative change from a near-empty baseline (0.6% to 94%) says nothing the two values do not
    relative = f"{abs(d) / base:.0%} {'more' if d > 0 else 'fewer'}" if base > 0 and abs(d) <= 2 * base else ""
    if o.kind == "share":
        text = f"{abs(d) * 100:.1f} points {'higher' if d > 0 else 'lower'}" + (f", {relative}" if relative else "")
        bounds = f"{lo * 100:+.1f} to {hi * 100:+.1f} points"
    else:
        unit = " per 1,000" if o.kind == "rate" else ""
        text = f"{d:+.1f}{unit}" + (f", {relative}" if relative else "")
        bounds = f"{lo:+.1f} to {hi:+.1f}"
    return f"{text}; 95% interval {bounds}" if interval and not math.isnan(lo) else text


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def surprises(columns: dict[str, list], drop: float = DEFAULT_DROP) -> list[str]:
    """Explanations of what surprised readers, from the same numbers: why many residents 'less likely to call'
    move unreported crime little, and why calm scenarios still spend officer hours and remove people."""
    table = Table(columns)
    if not table.baseline:
        return []
    explained = [why_reporting_moves_little(table, drop)] + [why_it_costs(table, p) for p in table.others()]
    return [s for s in explained if s]


def why_reporting_moves_little(table: Table, drop: float = DEFAULT_DROP) -> str:
    """For the scenario where the most Latino residents are less likely to call but city-wide unreported crime
    rises least in proportion."""
    def ratio(p):
        rise = (table.get(p, "all", "unreported_per_1000", "diff")
                / table.get(table.baseline, "all", "unreported_per_1000"))
        return rise / table.get(p, "latino", "less_likely_share_end", "diff")
    clear = [p for p in table.others() if table.get(p, "latino", "less_likely_share_end", "resolved") == 1
             and table.get(p, "latino", "less_likely_share_end", "diff") >= 0.2]
    if not clear:
        return ""
    p = min(clear, key=ratio)
    g = lambda group, metric, policy=p: table.get(policy, group, metric)   # noqa: E731
    residents = g("latino", "residents_start") / g("all", "residents_start")
    victims = residents * g("latino", "victimizations_per_1000") / g("all", "victimizations_per_1000")
    before, after = g("latino", "reporting_share", table.baseline), g("latino", "reporting_share")
    unreported = table.get(p, "all", "unreported_per_1000", "diff")
    less_likely = g("latino", "less_likely_share_end") - g("latino", "less_likely_share_end", table.baseline)
    fall = (before - after) / before
    return (f"Why do so many residents 'less likely to call' change unreported crime so little? Under {label(p)}, "
            f"{g('latino', 'less_likely_share_end'):.0%} of Latino residents are less likely to call (a chance to "
            f"report more than {drop:.0%} below what it would be without fear), and the share of crimes against Latino "
            f"residents that are reported is {after:.0%} against {before:.0%} under {label(table.baseline)} "
            f"({abs(after - before) * 100:.0f} points, {abs(fall):.0%} {'fewer' if fall > 0 else 'more'}): about what "
            f"it would be if those less likely to call reported {_fraction(fall / less_likely)} less. But Latino "
            f"residents are {residents:.0%} of the city's residents and suffer {victims:.0%} of its crimes, so "
            f"unreported crimes city-wide change by {unreported:+.1f} per 1,000 residents a year "
            f"({unreported / table.get(table.baseline, 'all', 'unreported_per_1000'):+.0%}).")


def _fraction(x: float) -> str:
    """0.62 -> 'about three fifths'; a percentage where no common fraction is near."""
    words = {0.25: "a quarter", 1 / 3: "a third", 0.5: "half", 0.6: "three fifths", 2 / 3: "two thirds",
             0.75: "three quarters"}
    nearest = min(words, key=lambda w: abs(w - x))
    return f"about {words[nearest]}" if abs(nearest - x) < 0.04 else f"about {x:.0%}"


def why_it_costs(table: Table, p: str) -> str:
    """For a scenario that limits cooperation (officers never ask status, the jail declines some ICE requests):
    which levers still bring officer hours and removals."""
    try:
        policy = load_policy(p)
    except ParameterError:   # a scenario from another config folder, or a timeline: its levers are not here
        return ""
    hours = table.get(p, "all", "officer_hours_immigration")
    extra = table.get(p, "all", "removals", "diff")
    limits = policy.status_questions == "none" and policy.honour_requests != "all"
    if not limits or not (hours > 0 or table.get(p, "all", "removals", "resolved") == 1):
        return ""
    g = lambda metric: table.get(p, "all", metric)   # noqa: E731
    levers = []
    if policy.fingerprint_sharing:
        levers.append("the fingerprints of everyone booked into the jail still go to DHS (the sharing is federal), "
                      "so ICE learns of people it may remove and arrests some of them itself")
    if policy.ice_request != "none":
        what = {"warrant_only": "only those that come with a judicial warrant",
                "serious_only": "only those for people with a serious conviction", "none": "none of them"}
        levers.append(f"ICE sends {policy.ice_request}s, and each takes officer time to process even though the "
                      f"jail honours {what[policy.honour_requests]}")
    if not levers:
        return ""
    requests = g("detainers") + g("notifications")
    return (f"Why does '{label(p)}' spend officer hours and remove people? Officers never ask about status, but "
            + "; and ".join(levers) + f". So {g('removals'):.1f} removals a year ({g('removals_after_booking'):.1f} "
            f"after a jail booking, {g('removals_at_large'):.1f} at large, {g('removals_after_stop'):.1f} after a "
            f"stop), {extra:+.1f} against {label(table.baseline)}, where ICE's own arrests remove "
            f"{table.get(table.baseline, 'all', 'removals'):.1f}; and {hours:.0f} officer hours a year on "
            f"{requests:.0f} requests.")
