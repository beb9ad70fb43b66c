"""Workshop figures from a sweep's tables: one figure per question a council asks.

    python -m experiments.figures results/sweeps/<name> [--baseline decoupled]

Reads only the tables the runs wrote (summary, daily, neighbourhoods) and writes PNG and SVG files to
`<sweep>/figures/`. Scenarios keep one order and one colour-blind-safe colour (Okabe & Ito) in every
figure; bars and bands are 95% confidence intervals across seeds.
"""

from __future__ import annotations

import argparse
import json
import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from experiments.compare import complete_runs, interval, load_sweep, require_runs  # noqa: E402
from experiments.schema import HISTORY_SCENARIOS, SCENARIO_ORDER, in_scenario_order  # noqa: E402

# Okabe & Ito (2008) colour-blind-safe palette, one colour per scenario, least to most entangled.
COLOURS = dict(zip(SCENARIO_ORDER + HISTORY_SCENARIOS, ("#009E73", "#56B4E9", "#0072B2", "#999999", "#E69F00",
                                                         "#D55E00", "#CC79A7", "#000000", "#F0E442")))
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
GROUPS = {
    "undocumented": "Undocumented",
    "lawful_resident": "Lawful residents\n(green card, visa)",
    "citizen_mixed_status": "Citizens in\nmixed-status homes",
    "citizen_other": "Other citizens",
}


def colour(policy: str) -> str:
    return COLOURS.get(policy, "#000000")


def label(policy: str) -> str:
    return PLAIN.get(policy, policy)


class SweepData:
    """The tables of one sweep, with the helpers the figures share."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.summary = load_sweep(self.folder, "summary").to_pydict()
        self.policies = in_scenario_order(self.summary["policy"])
        self.seeds = sorted(set(self.summary["seed"]))

    def values(self, policy: str, group: str, metric: str) -> np.ndarray:
        s = self.summary
        return np.array([v for p, g, v in zip(s["policy"], s["group"], s[metric]) if p == policy and g == group],
                        dtype=float)

    def estimate(self, policy: str, group: str, metric: str, bounds=(-math.inf, math.inf)) -> tuple[float, float, float]:
        """Mean and the distances down and up to its 95% interval, the interval kept within `bounds`
        (0 where it cannot be computed)."""
        mean, lo, hi = interval(self.values(policy, group, metric))
        if math.isnan(lo):
            return mean, 0.0, 0.0
        return mean, mean - max(lo, bounds[0]), min(hi, bounds[1]) - mean

    def daily(self) -> dict[str, np.ndarray]:
        d = load_sweep(self.folder, "daily").select(["policy", "seed", "group", "day", "mean_trust", "mean_fear",
                                                     "willingness_to_report"]).to_pydict()
        return {k: np.array(v, dtype=object if k in ("policy", "group") else float) for k, v in d.items()}

    def final_week_by_neighbourhood(self) -> dict[str, np.ndarray]:
        """The neighbourhood table's last week of every run."""
        t = load_sweep(self.folder, "neighbourhoods").to_pydict()
        cols = {k: np.array(v, dtype=object if k in ("policy", "run", "setting", "city") else None) for k, v in t.items()}
        last = np.zeros(len(cols["week"]), dtype=bool)
        for run in set(cols["run"]):
            mine = cols["run"] == run
            last |= mine & (cols["week"] == cols["week"][mine].max())
        return {k: v[last] for k, v in cols.items()}

    @property
    def profiled_label(self) -> str:
        """The profiled ethnicity label of the sweep's runs (from their config)."""
        run = next(iter(complete_runs(self.folder)))
        return str(OmegaConf.load(run / "config.yaml").policing.profiled_label)

    def timeline(self, policy: str) -> list[dict]:
        for run in complete_runs(self.folder):
            meta = json.loads((run / "run.json").read_text())
            if meta.get("policy") == policy:
                return meta.get("timeline", [])
        return []


