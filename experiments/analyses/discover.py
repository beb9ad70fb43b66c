"""Scenario discovery: under which conditions does an outcome of interest happen?

    python -m experiments.discover                       # 64 samples x 4 scenarios x 2 seeds, 5,000 residents
    python -m experiments.discover --samples 16 --seeds 1 --residents 2000 --days 180        # a quick look
    python -m experiments.discover --group undocumented --fall 0.5 hydra/launcher=ray_cluster   # overrides go on

A Latin hypercube over the assumed parameters (the ranges of `experiments.analyses.sensitivity.UNCERTAIN`, which the
sensitivity analysis screens) gives `--samples` parameter sets. Each runs under every scenario of `--scenarios`
and under the baseline, `--seeds` times (replications), as one Hydra multirun: any launcher can take it, and
the same command with the same `--folder` resumes. A case is one sample under one scenario; it is of interest
when the group's outcome, averaged over seeds, falls more than `--fall` below the baseline's with the same
sample and seeds (by default: Latino residents' willingness to report falls more than 20% below no
collaboration). PRIM (Friedman & Fisher 1999, from the EMA Workbench, Kwakkel 2017: `pip install -e
".[discover]"`) then finds boxes, ranges of the parameters and sets of scenarios where such cases are dense.

Writes samples.parquet, cases.parquet, boxes.parquet (each box's restricted limits with its coverage, density
and mass), peeling.parquet, peeling_tradeoff.png/.svg and discovery.txt (a plain sentence per box).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.analyses.sensitivity import UNCERTAIN
from experiments.paths import RESULTS
from experiments.runs.cli import positive_int
from experiments.runs.config import policy_names
from experiments.runs.samples import SAMPLE_GROUP, claim_folder, run_analysis, run_samples, sample_frame
from experiments.workshop.vocabulary import group_name, label
from model import ParameterError

# the categorical lever's column: EMA reserves `policy` for its own, and its Prim drops a column named `scenario`
SCENARIO = "enforcement_scenario"
METRIC_WORDS = {"willingness_to_report_end": "chance of reporting a violent crime at the end of the run",
                "reporting_share": "share of crimes reported", "less_likely_share_end": "share less likely to call"}


def latin_hypercube(names: list[str], n: int, seed: int) -> pd.DataFrame:
    """`n` points of a Latin hypercube over the ranges of `names` (UNCERTAIN), one column per parameter."""
    from scipy.stats import qmc  # noqa: PLC0415

    lows, highs = np.array([UNCERTAIN[p] for p in names]).T
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(n)
    return sample_frame(qmc.scale(unit, lows, highs), names)


def cases(summary: pd.DataFrame, metric: str, group: str, baseline: str) -> pd.DataFrame:
    """Each sample under each scenario but the baseline: the group's outcome relative to the baseline's with the
    same sample and seed, averaged over seeds (`change`, e.g. -0.25 for a fall of 25%)."""
    rows = summary[summary["group"] == group]
    value = rows.pivot_table(index=[SAMPLE_GROUP, "seed"], columns="policy", values=metric)
    change = value.drop(columns=baseline).div(value[baseline], axis=0) - 1
    per_case = change.groupby(level=SAMPLE_GROUP).mean().stack().rename("change").reset_index()
    return per_case.rename(columns={"policy": SCENARIO})


def find_boxes(x: pd.DataFrame, y: np.ndarray, boxes: int, min_density: float) -> list[dict]:
    """Up to `boxes` PRIM boxes; on each peeling trajectory, the box with the most coverage among those at least
    `min_density` dense (else the densest, with `dense_enough` False). Each: its stats, trajectory and restricted
    limits."""
    try:
        from ema_workbench.analysis import prim  # noqa: PLC0415  (an optional extra)
    except ImportError:
        raise ParameterError("scenario discovery needs the EMA Workbench: pip install -e \".[discover]\"") from None
    finder = prim.Prim(x, y, peel_alpha=0.1, mass_min=0.05)
    found = []
    for _ in range(boxes):
        box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory
        dense = trajectory[trajectory["density"] >= min_density]
        chosen = int(dense["coverage"].idxmax() if len(dense) else trajectory["density"].idxmax())
        box.select(chosen)
        found.append({"stats": dict(box.stats), "trajectory": trajectory.copy(), "chosen": chosen,
                      "limits": restricted(box.box_lim, finder.box_init), "dense_enough": len(dense) > 0})
        if box.coverage == 1.0:
            break
    return found


def restricted(limits: pd.DataFrame, initial: pd.DataFrame) -> dict[str, tuple]:
    """The dimensions a box restricts: (low, high) for numbers, the kept set for categories. Read from the box's
    limits directly (PrimBox.inspect fails on a categorical limit under pandas 3.1)."""
    out = {}
    for name in limits.columns:
        low, high = limits[name].iloc[0], limits[name].iloc[1]
        if isinstance(low, set):
            if low != initial[name].iloc[0]:
                out[name] = (tuple(sorted(low)),)
        elif low > initial[name].iloc[0] or high < initial[name].iloc[1]:
            out[name] = (float(low), float(high))
    return out


def condition(name: str, limit: tuple, initial: pd.DataFrame) -> str:
    """One restriction in words."""
    if name == SCENARIO:
        return "the scenario is " + " or ".join(label(s) for s in limit[0])
    low, high = limit
    lo0, hi0 = initial[name].iloc[0], initial[name].iloc[1]
    if low > lo0 and high < hi0:
        return f"{name} is between {low:.3g} and {high:.3g}"
    return f"{name} is above {low:.3g}" if low > lo0 else f"{name} is below {high:.3g}"


def sentence(k: int, box: dict, interest: str, initial: pd.DataFrame, min_density: float) -> str:
    s = box["stats"]
    where = " and ".join(condition(n, lim, initial) for n, lim in box["limits"].items())
    region = f"It is where {where}." if where else "It restricts nothing: no range concentrates these cases."
    weak = ("" if box["dense_enough"] else f" No box on this peeling trajectory reaches the minimum density of "
            f"{min_density:.0%}: this is the densest, and weak evidence.")
    return (f"Box {k}: {interest} in {s['density']:.0%} of the cases inside this box, which holds {s['coverage']:.0%}"
            f" of all such cases ({s['mass']:.0%} of all cases lie inside). {region}{weak}")


def tradeoff_figure(found: list[dict], out: Path) -> list[Path]:
    """The peeling trade-off of each box: coverage against density, coloured by restricted dimensions."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from experiments.workshop.figures import save  # noqa: PLC0415  (matplotlib only here)

    fig, axes = plt.subplots(1, len(found), figsize=(5.5 * len(found), 4.6), squeeze=False)
    for k, (ax, box) in enumerate(zip(axes[0], found), start=1):
        t = box["trajectory"]
        drawn = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=28)
        chosen = t.loc[box["chosen"]]
        ax.scatter([chosen["coverage"]], [chosen["density"]], s=160, facecolors="none", edgecolors="#D55E00",
                   linewidths=2, label="box reported")
        ax.set_xlabel("coverage (share of all cases of interest inside)")
        ax.set_ylabel("density (share of cases inside that are of interest)")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_title(f"Box {k}: peeling trade-off", loc="left")
        ax.legend(loc="lower left", frameon=False)
        fig.colorbar(drawn, ax=ax, label="restricted dimensions (count)", ticks=range(int(t["res_dim"].max()) + 1))
    fig.tight_layout()
    return save(fig, out, "peeling_tradeoff")


