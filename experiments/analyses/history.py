"""County histories over several seeds: the survey check against Theodore (2013) and the history figure.

    python -m experiments.history                          # the four counties, 5 seeds, 10,000 residents
    python -m experiments.history --counties maricopa_az --seeds 3 population.size=3000

Each county runs as one Hydra multirun (`city=<c> history=<c> seed=range(...)`, in parallel, resumable).
The survey check averages, over Nov-Dec 2012 (when Theodore's survey was fielded), each group's share of
residents less likely to call the police than on the history's first day, per county and pooled two ways
(the plain mean of the counties, and weighted by each county's residents in the group: 2020 Census
population x the profile's group share), beside the survey's pooled figures. Theodore's sample sizes per
county are not in our sources, so neither weighting is the survey's own; the two rows show how much the
choice matters. The figure "What did our county's
policies do?" shows trust and willingness to report by group over the real dates, with the events marked.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from omegaconf import OmegaConf

from experiments.paths import CONF_DIR, RESULTS
from experiments.runs.cli import positive_int
from experiments.runs.compare import interval, load_sweep
from experiments.runs.launch import SweepFailed, run_sweep
from experiments.workshop.vocabulary import GROUP_COLOURS, GROUP_LABELS
from experiments.workshop.vocabulary import label as scenario_label

COUNTIES = ("cook_il", "harris_tx", "los_angeles_ca", "maricopa_az")
SURVEY = ("2012-11-01", "2012-12-31")
# Theodore (2013), pooled over the four counties (seed 003; docs/sources/shared_targets.yaml)
PUBLISHED = {"undocumented": 0.70, "latino": 0.44}
# the groups of the survey check: Theodore (2013) asked Latino residents, and reported the undocumented among them
GROUPS = {g: GROUP_LABELS[g] for g in ("undocumented", "latino", "latino_citizen")}


def run_county(county: str, seeds: int, folder: Path, overrides: list[str]) -> Path:
    """A county's history over `seeds` seeds, as a sweep into `folder/<county>`; exits with its error."""
    try:
        return run_sweep(folder / county, [f"city={county}", f"history={county}", f"seed=range(0,{seeds})",
                                           *overrides])
    except SweepFailed as err:
        sys.exit(f"history {county} failed:\n{err}")


def window_means(daily: pa.Table, window: tuple[str, str], groups=GROUPS,
                 metric: str = "less_likely_share", aggregate: str = "mean") -> dict[str, np.ndarray]:
    """Per group: each seed's mean (or sum) of a daily metric over the dates in `window` (inclusive), seeds in
    order."""
    d = daily.select(["seed", "group", "date", metric]).to_pydict()
    seeds, group = np.array(d["seed"]), np.array(d["group"], dtype=object)
    dates, values = np.array(d["date"], dtype=object), np.array(d[metric], dtype=float)
    inside = (dates >= window[0]) & (dates <= window[1])
    if not inside.any():
        raise ValueError(f"no day of the history falls within {window[0]} to {window[1]}.")
    reduce = np.sum if aggregate == "sum" else np.mean
    return {g: np.array([reduce(values[inside & (group == g) & (seeds == s)]) for s in np.unique(seeds)])
            for g in groups}


def survey_shares(folder: Path) -> dict[str, np.ndarray]:
    """Per group: each seed's mean less-likely share over the survey's fielding months."""
    return window_means(load_sweep(folder, "daily"), SURVEY)


def group_residents(county: str, group: str) -> float:
    """How many of the county's real residents are in `group`: population x the profile's share."""
    profile = OmegaConf.load(CONF_DIR / "city" / f"{county}.yaml")
    share = (profile.population.status_shares.undocumented if group == "undocumented"
             else profile.population.ethnicity_shares.latino)   # Latino citizens: weighted as Latino residents
    return float(profile.city.residents * share)


def pooled(results: dict[str, dict[str, np.ndarray]]) -> dict[str, dict[str, float]]:
    """Counties' mean shares pooled as a plain mean and weighted by the counties' residents in each group."""
    means = {g: np.array([interval(s[g])[0] for s in results.values()]) for g in GROUPS}
    return {"pooled (mean)": {g: float(means[g].mean()) for g in GROUPS},
            "pooled (weighted)": {g: float(pool_by_seed({c: s[g] for c, s in results.items()}, g).mean())
                                  for g in GROUPS}}


def pool_by_seed(per_county: dict[str, np.ndarray], group: str) -> np.ndarray:
    """Per seed, the counties' values weighted by the counties' residents in `group` (seeds paired by position)."""
    weights = np.array([group_residents(county, group) for county in per_county])
    return np.average(np.vstack(list(per_county.values())), axis=0, weights=weights)