def _bars(ax, data: SweepData, items: dict, metric: str | None = None, scale: float = 1.0,
          share: bool = False) -> None:
    """Grouped bars: one cluster per item (a group, or a (group, metric) pair), one bar per scenario, with
    95% intervals kept within [0, 1] for shares and above 0 for counts."""
    width = 0.8 / len(data.policies)
    x = np.arange(len(items))
    bounds = (0.0, 1.0) if share else (0.0, math.inf)   # every figure shows non-negative quantities
    for i, policy in enumerate(data.policies):
        est = [data.estimate(policy, *((key, metric) if metric else key), bounds=bounds) for key in items]
        ax.bar(x + (i - (len(data.policies) - 1) / 2) * width, [m * scale for m, _, _ in est], width,
               yerr=[[d * scale for _, d, _ in est], [u * scale for _, _, u in est]], capsize=2,
               color=colour(policy), label=label(policy), error_kw={"elinewidth": 0.8})
    ax.set_xticks(x, list(items.values()), fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def save(fig, out: Path, name: str, **kwargs) -> list[Path]:
    """Write a figure as <name>.png (150 dpi) and <name>.svg in `out`, close it, and return both paths."""
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    fig.savefig(paths[0], dpi=150, **kwargs)
    fig.savefig(paths[1], **kwargs)
    plt.close(fig)
    return paths


def _finish(fig, data: SweepData, title: str, out: Path, name: str, legend_ax=None, marks: str = "bars") -> list[Path]:
    handles, labels = (legend_ax or fig.axes[0]).get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), frameon=False, fontsize=9)
    fig.suptitle(title, fontsize=14, fontweight="bold")
    fig.text(0.5, 0.92, f"Mean over {len(data.seeds)} simulated years (seeds); {marks}: 95% confidence intervals",
             ha="center", fontsize=9, color="#444444")
    fig.tight_layout(rect=(0, 0.09, 1, 0.91))
    return save(fig, out, name)


def who_stops_calling(data: SweepData, out: Path) -> list[Path]:
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    _bars(axes[0], data, GROUPS, "less_likely_share_end", 100, share=True)
    axes[0].set_ylabel("Residents less likely to call the police\nfor fear of immigration consequences (%)")
    axes[0].set_title("Less likely to report a crime against them")
    _bars(axes[1], data, GROUPS, "willingness_to_report_end", 100, share=True)
    axes[1].set_ylabel("Chance of reporting a violent crime (%)")
    axes[1].set_title("Willingness to report at the end of the year")
    return _finish(fig, data, "Who stops calling the police?", out, "1_who_stops_calling")


def unreported_and_victims(data: SweepData, out: Path) -> list[Path]:
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    ax = axes[0]
    x = np.arange(len(data.policies))
    reported = [data.estimate(p, "all", "victimizations_per_1000")[0] - data.estimate(p, "all", "unreported_per_1000")[0]
                for p in data.policies]
    unreported = [data.estimate(p, "all", "unreported_per_1000", bounds=(0, math.inf)) for p in data.policies]
    ax.bar(x, reported, color=[colour(p) for p in data.policies], alpha=0.45, label="reported")
    ax.bar(x, [m for m, _, _ in unreported], bottom=reported, yerr=[[d for _, d, _ in unreported],
                                                                     [u for _, _, u in unreported]], capsize=3,
           color=[colour(p) for p in data.policies], hatch="//", edgecolor="white", label="not reported")
    ax.set_xticks(x, [textwrap.fill(label(p), 13) for p in data.policies], fontsize=8)
    ax.set_ylabel("Crimes per 1,000 residents a year")
    ax.set_title("Crimes reported (light) and not reported (hatched)")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    _bars(axes[1], data, GROUPS, "victimizations_per_1000")
    axes[1].set_ylabel("Victimizations per 1,000 residents a year")
    axes[1].set_title("Who is victimized")
    return _finish(fig, data, "How many crimes go unreported, and who is victimized?", out,
                   "2_unreported_and_victims", legend_ax=axes[1])


