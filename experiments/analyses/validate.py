"""Validation against published figures: run the scenarios the targets need, then compare.

    python -m experiments.validate                        # 10 seeds; scenarios 100,000 residents, histories 10,000
    python -m experiments.validate --seeds 3 population.size=2000 days=120     # extra args: Hydra overrides

The scenario runs need more residents than the county histories: shares of the few people ICE takes into
custody in a year (about 1 in 1,000 residents under Secure Communities) are too noisy below about 100,000
residents for the interval rule, while the histories' survey shares are narrow at 10,000 and run for years.
`population.size=N` among the overrides sets both.

Targets come from conf/validation/targets.yaml (published value, tolerance, source, and which scenario,
summary metric and group measure it, optionally as a share of another group's count or a ratio to another
metric; or which county histories, daily metric, group, date window and aggregate). A target is met when
the model's mean lies within the tolerance of the published value and its 95% interval is no wider than
the tolerance on either side.
The scenario runs go through the usual entry point as one Hydra multirun (in scenarios/), and each county
history a target needs as another (in histories/<county>/, run up to the last date needed), so they run
in parallel and resume. The table (target, source, model mean with its 95% interval across seeds,
pass/fail) is printed and written as validation.parquet and validation.txt in the folder.
"""

from __future__ import annotations

import argparse
import difflib
import math
import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from experiments.analyses.history import pool_by_seed, run_county, window_means
from experiments.paths import CONF_DIR, RESULTS, ROOT
from experiments.runs.cli import positive_int
from experiments.runs.compare import interval, load_sweep, natural_bounds
from experiments.runs.config import history_names, policy_names
from experiments.runs.launch import SweepFailed, run_sweep
from model import CommunityTrustModel, ModelParams, ParameterError
from model.outcomes import groups_over_cells, is_subgroup

TARGETS = CONF_DIR / "validation" / "targets.yaml"


@dataclass
class Target:
    """A published figure and how the model measures it."""

    id: str
    measure: str
    scenario: str
    metric: str
    group: str
    value: float
    tolerance: float
    source: str
    relative_to: str | None = None
    share_of: str | None = None     # a group: the metric of `group` as a share of the same metric of this group
    ratio_to: str | None = None     # a summary metric: the metric divided by this one, in the same group
    histories: list[str] = field(default_factory=list)   # county histories, pooled (weighted by county residents)
    window: list[str] = field(default_factory=list)      # [first, last] date the daily metric is taken over
    aggregate: str = "mean"         # of the daily metric over the window: mean (a share) or sum (a count)

    @property
    def until(self) -> str:
        return self.window[1] if self.histories else ""


def load_targets(path: Path = TARGETS) -> list[Target]:
    """The targets in `path`, checked: known fields, known scenarios, numbers where numbers belong."""
    try:
        raw = OmegaConf.load(path)
    except (OmegaConfBaseException, yaml.YAMLError) as err:
        raise ParameterError(f"{path}: not a valid targets file ({' '.join(str(err).split())}).") from None
    if not isinstance(raw, DictConfig) or not raw.get("targets"):
        raise ParameterError(f"{path}: no `targets:` list (see conf/validation/targets.yaml for the format).")
    targets = []
    for i, entry in enumerate(raw.targets):
        name = entry.get("id", f"#{i + 1}") if isinstance(entry, DictConfig) else f"#{i + 1}"
        try:
            targets.append(OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Target), entry)))
        except (OmegaConfBaseException, ValueError) as err:
            key = getattr(err, "full_key", "") or ""
            where = f"{key}: " if key else ""
            raise ParameterError(f"{path}: target {name}: {where}{str(err).splitlines()[0]}") from None
    known = set(policy_names())
    counties = set(history_names())
    for t in targets:
        if not t.tolerance > 0:
            raise ParameterError(f"{path}: target {t.id}: tolerance = {t.tolerance}: must be above 0.")
        if t.share_of and t.ratio_to:
            raise ParameterError(f"{path}: target {t.id}: give share_of or ratio_to, not both.")
        if t.aggregate not in ("mean", "sum"):
            raise ParameterError(f"{path}: target {t.id}: aggregate = {t.aggregate!r}: choose mean or sum.")
        if t.histories and (t.share_of or t.ratio_to):
            raise ParameterError(f"{path}: target {t.id}: share_of and ratio_to apply to scenario targets, "
                                 "not to histories.")
        if t.histories:
            _check_history_target(path, t, counties)
            continue
        for name in filter(None, (t.scenario, t.relative_to)):
            if name not in known:
                raise ParameterError(f"{path}: target {t.id}: scenario {name!r} is not one of: "
                                     f"{', '.join(sorted(known))}.")
    return targets


def _check_history_target(path: Path, t: Target, counties: set[str]) -> None:
    unknown = sorted(set(t.histories) - counties)
    if unknown:
        raise ParameterError(f"{path}: target {t.id}: histories {unknown} are not in conf/history/; "
                             f"choose from: {', '.join(sorted(counties))}.")
    try:
        first, last = (date.fromisoformat(d) for d in t.window)
    except (TypeError, ValueError):
        raise ParameterError(f"{path}: target {t.id}: window = {t.window}: give [first, last] as YYYY-MM-DD.") from None
    if last < first:
        raise ParameterError(f"{path}: target {t.id}: window ends ({last}) before it starts ({first}).")