RUN_ARGUMENTS = ("samples", "seeds", "residents", "days", "scenarios", "baseline", "parameters", "sample_seed")


def design(args: argparse.Namespace, overrides: list[str]) -> dict:
    """What makes the runs: the same again resumes a folder (and may re-analyse it with another --metric,
    --group, --fall, --boxes or --min-density)."""
    return {"overrides": overrides, **{k: getattr(args, k) for k in RUN_ARGUMENTS}}


def discover(args: argparse.Namespace, overrides: list[str]) -> str:
    names = args.parameters
    folder = args.folder
    claim_folder(folder, design(args, overrides), "design")
    samples = latin_hypercube(names, args.samples, args.sample_seed)
    summary = run_samples(folder, samples, [f"policy={','.join([args.baseline, *args.scenarios])}",
                                            f"seed=range(0,{args.seeds})", f"population.size={args.residents}",
                                            f"days={args.days}", f"hydra.callbacks.compare.baseline={args.baseline}",
                                            *overrides])
    table = cases(summary, args.metric, args.group, args.baseline)
    table = table.merge(samples, on=SAMPLE_GROUP)
    table["of_interest"] = table["change"] < -args.fall
    table.to_parquet(folder / "cases.parquet")
    x = table[[*names, SCENARIO]].astype({SCENARIO: "category"})
    found = find_boxes(x, table["of_interest"].to_numpy(), args.boxes, args.min_density)
    interest = (f"{group_name(args.group)}' {METRIC_WORDS.get(args.metric, args.metric)} falls more than "
                f"{args.fall:.0%} below {label(args.baseline).lower()} (mean over seeds)")
    initial = pd.DataFrame({n: [x[n].min(), x[n].max()] for n in names}
                           | {SCENARIO: [set(x[SCENARIO].cat.categories)] * 2})
    lines = [f"Scenario discovery: {len(table)} cases ({args.samples} samples x {len(args.scenarios)} scenarios, "
             f"{args.seeds} seed(s) each, {args.residents:,} residents, {args.days} days); of interest when "
             f"{interest}: {int(table['of_interest'].sum())} cases.", ""]
    lines += [sentence(k, box, interest, initial, args.min_density)
              for k, box in enumerate(found, start=1)] or ["PRIM found no box."]
    pd.DataFrame([{"box": k, **box["stats"], "limits": repr(box["limits"]), "dense_enough": box["dense_enough"]}
                  for k, box in enumerate(found, 1)]
                 ).to_parquet(folder / "boxes.parquet")
    pd.concat([box["trajectory"].assign(box=k) for k, box in enumerate(found, 1)] or [pd.DataFrame()]
              ).to_parquet(folder / "peeling.parquet")
    if found:
        tradeoff_figure(found, folder)
    text = "\n".join(lines)
    (folder / "discovery.txt").write_text(text + "\n")
    return text