def over_time(data: SweepData, out: Path) -> list[Path]:
    daily = data.daily()
    groups = {"undocumented": "Undocumented", "citizen_mixed_status": "Citizens, mixed-status households",
              "latino": "Latino residents", "citizen_other": "Other citizens"}
    fig, axes = plt.subplots(2, len(groups), figsize=(15, 7.5), sharex=True, sharey="row")
    for j, (group, title) in enumerate(groups.items()):
        for i, (metric, ylabel) in enumerate((("mean_trust", "Mean trust in police (0-1)"),
                                              ("mean_fear", "Mean fear of immigration\nconsequences (0-1)"))):
            ax = axes[i, j]
            for policy in data.policies:
                sel = (daily["policy"] == policy) & (daily["group"] == group)
                days = np.unique(daily["day"][sel])
                by_seed = np.array([daily[metric][sel & (daily["seed"] == s)] for s in data.seeds
                                    if (sel & (daily["seed"] == s)).any()])
                mean = by_seed.mean(axis=0)
                ax.plot(days, mean, color=colour(policy), label=label(policy), lw=1.5)
                if len(by_seed) > 1:
                    half = 1.96 * by_seed.std(axis=0, ddof=1) / math.sqrt(len(by_seed))
                    ax.fill_between(days, mean - half, mean + half, color=colour(policy), alpha=0.2, lw=0)
                for switch in data.timeline(policy):
                    ax.axvline(switch["day"], color=colour(policy), ls="--", lw=0.8)
                    if i == 0 and j == 0:
                        ax.annotate(f"switch to\n{label(switch['policy'])}", (switch["day"], ax.get_ylim()[1]),
                                    fontsize=7, va="top")
            ax.grid(alpha=0.3)
            if i == 0:
                ax.set_title(title)
            if j == 0:
                ax.set_ylabel(ylabel)
            if i == 1:
                ax.set_xlabel("Day of the simulated year")
    return _finish(fig, data, "Over time: trust and fear by group", out, "3_trust_and_fear_over_time",
                   marks="bands; dashed lines: policy switches")


def who_is_removed(data: SweepData, out: Path) -> list[Path]:
    items = {("all", "removals_no_conviction"): "Removed, no\nconviction",
             ("all", "removals"): "Removed, all",
             ("mixed_status_household", "removals"): "Removed from mixed-\nstatus households",
             ("all", "wrongly_held"): "Citizens and lawful\nresidents wrongly held"}
    return _metric_bars(data, out, items, "Residents a year (per city of this size)", "Who gets removed?",
                        "4_who_is_removed")


def what_it_costs(data: SweepData, out: Path) -> list[Path]:
    fig, axes = plt.subplots(1, 3, figsize=(14, 5))
    for ax, (metric, ylabel, title) in zip(axes, (
            ("officer_hours_immigration", "Officer hours a year", "Officer hours on immigration work"),
            ("jail_days_immigration", "Jail-days a year", "Local jail-days for immigration holds"),
            ("holds_without_warrant", "Holds a year", "Holds without a judicial warrant\n(the locality's liability)"))):
        _bars(ax, data, {"all": ""}, metric, share=False)
        ax.set_xticks([])
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
    return _finish(fig, data, "What does it cost the locality?", out, "5_what_it_costs")


def _metric_bars(data: SweepData, out: Path, items: dict, ylabel: str, title: str, name: str) -> list[Path]:
    fig, ax = plt.subplots(figsize=(12, 5.5))
    _bars(ax, data, items)
    ax.set_ylabel(ylabel)
    return _finish(fig, data, title, out, name)


def where_people_stop_calling(data: SweepData, out: Path, baseline: str, other: str) -> list[Path]:
    """A stylized map of the city's neighbourhoods: who lives where, and the change in willingness to report
    after a year under two scenarios, on one colour scale, with the operation area outlined."""
    final = data.final_week_by_neighbourhood()
    label_col = next(c for c in final if c.endswith("_share") and c not in ("undocumented_share", "less_likely_share"))
    profiled = data.profiled_label
    mix = final.get(f"{profiled}_share", final[label_col])
    changes = {p: 100 * final["willingness_change"][final["policy"] == p] for p in (baseline, other)}
    places = final["neighbourhood"][final["policy"] == baseline]
    n = int(places.max()) + 1
    per_place = {p: _mean_by(final["neighbourhood"][final["policy"] == p], v, n) for p, v in changes.items()}
    share = _mean_by(final["neighbourhood"], mix, n)
    area = _mean_by(final["neighbourhood"], final["operation_area"].astype(float), n) > 0.5
    limit = max(1.0, *(np.nanmax(np.abs(v)) for v in per_place.values()))
    centres = hex_layout(n)
    fig, axes = plt.subplots(1, 3, figsize=(16, 6.2))
    panels = ((axes[0], share * 100, "Greens", (0, 100), f"Who lives where: % {profiled.capitalize()}", "{:.0f}%"),
              (axes[1], per_place[baseline], "RdBu", (-limit, limit), f"{label(baseline)}", "{:+.1f}"),
              (axes[2], per_place[other], "RdBu", (-limit, limit), f"{label(other)}", "{:+.1f}"))
    for ax, values, cmap, (lo, hi), title, fmt in panels:
        drawn = _hexes(ax, centres, values, area, cmap, lo, hi, fmt if n <= 60 else None)
        ax.set_title(title, fontsize=11)
        if ax is axes[0]:
            fig.colorbar(drawn, ax=ax, shrink=0.7, orientation="horizontal", pad=0.04, label=f"% {profiled.capitalize()} residents")
    fig.colorbar(drawn, ax=axes[1:], shrink=0.6, orientation="horizontal", pad=0.04,
                 label="Change in willingness to report a crime after a year (percentage points; blue = more, red = fewer)")
    fig.suptitle("Where do people stop calling?", fontsize=14, fontweight="bold")
    note = (f"Each hexagon is one neighbourhood of about {round(float(np.nanmean(final['residents'])), -1):,.0f} "
            f"residents (mean over {len(data.seeds)} runs); thick outline: the operation area, the neighbourhoods "
            f"with the largest share of {profiled.capitalize()} residents, where a task force's saturation patrols go. "
            "The operation area is chosen in each run; an outline marks the neighbourhoods in it in most runs. Positions "
            "are stylized: the model has no streets, only which neighbourhood each household lives in, and "
            "neighbourhoods with a similar mix are drawn side by side.")
    fig.text(0.5, 0.0, textwrap.fill(note, 180), ha="center", va="top", fontsize=8.5, color="#444444")
    return save(fig, out, "6_where_people_stop_calling", bbox_inches="tight")