def survey_table(results: dict[str, dict[str, np.ndarray]]) -> str:
    lines = ["Less likely to call the police for fear of immigration consequences,",
             f"model mean over seeds [95% CI] during the survey's fielding ({SURVEY[0]} to {SURVEY[1]})", "",
             f"{'county':<18}" + "".join(f"{label:>30}" for label in GROUPS.values())]
    for county, shares in results.items():
        cells = []
        for g in GROUPS:
            mean, lo, hi = interval(shares[g])
            cells.append(f"{mean:.0%}" + ("" if np.isnan(lo) else f" [{max(lo, 0):.0%}, {min(hi, 1):.0%}]"))
        lines.append(f"{county:<18}" + "".join(f"{c:>30}" for c in cells))
    for label, values in pooled(results).items():
        lines.append(f"{label:<18}" + "".join(f"{values[g]:>30.0%}" for g in GROUPS))
    lines.append(f"{'Theodore 2013':<18}" + "".join(f"{PUBLISHED[g]:>30.0%}" if g in PUBLISHED else f"{'n/a':>30}"
                                                   for g in GROUPS))
    return "\n".join(lines)


def history_figure(county: str, folder: Path, out: Path) -> list[Path]:
    """What did our county's policies do? Trust and willingness to report by group over the real dates."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from experiments.workshop.figures import save  # noqa: PLC0415

    history = OmegaConf.load(CONF_DIR / "history" / f"{county}.yaml").history
    d = load_sweep(folder, "daily").select(["seed", "group", "date", "mean_trust", "willingness_to_report"]).to_pydict()
    seeds, groups, dates = np.array(d["seed"]), np.array(d["group"], dtype=object), np.array(d["date"], dtype=object)
    colours = {g: GROUP_COLOURS[g] for g in (*GROUPS, "citizen_other")}
    fig, axes = plt.subplots(2, 1, figsize=(13, 8), sharex=True)
    for ax, metric, ylabel in ((axes[0], "mean_trust", "Mean trust in police (0-1)"),
                               (axes[1], "willingness_to_report", "Chance of reporting\na violent crime (0-1)")):
        values = np.array(d[metric], dtype=float)
        for g, colour in colours.items():
            per_seed = np.array([values[(groups == g) & (seeds == s)] for s in np.unique(seeds)])
            x = [datetime.fromisoformat(t) for t in dates[(groups == g) & (seeds == seeds[0])]]
            mean = per_seed.mean(axis=0)
            ax.plot(x, mean, color=colour, label=GROUP_LABELS[g], lw=1.4)
            if len(per_seed) > 1:
                half = 1.96 * per_seed.std(axis=0, ddof=1) / np.sqrt(len(per_seed))
                ax.fill_between(x, mean - half, mean + half, color=colour, alpha=0.2, lw=0)
        for e in history.events:
            ax.axvline(datetime.fromisoformat(e.date), color="#444444", ls="--", lw=0.8)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    top = axes[0].get_ylim()[1]
    for e in history.events:
        text = textwrap.fill(f"{e.date[:7]}: {scenario_label(e.policy)}", 22)
        axes[0].annotate(text, (datetime.fromisoformat(e.date), top), fontsize=7, va="top", ha="left",
                         xytext=(3, 0), textcoords="offset points")
    axes[1].axvspan(datetime.fromisoformat(SURVEY[0]), datetime.fromisoformat(SURVEY[1]), color="#999999", alpha=0.3,
                    label="Theodore survey fielded")
    axes[1].legend(loc="lower left", fontsize=8, ncol=5)
    axes[1].set_xlabel("Date")
    place = OmegaConf.load(CONF_DIR / "city" / f"{county}.yaml").city.description
    fig.suptitle(f"What did our county's policies do? {place}", fontsize=14, fontweight="bold")
    fig.text(0.5, 0.93, f"Mean over {len(np.unique(seeds))} simulated histories (seeds); bands: 95% confidence "
             "intervals; dashed lines: policy events", ha="center", fontsize=9, color="#444444")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return save(fig, out, f"history_{county}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", nargs="+", default=list(COUNTIES), choices=COUNTIES)
    parser.add_argument("--seeds", type=positive_int, default=5)
    parser.add_argument("--folder", type=Path, default=None)
    args, overrides = parser.parse_known_args(argv)
    folder = args.folder or RESULTS / "histories" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    results, figures = {}, []
    for county in args.counties:
        sweep = run_county(county, args.seeds, folder, overrides)
        end = date.fromisoformat(str(OmegaConf.load(CONF_DIR / "history" / f"{county}.yaml").history.end))
        if end >= date.fromisoformat(SURVEY[1]):
            results[county] = survey_shares(sweep)
        figures += history_figure(county, sweep, folder)
    text = survey_table(results)
    (folder / "survey_check.txt").write_text(text + "\n")
    print(text)
    print(f"\nWritten to {folder}: survey_check.txt, " + ", ".join(p.name for p in figures if p.suffix == ".png"))


if __name__ == "__main__":
    main()
