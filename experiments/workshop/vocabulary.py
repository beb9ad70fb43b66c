"""The words and colours of the workshop outputs: group labels and colours, and scenarios' (read from their
files), shared by the figures, the report, the county-history figures and the interactive page (no plotting
library needed)."""

from __future__ import annotations

import textwrap

from experiments.runs.scenarios import colour, label

__all__ = ["colour", "label"]   # a scenario's label and colour live in its file (experiments.runs.scenarios)

# The compared scenarios' colours (conf/policy/*.yaml) differ from each other by at least this in CIE Lab.
MIN_COLOUR_DISTANCE = 30.0   # CIE76 delta E; 2.3 is a just-noticeable difference, 30 is told apart at a glance

# Groups: one label each (figures, tables) and one name in sentences.
GROUP_LABELS = {"all": "All residents", "undocumented": "Undocumented",
                "lawful_resident": "Lawful residents (green card, visa)",
                "citizen_mixed_status": "Citizens, mixed-status homes", "citizen_other": "Other citizens",
                "latino": "Latino residents", "latino_citizen": "Latino citizens (~US-born)"}
GROUP_NAMES = {"all": "all residents", "undocumented": "undocumented residents", "citizen": "citizens",
               "lawful_resident": "lawful residents (green card, visa)",
               "citizen_mixed_status": "citizens in mixed-status homes", "citizen_other": "other citizens",
               "latino": "Latino residents", "latino_citizen": "Latino citizens",
               "mixed_status_household": "residents of mixed-status homes"}
# Where colour tells groups apart (the interactive page, the county histories): colours at least
# GROUP_COLOUR_DISTANCE from every scenario colour above and from each other (picked by that criterion from Paul
# Tol's and ColorBrewer's Dark2 palettes and a brown), so that no group line reads as a scenario of the report.
GROUP_COLOURS = {"undocumented": "#800000", "citizen_mixed_status": "#E7298A", "latino": "#332288",
                 "citizen_other": "#66A61E", "latino_citizen": "#5D4037"}
GROUP_COLOUR_DISTANCE = 30.0
# The report's line charts: greys and line styles, so that groups cannot be mistaken for scenarios.
GROUP_LINES = {g: (GROUP_LABELS[g], grey, style) for g, grey, style in (
    ("undocumented", "#000000", "-"), ("latino", "#555555", "--"), ("citizen_mixed_status", "#777777", "-."),
    ("citizen_other", "#999999", ":"))}
# The report's bar charts (labels wrapped to fit under a bar).
GROUPS = {g: textwrap.fill(GROUP_LABELS[g], 18, break_on_hyphens=False) for g in
          ("undocumented", "lawful_resident", "citizen_mixed_status", "citizen_other")}
# The interactive page's groups, with their colours (line style tells the two compared scenarios apart there).
PAGE_GROUPS = {g: (GROUP_LABELS[g], GROUP_COLOURS[g]) for g in
               ("undocumented", "citizen_mixed_status", "latino", "citizen_other")}


def group_name(group: str) -> str:
    return GROUP_NAMES.get(group, f"the group {group}")