def hex_layout(n: int) -> np.ndarray:
    """Centres of n hexagons of unit radius filled row by row into a roughly square block (pointy-top)."""
    cols = max(1, math.ceil(math.sqrt(n)))
    i = np.arange(n)
    row, col = i // cols, i % cols
    return np.column_stack([np.sqrt(3) * (col + 0.5 * (row % 2)), -1.5 * row])


def _hexes(ax, centres, values, outlined, cmap, lo, hi, fmt):
    from matplotlib.collections import PatchCollection  # noqa: PLC0415
    from matplotlib.patches import RegularPolygon  # noqa: PLC0415

    cells = [RegularPolygon(tuple(c), numVertices=6, radius=0.98) for c in centres]
    collection = PatchCollection(cells, cmap=cmap, edgecolor="white", linewidth=0.8)
    collection.set_array(np.asarray(values, dtype=float))
    collection.set_clim(lo, hi)
    ax.add_collection(collection)
    for c, is_area in zip(centres, outlined):
        if is_area:
            ax.add_patch(RegularPolygon(tuple(c), numVertices=6, radius=0.98, fill=False, edgecolor="black", linewidth=2.4))
    if fmt:
        for c, v in zip(centres, values):
            if np.isfinite(v):
                t = (v - lo) / (hi - lo)   # where the colour sits on its scale
                dark = abs(t - 0.5) > 0.3 if cmap == "RdBu" else t > 0.6
                ax.text(c[0], c[1], fmt.format(v if abs(v) >= 0.05 else 0.0), ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    ax.set_xlim(centres[:, 0].min() - 1.2, centres[:, 0].max() + 1.2)
    ax.set_ylim(centres[:, 1].min() - 1.3, centres[:, 1].max() + 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return collection


def _mean_by(keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Mean of `values` per integer key 0..n-1 (NaN where a key has none)."""
    total = np.bincount(keys, weights=np.nan_to_num(values), minlength=n)
    count = np.bincount(keys, weights=np.isfinite(values), minlength=n)
    return np.divide(total, count, out=np.full(n, np.nan), where=count > 0)


def make_figures(folder: Path, baseline: str = "decoupled", contrast: str | None = None) -> list[Path]:
    """All workshop figures for a sweep folder; returns the files written."""
    data = SweepData(folder)
    out = Path(folder) / "figures"
    out.mkdir(exist_ok=True)
    baseline = baseline if baseline in data.policies else data.policies[0]
    contrast = contrast if contrast in data.policies else data.policies[-1]
    paths = []
    for make in (who_stops_calling, unreported_and_victims, over_time, who_is_removed, what_it_costs):
        paths += make(data, out)
    paths += where_people_stop_calling(data, out, baseline, contrast)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--baseline", default="decoupled")
    parser.add_argument("--contrast", default=None, help="scenario beside the baseline on the neighbourhood map "
                                                         "(default: the most entangled in the sweep)")
    args = parser.parse_args(argv)
    require_runs(args.folder, "figures", args.baseline)
    for path in make_figures(args.folder, args.baseline, args.contrast):
        print(path)


if __name__ == "__main__":
    main()