def check_measures(path: Path, targets: list[Target]) -> None:
    """Every target's metric and group exist in the tables the model writes (checked before anything runs)."""
    summary_metrics, daily_metrics, groups = table_vocabulary()
    for t in targets:
        metrics, table = (daily_metrics, "daily.parquet") if t.histories else (summary_metrics, "summary.parquet")
        if t.metric not in metrics:
            close = difflib.get_close_matches(t.metric, metrics, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else f"see the columns of {table} (README, 'Outputs')"
            raise ParameterError(f"{path}: target {t.id}: metric {t.metric!r} is not a column of {table}; {hint}")
        for key, group in (("group", t.group), ("share_of", t.share_of)):
            if group is not None and group not in groups:
                raise ParameterError(f"{path}: target {t.id}: {key} {group!r} is not a group of the tables; "
                                     f"choose one of: {', '.join(sorted(groups))}.")
        if t.ratio_to is not None and t.ratio_to not in summary_metrics:
            close = difflib.get_close_matches(t.ratio_to, summary_metrics, n=3)
            raise ParameterError(f"{path}: target {t.id}: ratio_to {t.ratio_to!r} is not a column of summary.parquet"
                                 + (f"; did you mean {', '.join(close)}?" if close else "."))


def table_vocabulary() -> tuple[set[str], set[str], set[str]]:
    """The summary columns, daily columns and groups of the model's tables, read off a tiny default run."""
    params = ModelParams(days=2)
    params.population = replace(params.population, size=200)
    tables = CommunityTrustModel(params, rng=0, create_agents=False).run().tables()
    ids = {"day", "group"}
    return set(tables["summary"]) - ids, set(tables["daily"]) - ids, set(tables["summary"]["group"].tolist())


def scenarios_needed(targets: list[Target]) -> list[str]:
    return sorted({n for t in targets if not t.histories for n in (t.scenario, t.relative_to) if n})


def histories_needed(targets: list[Target]) -> dict[str, str]:
    """County -> the last date any target needs from its history."""
    needed: dict[str, str] = {}
    for t in targets:
        for county in t.histories:
            needed[county] = max(needed.get(county, ""), t.until)
    return needed


def measure(summary: pa.Table, target: Target, dailies: dict[str, pa.Table] | None = None) -> np.ndarray:
    """The target's metric per seed: from the scenario's summary (as a share of `share_of`'s count or a ratio
    to `ratio_to` if given; then as the relative change against `relative_to`, paired by seed, if given), or,
    for a history target, the daily metric's mean or sum over the window in each county's history, pooled
    over the counties (weighted by their residents in the group)."""
    if target.histories:
        window = tuple(target.window)
        per_county = {}
        for county in target.histories:
            if dailies is None or county not in dailies:
                raise ParameterError(f"target {target.id}: no daily table of the {county} history.")
            per_county[county] = window_means(dailies[county], window, (target.group,), target.metric,
                                              target.aggregate)[target.group]
        return pool_by_seed(per_county, target.group)
    s = summary.to_pydict()
    for metric in filter(None, (target.metric, target.ratio_to)):
        if metric not in s:
            raise ParameterError(f"target {target.id}: metric {metric!r} is not a summary column.")

    def by_seed(policy: str, metric: str, group: str) -> dict[int, float]:
        return {seed: value for p, g, seed, value in zip(s["policy"], s["group"], s["seed"], s[metric])
                if p == policy and g == group}

    def values(policy: str) -> dict[int, float]:
        mine = by_seed(policy, target.metric, target.group)
        if target.share_of is None and target.ratio_to is None:
            return mine
        whole = by_seed(policy, target.ratio_to or target.metric, target.share_of or target.group)
        return {k: v / whole[k] if whole.get(k) else math.nan for k, v in mine.items()}

    scenario = values(target.scenario)
    if target.relative_to is None:
        return np.array(list(scenario.values()), dtype=float)
    base = values(target.relative_to)
    # a seed whose baseline value is 0 (or missing) has no relative change: NaN, left out of the interval
    return np.array([(v - base[k]) / base[k] if base.get(k) else math.nan for k, v in scenario.items()], dtype=float)


def bounds(target: Target, summary: pa.Table) -> tuple[float, float]:
    """The range the target's quantity can take, to clip its interval to: [0, 1] for a share (a share_of whose group
    lies within the other and whose metric is a count, or a metric that is a share itself), [0, inf) for a ratio
    (share_of between groups that are not nested, or of rates; ratio_to)."""
    if target.ratio_to:
        return 0.0, math.inf
    if target.share_of:
        groups = set(summary.column("group").to_pylist())
        labels = [g.removesuffix("_citizen") for g in groups if g.endswith("_citizen") and g != "citizen"]
        count = natural_bounds(target.metric) == (0.0, math.inf)
        nested = {target.group, target.share_of} <= set(groups_over_cells(labels)) and \
            is_subgroup(target.group, target.share_of, labels)
        return (0.0, 1.0) if count and nested else (0.0, math.inf)
    return natural_bounds(target.metric)


def validation_table(summary: pa.Table, targets: list[Target],
                     dailies: dict[str, pa.Table] | None = None) -> dict[str, list]:
    rows: dict[str, list] = {k: [] for k in ("id", "measure", "scenario", "value", "tolerance", "model", "ci_low",
                                              "ci_high", "seeds", "passed", "narrow", "source")}
    for t in targets:
        values = measure(summary, t, dailies)
        mean, lo, hi = interval(values)
        if t.relative_to is None:
            floor, ceiling = bounds(t, summary)
            lo, hi = max(lo, floor), min(hi, ceiling)
        close = abs(mean - t.value) <= t.tolerance
        narrow = not math.isnan(lo) and (hi - lo) / 2 <= t.tolerance
        label = t.scenario if t.relative_to is None else f"{t.scenario} vs {t.relative_to}"
        label = f"histories {t.window[0][:7]}" if t.histories else label
        for key, value in (("id", t.id), ("measure", t.measure), ("scenario", label), ("value", t.value),
                           ("tolerance", t.tolerance), ("model", mean), ("ci_low", lo), ("ci_high", hi),
                           ("seeds", len(values)), ("passed", bool(close and narrow)), ("narrow", bool(narrow)),
                           ("source", " ".join(t.source.split()))):
            rows[key].append(value)
    return rows


def _verdict(rows: dict[str, list], i: int) -> str:
    if rows["passed"][i]:
        return "pass"
    return "FAIL" if rows["narrow"][i] else "FAIL (interval wider than the tolerance: more seeds or residents)"


def format_validation(rows: dict[str, list]) -> str:
    lines = [f"{'target':<36}{'scenario':<32}{'published':>12}{'model [95% CI]':>28}  result"]
    for i, target in enumerate(rows["id"]):
        ci = "" if math.isnan(rows["ci_low"][i]) else f" [{rows['ci_low'][i]:.3f}, {rows['ci_high'][i]:.3f}]"
        lines.append(f"{target:<36}{rows['scenario'][i]:<32}{rows['value'][i]:>6.3f} ± {rows['tolerance'][i]:<5.3g}"
                     f"{rows['model'][i]:>14.3f}{ci:<16}  {_verdict(rows, i)}")
    passed = sum(rows["passed"])
    lines += ["", f"{passed} of {len(rows['id'])} targets met (model mean within the published value's tolerance, "
              "and its 95% interval no wider than the tolerance on either side)."]
    lines += ["", "Sources:"] + [f"  {t}: {s}" for t, s in zip(rows["id"], rows["source"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=Path, default=TARGETS,
                        help=f"the targets file (default: {TARGETS.relative_to(ROOT)})")
    parser.add_argument("--seeds", type=positive_int, default=10, help="seeds per scenario (default: 10)")
    parser.add_argument("--folder", type=Path, default=None, help="sweep folder (default results/validation/<time>)")
    parser.add_argument("--residents", type=positive_int, default=100_000,
                        help="residents in each scenario run (default: 100,000)")
    parser.add_argument("--history-residents", type=positive_int, default=10_000,
                        help="residents in each county history run (default: 10,000)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is not met")
    args, overrides = parser.parse_known_args(argv)
    if sizes := [o.split("=", 1)[1] for o in overrides if o.startswith("population.size=")]:
        args.residents = args.history_residents = sizes[-1]
        overrides = [o for o in overrides if not o.startswith("population.size=")]
    try:
        if not args.targets.is_file():
            raise ParameterError(f"--targets {args.targets}: no such file.")
        targets = load_targets(args.targets)
        check_measures(args.targets, targets)
    except ParameterError as err:
        print(f"validate: {err}", file=sys.stderr)
        sys.exit(2)
    folder = args.folder or RESULTS / "validation" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    summary = pa.table({})
    if scenarios := scenarios_needed(targets):
        try:
            run_sweep(folder / "scenarios", [f"policy={','.join(scenarios)}", f"seed=range(0,{args.seeds})",
                                             "hydra.callbacks.compare.baseline=decoupled",
                                             f"population.size={args.residents}", *overrides])
        except SweepFailed as err:
            print(err, file=sys.stderr)
            sys.exit(err.returncode)
        summary = load_sweep(folder / "scenarios")
    dailies = {county: load_sweep(run_county(county, args.seeds, folder / "histories",
                                             [f"history.until={until}", f"population.size={args.history_residents}",
                                              *overrides]), "daily")
               for county, until in histories_needed(targets).items()}
    rows = validation_table(summary, targets, dailies)
    text = format_validation(rows)
    pq.write_table(pa.table(rows), folder / "validation.parquet")
    (folder / "validation.txt").write_text(text + "\n")
    print(text)
    print(f"\nWritten: {folder / 'validation.txt'} and validation.parquet")
    if args.strict and not all(rows["passed"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
