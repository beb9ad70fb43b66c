"""The words and colours of the workshop outputs: one home for scenario and group labels and colours, shared by
the figures, the report, the county-history figures and the interactive page (no plotting library needed)."""

from __future__ import annotations

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

# Groups in the report's line charts: greys and line styles, so they cannot be mistaken for scenarios.
GROUP_LINES = {"undocumented": ("Undocumented", "#000000", "-"),
               "latino": ("Latino residents", "#555555", "--"),
               "citizen_mixed_status": ("Citizens, mixed-status households", "#777777", "-."),
               "citizen_other": ("Other citizens", "#999999", ":")}
# Groups in the report's bar charts (line breaks fit the bars).
GROUPS = {
    "undocumented": "Undocumented",
    "lawful_resident": "Lawful residents\n(green card, visa)",
    "citizen_mixed_status": "Citizens in\nmixed-status homes",
    "citizen_other": "Other citizens",
}
# Groups on the interactive page, where line style tells the two compared scenarios apart, so groups need
# colours: four that are at least GROUP_COLOUR_DISTANCE from every scenario colour above and from each other
# (picked by that criterion from Paul Tol's and ColorBrewer's Dark2 palettes), so that no group line reads as
# a scenario of the report.
PAGE_GROUPS = {"undocumented": ("Undocumented", "#800000"),
               "citizen_mixed_status": ("Citizens, mixed-status homes", "#E7298A"),
               "latino": ("Latino residents", "#332288"),
               "citizen_other": ("Other citizens", "#66A61E")}
GROUP_COLOUR_DISTANCE = 30.0


# Groups in sentences.
GROUP_NAMES = {"all": "all residents", "undocumented": "undocumented residents", "citizen": "citizens",
               "lawful_resident": "lawful residents (green card, visa)", "citizen_mixed_status":
               "citizens in mixed-status homes", "citizen_other": "other citizens", "latino": "Latino residents",
               "latino_citizen": "Latino citizens", "mixed_status_household": "residents of mixed-status homes"}


def group_name(group: str) -> str:
    return GROUP_NAMES.get(group, f"the group {group}")


def colour(policy: str) -> str:
    return COLOURS.get(policy, "#000000")


def label(policy: str) -> str:
    return PLAIN.get(policy, policy)
