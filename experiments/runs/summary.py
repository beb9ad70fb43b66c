"""Plain-text summaries of result tables for the terminal."""

from __future__ import annotations

import math

import pyarrow as pa

GROUPS = ("all", "undocumented", "lawful_permanent_resident", "citizen_mixed_status", "citizen_other", "latino")
COLUMNS = (
    ("victimizations_per_1000", "victims/1k/yr", "{:.1f}"),
    ("reporting_share", "reported", "{:.0%}"),
    ("witness_cooperation", "witness coop", "{:.0%}"),
    ("violent_clearance_rate", "violent cleared", "{:.0%}"),
    ("mean_trust_end", "trust", "{:.2f}"),
    ("mean_fear_end", "fear", "{:.2f}"),
    ("less_likely_share_end", "less likely to call", "{:.0%}"),
    ("removals", "removals", "{:.0f}"),
    ("wrongly_held", "wrongly held", "{:.0f}"),
)


def format_summary(summary: pa.Table, title: str) -> str:
    """A fixed-width table of headline outcomes for the main groups of one run."""
    rows = {g: i for i, g in enumerate(summary.column("group").to_pylist())}
    data = {name: summary.column(name).to_pylist() for name, _, _ in COLUMNS}
    width = max(len(g) for g in GROUPS) + 2
    header = "group".ljust(width) + "".join(label.rjust(max(len(label), 8) + 2) for _, label, _ in COLUMNS)
    lines = [title, header, "-" * len(header)]
    for group in GROUPS:
        if group not in rows:
            continue
        cells = []
        for name, label, fmt in COLUMNS:
            value = data[name][rows[group]]
            text = "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else fmt.format(value)
            cells.append(text.rjust(max(len(label), 8) + 2))
        lines.append(group.ljust(width) + "".join(cells))
    return "\n".join(lines)
