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
import matplotlib.pyplot as plt
import numpy as np
from omegaconf import OmegaConf

from experiments.runs.compare import cannot_write, complete_runs, interval, load_sweep, require_runs, runs_signature
from experiments.runs.config import in_scenario_order
from experiments.runs.runfolder import replace_folder
from experiments.workshop.vocabulary import GROUP_LINES, GROUPS, colour, label

EDGE = {"edgecolor": "#333333", "linewidth": 0.4}   # a thin dark edge keeps the yellow bars visible on white


class SweepData:
    """The tables of one sweep, with the helpers the figures share."""

    def __init__(self, folder: Path, runs: list[Path] | None = None):
        self.folder = Path(folder)
        self.runs = complete_runs(self.folder) if runs is None else runs   # checked once: every file's checksum
        self.summary = load_sweep(self.folder, "summary", runs=self.runs).to_pydict()
        self.policies = in_scenario_order(self.summary["policy"])
        self.seeds = sorted(set(self.summary["seed"]))

    def values(self, policy: str, group: str, metric: str) -> np.ndarray:
        s = self.summary
        return np.array([v for p, g, v in zip(s["policy"], s["group"], s[metric]) if p == policy and g == group],
                        dtype=float)

    def estimate(self, policy: str, group: str, metric: str,
                 bounds=(-math.inf, math.inf)) -> tuple[float, float, float]:
        """Mean and the distances down and up to its 95% interval, the interval kept within `bounds`
        (0 where it cannot be computed)."""
        mean, lo, hi = interval(self.values(policy, group, metric))
        if math.isnan(lo):
            return mean, 0.0, 0.0
        return mean, mean - max(lo, bounds[0]), min(hi, bounds[1]) - mean

    def daily(self) -> dict[str, np.ndarray]:
        columns = ["policy", "seed", "group", "day", "mean_trust", "mean_fear", "willingness_to_report"]
        table = load_sweep(self.folder, "daily", columns, self.runs)
        daily = {k: table.column(k).to_numpy(zero_copy_only=False).astype(object if k in ("policy", "group") else float)
                 for k in columns}
        rows: dict[tuple[str, str], list[int]] = {}
        for i, key in enumerate(zip(daily["policy"].tolist(), daily["group"].tolist())):
            rows.setdefault(key, []).append(i)
        return {**daily, "rows": {key: np.array(r) for key, r in rows.items()}}

    def final_week_by_neighbourhood(self) -> dict[str, np.ndarray]:
        """The neighbourhood table's last week of every run."""
        t = load_sweep(self.folder, "neighbourhoods", runs=self.runs).to_pydict()
        cols = {k: np.array(v, dtype=object if k in ("policy", "run", "setting", "city") else None)
                for k, v in t.items()}
        last = np.zeros(len(cols["week"]), dtype=bool)
        for run in set(cols["run"]):
            mine = cols["run"] == run
            last |= mine & (cols["week"] == cols["week"][mine].max())
        return {k: v[last] for k, v in cols.items()}

    @property
    def profiled_label(self) -> str:
        """The profiled ethnicity label of the sweep's runs (from their config)."""
        run = self.runs[0]
        return str(OmegaConf.load(run / "config.yaml").policing.profiled_label)

    def about(self) -> str:
        """'Mean over 5 runs (simulated years), a city of 10,000 residents'."""
        sizes = sorted({json.loads((r / "run.json").read_text())["residents"] for r in self.runs})
        return (f"Mean over {len(self.seeds)} runs (simulated years), a city of "
                f"{' or '.join(f'{n:,}' for n in sizes)} residents")

    @staticmethod
    def daily_by_seed(daily: dict, policy: str, group: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """Days, and one row per seed of a daily metric, for one scenario and group (`daily` as `daily()` gives
        it: with the rows of each scenario and group)."""
        sel = daily["rows"].get((policy, group), np.array([], dtype=int))
        days, seeds, values = np.unique(daily["day"][sel]), daily["seed"][sel], daily[metric][sel]
        rows = [values[seeds == s] for s in np.unique(seeds)]
        return days, np.array([r for r in rows if len(r) == len(days)])

    def timeline(self, policy: str) -> list[dict]:
        for run in self.runs:
            meta = json.loads((run / "run.json").read_text())
            if meta.get("policy") == policy:
                return meta.get("timeline", [])
        return []


def _bars(ax, data: SweepData, items: dict, metric: str | None = None, scale: float = 1.0,
          share: bool = False, fmt: str = "{:.0f}") -> None:
    """Grouped bars: one cluster per item (a group, or a (group, metric) pair), one bar per scenario, with
    95% intervals kept within [0, 1] for shares and above 0 for counts, and each bar's value written on it
    (so that a bar near zero is read as zero, not missed)."""
    width = 0.8 / len(data.policies)
    x = np.arange(len(items))
    bounds = (0.0, 1.0) if share else (0.0, math.inf)   # every figure shows non-negative quantities
    for i, policy in enumerate(data.policies):
        est = [data.estimate(policy, *((key, metric) if metric else key), bounds=bounds) for key in items]
        bars = ax.bar(x + (i - (len(data.policies) - 1) / 2) * width, [m * scale for m, _, _ in est], width,
                      yerr=[[d * scale for _, d, _ in est], [u * scale for _, _, u in est]], capsize=2,
                      color=colour(policy), label=label(policy), error_kw={"elinewidth": 0.8}, **EDGE)
        _values_on(ax, bars, [m * scale for m, _, _ in est], [(m + u) * scale for m, _, u in est], fmt)
    ax.set_xticks(x, list(items.values()), fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _values_on(ax, bars, values, tops, fmt: str) -> None:
    """Each bar's value, small and upright, just above its interval."""
    for bar, value, top in zip(bars, values, tops):
        if np.isfinite(value):
            ax.annotate(fmt.format(value), (bar.get_x() + bar.get_width() / 2, top), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=6, rotation=90,
                        color="#333333")
    ax.margins(y=0.12)


def save(fig, out: Path, name: str) -> list[Path]:
    """Write a figure as <name>.png (150 dpi) and <name>.svg in `out`, close it, and return both paths."""
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    fig.savefig(paths[0], dpi=150, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    plt.close(fig)
    return paths


def _finish(fig, data: SweepData, title: str, legend_ax=None, marks: str = "bars", legend: bool = True,
            note: str = "") -> plt.Figure:
    """Title, the subtitle saying what is shown (runs, size, what the marks are), the scenario legend and a note."""
    if legend:
        handles, labels = (legend_ax or fig.axes[0]).get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), frameon=False, fontsize=9,
                   bbox_to_anchor=(0.5, 0.045 if note else 0.0))
    fig.suptitle(title, fontsize=14, fontweight="bold")
    fig.text(0.5, 0.92, f"{data.about()}; {marks}: 95% confidence intervals", ha="center", fontsize=9, color="#444444")
    if note:
        fig.text(0.5, 0.005, textwrap.fill(note, 160), ha="center", va="bottom", fontsize=8, color="#444444")
    fig.tight_layout(rect=(0, 0.14 if note else (0.09 if legend else 0.0), 1, 0.91))
    return fig


UNCLEAR = ("Where two scenarios' intervals overlap, or an interval is wider than the difference it shows, the "
           "difference is not clear at this size: the report says which are.")


def who_stops_calling(data: SweepData) -> plt.Figure:
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    _bars(axes[0], data, GROUPS, "less_likely_share_end", 100, share=True)
    axes[0].set_ylabel("Residents less likely to call the police\nfor fear of immigration consequences (%)")
    axes[0].set_title("Less likely to report a crime against them")
    _bars(axes[1], data, GROUPS, "willingness_to_report_end", 100, share=True)
    axes[1].set_ylabel("Chance of reporting a violent crime (%)")
    axes[1].set_title("Willingness to report at the end of the year")
    return _finish(fig, data, "Who stops calling the police?", note=UNCLEAR)


def _scenario_ticks(ax, policies) -> None:
    """Scenario names under bars, wrapped and slanted so that long names do not run into each other."""
    ax.set_xticks(np.arange(len(policies)), [textwrap.fill(label(p), 14) for p in policies], fontsize=8,
                  rotation=30, ha="right", rotation_mode="anchor")


def unreported_and_victims(data: SweepData) -> plt.Figure:
    fig, axes = plt.subplots(1, 2, figsize=(13, 6))
    ax = axes[0]
    x = np.arange(len(data.policies))
    reported = [data.estimate(p, "all", "victimizations_per_1000")[0]
                - data.estimate(p, "all", "unreported_per_1000")[0] for p in data.policies]
    unreported = [data.estimate(p, "all", "unreported_per_1000", bounds=(0, math.inf)) for p in data.policies]
    ax.bar(x, reported, color=[colour(p) for p in data.policies], alpha=0.45, label="reported", **EDGE)
    bars = ax.bar(x, [m for m, _, _ in unreported], bottom=reported, yerr=[[d for _, d, _ in unreported],
                                                                           [u for _, _, u in unreported]], capsize=3,
                  color=[colour(p) for p in data.policies], hatch="//", edgecolor="white", label="not reported")
    for bar, r, (m, _, _) in zip(bars, reported, unreported):
        ax.text(bar.get_x() + bar.get_width() / 2, r + m / 2, f"{m:.1f}", ha="center", va="center", fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    _scenario_ticks(ax, data.policies)
    ax.set_ylabel("Crimes (per 1,000 residents a year)")
    ax.set_title("Crimes reported (light) and not reported (hatched)")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    _bars(axes[1], data, GROUPS, "victimizations_per_1000")
    axes[1].set_ylabel("Victimizations (per 1,000 residents a year)")
    axes[1].set_title("Who is victimized")
    return _finish(fig, data, "How many crimes go unreported, and who is victimized?", legend_ax=axes[1], note=UNCLEAR)


def over_time(data: SweepData) -> plt.Figure:
    """Small multiples: one column per scenario; the change in trust since day 0 and fear, one line per group
    (greys and line styles), on axes whose range does not make a small change look like a collapse."""
    daily = data.daily()
    fig, axes = plt.subplots(2, len(data.policies), figsize=(2.3 * len(data.policies) + 1, 6.4), sharex=True,
                             sharey="row", squeeze=False)
    lows, highs = [-5.0], [10.0]   # at least 5 points of trust lost and fear up to 10 on a 0-100 scale
    switches = False
    for j, policy in enumerate(data.policies):
        for group, (name, grey, style) in GROUP_LINES.items():
            for i, metric in enumerate(("mean_trust", "mean_fear")):
                days, by_seed = data.daily_by_seed(daily, policy, group, metric)
                if by_seed.size == 0:
                    continue
                values = 100 * (by_seed - by_seed[:, :1] if metric == "mean_trust" else by_seed)
                mean = values.mean(axis=0)
                ax = axes[i, j]
                ax.plot(days, mean, color=grey, ls=style, lw=1.4, label=name)
                half = 1.96 * values.std(axis=0, ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0 * mean
                ax.fill_between(days, mean - half, mean + half, color=grey, alpha=0.15, lw=0)
                if i == 0:
                    lows.append(float(np.min(mean - half)))
                else:
                    highs.append(float(np.max(mean + half)))
        for switch in data.timeline(policy):
            switches = True
            for ax in axes[:, j]:
                ax.axvline(switch["day"], color="#333333", ls="--", lw=0.8)
            axes[0, j].annotate(f"to {textwrap.fill(label(switch['policy']), 12)}", (switch["day"], 0), fontsize=6.5,
                                va="bottom", xytext=(2, 2), textcoords="offset points")
        axes[0, j].set_title(textwrap.fill(label(policy), 16), fontsize=9, color="black",
                             bbox={"facecolor": colour(policy), "alpha": 0.35, "edgecolor": "none", "pad": 2})
        axes[1, j].set_xlabel("Day (of the year)")
    axes[0, 0].set_ylim(min(lows) * 1.1, 1.0)
    axes[1, 0].set_ylim(0.0, max(highs) * 1.1)
    axes[0, 0].set_ylabel("Change in trust in police\nsince day 0 (points, 0-100)")
    axes[1, 0].set_ylabel("Fear of immigration\nconsequences (0-100)")
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.axhline(0, color="#999999", lw=0.6)
    return _finish(fig, data, "Over time: trust and fear by group",
                   marks="bands" + (" (dashed lines: policy switches)" if switches else ""))


def _scenario_bars(ax, data: SweepData, group: str, metric: str, fmt: str = "{:,.0f}") -> None:
    """One horizontal bar per scenario (names read across, first at the top) on a log-like axis (linear up
    to 1, so that zero shows), each with its value: the task force's counts are ten times the others', which
    a linear axis would flatten to nothing."""
    est = [data.estimate(p, group, metric, bounds=(0.0, math.inf)) for p in data.policies]
    y = -np.arange(len(data.policies))
    bars = ax.barh(y, [m for m, _, _ in est], 0.75, xerr=[[d for _, d, _ in est], [u for _, _, u in est]], capsize=2,
                   color=[colour(p) for p in data.policies], error_kw={"elinewidth": 0.8}, **EDGE)
    for bar, p in zip(bars, data.policies):
        bar.set_label(label(p))
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(0, max(10.0, max(m + u for m, _, u in est)) * 4)
    for bar, (m, _, u) in zip(bars, est):
        ax.annotate(fmt.format(m), (m + u, bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=8)
    ax.set_yticks(y, [label(p) for p in data.policies], fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)


def _panels(data: SweepData, title: str, panels: tuple) -> plt.Figure:
    """One panel per (group, metric, x label, panel title, value format), scenarios down the side."""
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels) + 2.2, 4.6), sharey=True, squeeze=False)
    for ax, (group, metric, xlabel, panel_title, fmt) in zip(axes[0], panels):
        _scenario_bars(ax, data, group, metric, fmt)
        ax.set_xlabel(xlabel)
        ax.set_title(panel_title, fontsize=10)
    return _finish(fig, data, title, marks="bars (log scale above 1)", legend=False)


def who_is_removed(data: SweepData) -> plt.Figure:
    return _panels(data, "Who gets removed?", (
        ("all", "removals", "Residents removed (a year)", "All removals", "{:.1f}"),
        ("all", "removals_no_conviction", "Residents removed (a year)", "Removed with no conviction", "{:.1f}"),
        ("mixed_status_household", "removals", "Residents removed (a year)", "Removed from mixed-status\nhouseholds",
         "{:.1f}"),
        ("all", "wrongly_held", "Residents held (a year)", "Citizens and lawful residents\nwrongly held", "{:.1f}")))


def what_it_costs(data: SweepData) -> plt.Figure:
    return _panels(data, "What does it cost the locality?", (
        ("all", "officer_hours_immigration", "Officer hours (a year)", "Officer hours on immigration work", "{:,.0f}"),
        ("all", "jail_days_immigration", "Jail-days (a year)", "Local jail-days for immigration holds", "{:,.0f}"),
        ("all", "holds_without_warrant", "Holds (a year)",
         "Holds without a judicial warrant\n(the locality's liability)", "{:,.1f}")))


def where_people_stop_calling(data: SweepData, baseline: str, other: str) -> plt.Figure:
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
            fig.colorbar(drawn, ax=ax, shrink=0.7, orientation="horizontal", pad=0.04,
                         label=f"{profiled.capitalize()} residents (%)")
    fig.colorbar(drawn, ax=axes[1:], shrink=0.6, orientation="horizontal", pad=0.04,
                 label="Change in willingness to report a crime after a year "
                       "(percentage points; blue = more, red = fewer)")
    fig.suptitle("Where do people stop calling?", fontsize=14, fontweight="bold")
    note = (f"Each hexagon is one neighbourhood of about {round(float(np.nanmean(final['residents'])), -1):,.0f} "
            f"residents (mean over {len(data.seeds)} runs); thick outline: the operation area, the neighbourhoods "
            f"with the largest share of {profiled.capitalize()} residents, where a task force's saturation patrols go. "
            "The operation area is chosen in each run; an outline marks the neighbourhoods in it in most runs. "
            "Positions are stylized: the model has no streets, only which neighbourhood each household lives in, "
            "and neighbourhoods with a similar mix are drawn side by side.")
    fig.text(0.5, 0.0, textwrap.fill(note, 180), ha="center", va="top", fontsize=8.5, color="#444444")
    return fig


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
            ax.add_patch(RegularPolygon(tuple(c), numVertices=6, radius=0.98, fill=False, edgecolor="black",
                                        linewidth=2.4))
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


def draw_figures(folder: Path, baseline: str = "decoupled", contrast: str | None = None,
                 runs: list[Path] | None = None) -> dict[str, plt.Figure]:
    """Every workshop figure of a sweep folder (of `runs`, a checked set of its finished runs, if given), by file
    name, drawn but not saved (the tests inspect them)."""
    data = SweepData(folder, runs)
    baseline = baseline if baseline in data.policies else data.policies[0]
    contrast = contrast if contrast in data.policies else data.policies[-1]
    return {"1_who_stops_calling": who_stops_calling(data), "2_unreported_and_victims": unreported_and_victims(data),
            "3_trust_and_fear_over_time": over_time(data), "4_who_is_removed": who_is_removed(data),
            "5_what_it_costs": what_it_costs(data),
            "6_where_people_stop_calling": where_people_stop_calling(data, baseline, contrast)}


MANIFEST = "manifest.json"   # in figures/: the runs (their signature), baseline and contrast they were drawn from


def make_figures(folder: Path, baseline: str = "decoupled", contrast: str | None = None,
                 runs: list[Path] | None = None) -> list[Path]:
    """All workshop figures for a sweep folder (of `runs`, if given), written to <folder>/figures as one set (the
    old set stays until the new one is complete) with a manifest of what they show; returns the files."""
    folder = Path(folder)
    runs = complete_runs(folder) if runs is None else runs
    drawn = draw_figures(folder, baseline, contrast, runs)
    manifest = {"runs_signature": runs_signature(folder, runs), "baseline": baseline, "contrast": contrast}

    def fill(out: Path) -> None:
        for name, fig in drawn.items():
            save(fig, out, name)
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")

    out = replace_folder(folder / "figures", fill)
    return sorted(p for p in out.iterdir() if p.suffix in (".png", ".svg"))


def figures_of(folder: Path, runs: list[Path], baseline: str) -> Path:
    """<folder>/figures where they were drawn from exactly these runs against `baseline`, else drawn again."""
    out = Path(folder) / "figures"
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        manifest = {}
    if (manifest.get("runs_signature") != runs_signature(folder, runs) or manifest.get("baseline") != baseline
            or not any(out.glob("*.png"))):
        make_figures(folder, baseline, runs=runs)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--baseline", default="decoupled")
    parser.add_argument("--contrast", default=None, help="scenario beside the baseline on the neighbourhood map "
                                                         "(default: the most entangled in the sweep)")
    args = parser.parse_args(argv)
    require_runs(args.folder, "figures", args.baseline)
    try:
        for path in make_figures(args.folder, args.baseline, args.contrast):
            print(path)
    except OSError as err:
        cannot_write("figures", err)


if __name__ == "__main__":
    main()
