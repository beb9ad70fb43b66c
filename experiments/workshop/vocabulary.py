"""The words and colours of the workshop outputs: one home for scenario and group labels and colours, shared by
the figures, the report, the county-history figures and the interactive page (no plotting library needed)."""

from __future__ import annotations

import textwrap

from experiments.runs.config import HISTORY_SCENARIOS, SCENARIO_ORDER

# Plain names of the scenarios, as a council member would say them.
PLAIN = {
    "decoupled": "No collaboration",
    "community_trust": "Community trust policy",
    "recommended_practice": "PERF / Police Foundation practice",
    "pep": "Priority Enforcement Program",
    "secure_communities": "Secure Communities",
    "287g_jail": "287(g) jail model",
    "287g_task_force": "287(g) task force",
    "detainers_declined": "Detainers declined (Cook 2011)",
    "trust_act": "TRUST Act: serious offences only",
}

# Okabe & Ito (2008) colour-blind-safe palette, one colour per scenario, least to most entangled, chosen so that
# the seven scenarios of the comparison differ by at least MIN_COLOUR_DISTANCE in CIE Lab (the three calm ones
# were three blues and greens).
COLOURS = dict(zip(SCENARIO_ORDER + HISTORY_SCENARIOS, ("#009E73", "#56B4E9", "#999999", "#F0E442", "#E69F00",
                                                         "#D55E00", "#CC79A7", "#000000", "#0072B2")))
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


def colour(policy: str) -> str:
    return COLOURS.get(policy, "#000000")


def label(policy: str) -> str:
    return PLAIN.get(policy, policy)