def check_measure(metric: str, group: str) -> None:
    """The metric must be a column of the summary table and the group one of its groups (read off a tiny run)."""
    from experiments.api import simulate  # noqa: PLC0415

    summary = simulate("population.size=200", "days=1", "output.print_summary=false").summary
    if metric not in summary.columns:
        raise ParameterError(f"--metric {metric!r} is not a summary column; e.g. willingness_to_report_end, "
                             "reporting_share, victimizations_per_1000 (README, 'Outputs').")
    if group not in set(summary["group"]):
        raise ParameterError(f"--group {group!r} is not a group; choose from {', '.join(summary['group'])}.")


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m experiments.discover", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--samples", type=positive_int, default=64, help="parameter sets (Latin hypercube)")
    parser.add_argument("--seeds", type=positive_int, default=2, help="replications of each case")
    parser.add_argument("--residents", type=positive_int, default=5000, help="residents of each run")
    parser.add_argument("--days", type=positive_int, default=365, help="days of each run")
    parser.add_argument("--scenarios", default="secure_communities,287g_jail,287g_task_force",
                        help="comma-separated scenarios (the categorical lever), besides the baseline")
    parser.add_argument("--baseline", default="decoupled", help="the scenario each case is compared with")
    parser.add_argument("--parameters", default=",".join(UNCERTAIN), help="comma-separated uncertain parameters")
    parser.add_argument("--metric", default="willingness_to_report_end", help="a summary column")
    parser.add_argument("--group", default="latino", help="the group whose outcome counts")
    parser.add_argument("--fall", type=float, default=0.2, help="relative fall below the baseline that counts")
    parser.add_argument("--boxes", type=positive_int, default=2, help="boxes PRIM looks for, one after another")
    parser.add_argument("--min-density", type=float, default=0.8,
                        help="the least share of cases of interest inside a box that is reported")
    parser.add_argument("--sample-seed", type=int, default=0, help="seed of the Latin hypercube")
    parser.add_argument("--folder", type=Path, default=None,
                        help="where the runs and results go (default: results/discovery/<date>_<time>)")
    args, overrides = parser.parse_known_args(argv)
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.parameters = [p for p in args.parameters.split(",") if p]
    known = policy_names()
    for s in [args.baseline, *args.scenarios]:
        if s not in known:
            raise ParameterError(f"--scenarios/--baseline: {s!r} is not a scenario; choose from {', '.join(known)}.")
    if args.baseline in args.scenarios or not args.scenarios:
        raise ParameterError("--scenarios: give at least one scenario other than the baseline.")
    for p in args.parameters:
        if p not in UNCERTAIN:
            raise ParameterError(f"--parameters: {p!r} is not an uncertain parameter; choose from "
                                 f"{', '.join(UNCERTAIN)}.")
    if not 0 < args.fall < 1 or not 0 < args.min_density <= 1:
        raise ParameterError("--fall must be in (0, 1) and --min-density in (0, 1].")
    check_measure(args.metric, args.group)
    args.folder = args.folder or RESULTS / "discovery" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    return args, overrides


def analyse(args: argparse.Namespace, overrides: list[str]) -> str:
    """`discover`, with a metric or group missing from the runs' tables reported as bad input."""
    try:
        return discover(args, overrides)
    except KeyError as err:
        raise ParameterError(f"{err} is not in the runs' summary tables (check --metric and --group).") from None


def main(argv: list[str] | None = None) -> None:
    run_analysis("discover", parse, analyse, argv)


if __name__ == "__main__":
    main()
