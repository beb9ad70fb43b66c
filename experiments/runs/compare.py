"""Scenario comparison: per-scenario means with 95% confidence intervals across seeds, and each scenario's
difference from a baseline scenario, paired by seed (common random numbers make the pairing tight).

    python -m experiments.compare results/sweeps/<date_time> [--baseline decoupled]

Reads the summary tables of the finished runs in a sweep folder, prints the headline table, and writes
`comparison.parquet` (every metric and group, tidy) and `comparison.txt` (the printed table) beside them.
At the end of every Hydra multirun the `CompareScenarios` callback does the same.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.runs import scenarios
from experiments.runs.config import in_scenario_order
from experiments.runs.runfolder import COMPLETE_MARKER, inspect_run, write_atomically

HEADLINES = (
    ("all", "victimizations_per_1000", "Victimizations per 1,000 residents a year", "{:.1f}"),
    ("all", "unreported_per_1000", "Unreported crimes per 1,000 residents a year", "{:.1f}"),
    ("all", "reporting_share", "Share of crimes reported", "{:.1%}"),
    ("all", "witness_cooperation", "Witnesses who cooperate", "{:.1%}"),
    ("all", "violent_clearance_rate", "Reported violent crimes cleared", "{:.1%}"),
    ("undocumented", "willingness_to_report_end", "Undocumented residents' chance of reporting a violent crime",
     "{:.0%}"),
    ("undocumented", "less_likely_share_end", "Undocumented residents less likely to call", "{:.0%}"),
    ("citizen_mixed_status", "less_likely_share_end", "Citizens in mixed-status households less likely to call",
     "{:.0%}"),
    ("latino", "less_likely_share_end", "Latino residents less likely to call", "{:.0%}"),
    ("undocumented", "mean_trust_end", "Trust in police, undocumented residents (0-1)", "{:.2f}"),
    ("all", "removals", "Removals", "{:.1f}"),
    ("all", "removals_no_conviction", "Removals of people with no conviction", "{:.1f}"),
    ("mixed_status_household", "removals", "Removals from mixed-status households", "{:.1f}"),
    ("all", "wrongly_held", "Citizens and lawful residents wrongly held", "{:.1f}"),
    ("all", "holds_without_warrant", "Holds without a judicial warrant", "{:.1f}"),
    ("all", "jail_days_immigration", "Local jail-days for immigration", "{:.1f}"),
    ("all", "officer_hours_immigration", "Officer hours on immigration work", "{:.0f}"),
)


def complete_runs(folder: Path, report_damaged: bool = True) -> list[Path]:
    """The finished run folders under `folder`, in a stable order: those whose run.json is valid and whose files
    match its sizes and checksums. Damaged runs are left out and, with `report_damaged`, named on stderr."""
    done, damaged = [], []
    for marker in sorted(Path(folder).rglob(COMPLETE_MARKER)):
        state = inspect_run(marker.parent)
        if state.complete:
            done.append(marker.parent)
        else:
            damaged.append(f"  {marker.parent}: {state.problem}")
    if damaged and report_damaged:
        print(f"Left out {len(damaged)} damaged run(s); run the same sweep command again to recompute them:\n"
              + "\n".join(damaged), file=sys.stderr)
    return done


def setting(overrides: list[str]) -> str:
    """What a run's overrides set besides its scenario and seed (and output options): e.g.
    'population.size=50000'. Runs of one sweep that share a setting are compared with each other."""
    skip = ("policy", "seed", "output.", "hydra.", "hydra/", "experiment=")
    kept = [o.lstrip("+~") for o in overrides if not o.lstrip("+~").startswith(skip)]
    return ", ".join(sorted(kept))


def load_sweep(folder: Path, table: str = "summary", columns: list[str] | None = None,
               runs: list[Path] | None = None) -> pa.Table:
    """One table ('summary' or 'daily') of every finished run under `folder` (only `columns`, if given), with
    `run` (its folder) and `setting` (its overrides other than scenario and seed) columns. `runs`: the finished
    runs, if the caller has them from `complete_runs` (which checks every file's checksum)."""
    parts = []
    for run in runs if runs is not None else complete_runs(folder, report_damaged=table == "summary"):
        t = pq.read_table(run / f"{table}.parquet", columns=columns)
        meta = json.loads((run / COMPLETE_MARKER).read_text())
        overrides = meta.get("overrides", [])
        scenarios.learn(meta.get("policy", ""), meta.get("scenario"))
        t = t.append_column("run", pa.array([str(run.relative_to(folder))] * t.num_rows))
        parts.append(t.append_column("setting", pa.array([setting(overrides)] * t.num_rows)))
    if not parts:
        raise FileNotFoundError(f"no finished runs (folders with {COMPLETE_MARKER}) under {folder}")
    return pa.concat_tables(parts, promote_options="default")


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of the mean; NaN bounds for fewer than two values."""
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = _t_quantile(len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return mean, mean - half, mean + half


@functools.cache
def _t_quantile(dof: int) -> float:
    """The 97.5% quantile of Student's t with `dof` degrees of freedom."""
    from scipy.special import stdtrit  # noqa: PLC0415  (half a second to import: not for every run's start)

    return stdtrit(dof, 0.975)


def natural_bounds(metric: str) -> tuple[float, float]:
    """The range a metric's mean can take: shares and rates in [0, 1], counts and beliefs at least 0."""
    if "_change" in metric:
        return -1.0, 1.0
    if metric.endswith(("_share", "_share_end", "_rate", "cooperation")) or "willingness" in metric:
        return 0.0, 1.0
    return 0.0, math.inf


def intervals(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`interval` of each row of a 2-D block (one row per metric, one column per run), with the same arithmetic:
    numpy reduces each row of a C-contiguous block as it reduces a 1-D array. Rows with NaN go one by one."""
    rows, k = block.shape
    mean, low, high = np.full(rows, math.nan), np.full(rows, math.nan), np.full(rows, math.nan)
    clean = ~np.isnan(block).any(axis=1)
    if k and clean.any():
        values = np.ascontiguousarray(block[clean])
        mean[clean] = values.mean(axis=1)
        if k > 1:
            half = _t_quantile(k - 1) * values.std(axis=1, ddof=1) / math.sqrt(k)
            low[clean], high[clean] = mean[clean] - half, mean[clean] + half
    for i in np.flatnonzero(~clean):
        mean[i], low[i], high[i] = interval(block[i])
    return mean, low, high


def compare(summary: pa.Table, baseline: str | None = None) -> dict[str, np.ndarray]:
    """Tidy comparison: one row per setting, policy, group and metric, with the mean over seeds, its 95%
    interval (kept within the metric's natural range), and the difference from the `baseline` scenario in the
    same setting, paired by seed, with its interval (NaN without a baseline)."""
    cols = summary.to_pydict()
    n = summary.num_rows
    policy, group, seed = (np.array(cols[k], dtype=object) for k in ("policy", "group", "seed"))
    settings = np.array(cols.get("setting", [""] * n), dtype=object)
    metrics = [k for k in cols if k not in ("city", "history", "policy", "seed", "group", "run", "setting")]
    values = np.array([cols[m] for m in metrics], dtype=float).reshape(len(metrics), n)   # a row per metric
    bounds = [natural_bounds(m) for m in metrics]
    rows = []
    for s in sorted(set(settings.tolist())):
        for p in in_scenario_order(policy[settings == s].tolist()):
            for g in _ordered(group):
                mine = np.flatnonzero((settings == s) & (policy == p) & (group == g))
                mean, lo, hi = intervals(values[:, mine])
                paired, base = _pairs(seed, mine, np.flatnonzero((settings == s) & (policy == baseline) & (group == g)))
                nan = np.full(len(metrics), math.nan)
                d_mean, d_lo, d_hi = intervals(values[:, paired] - values[:, base]) if len(paired) else (nan,) * 3
                for j, metric in enumerate(metrics):
                    floor, ceiling = bounds[j]
                    rows.append((s, p, g, metric, len(mine), mean[j], max(lo[j], floor), min(hi[j], ceiling),
                                 baseline or "", d_mean[j], d_lo[j], d_hi[j],   # max, min: NaN stays NaN
                                 *(resolution(d_mean[j], d_lo[j], d_hi[j]) if p != baseline else (math.nan,) * 2)))
    names = ("setting", "policy", "group", "metric", "seeds", "mean", "ci_low", "ci_high", "baseline", "diff",
             "diff_low", "diff_high", "resolved", "more_needed")
    text = {"setting", "policy", "group", "metric", "baseline"}
    return {name: np.array([r[i] for r in rows], dtype=object if name in text else float)
            for i, name in enumerate(names)}


def resolution(diff: float, low: float, high: float) -> tuple[float, float]:
    """Is a paired difference resolved (its 95% interval excludes 0: 1.0, else 0.0; NaN if unknown), and if not,
    about how many times more seeds would resolve it: the interval's half-width shrinks as 1/sqrt(seeds), so
    (half-width / difference)^2. For per-resident rates and for counts alike, as many times more residents
    would do about the same. Inf when the difference is 0 (no effect seen to resolve)."""
    if math.isnan(low) or math.isnan(diff):
        return math.nan, math.nan
    if low > 0 or high < 0:
        return 1.0, 1.0
    half = (high - low) / 2
    return 0.0, (half / abs(diff)) ** 2 if diff != 0 else math.inf


def _pairs(seed: np.ndarray, rows: np.ndarray, base_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `rows` whose seed the baseline's rows have, in order, and the baseline's row of each seed."""
    base = dict(zip(seed[base_rows].tolist(), base_rows.tolist()))
    paired = [r for r in rows.tolist() if seed[r] in base]
    return np.array(paired, dtype=int), np.array([base[seed[r]] for r in paired], dtype=int)


def _ordered(values: np.ndarray) -> list:
    """Distinct values in order of first appearance."""
    return list(dict.fromkeys(values.tolist()))


def format_comparison(table: dict[str, np.ndarray], title: str = "") -> str:
    """The headline outcomes, one line per outcome and scenario: mean [95% CI] and the difference from baseline."""
    several = len(set(table["setting"].tolist())) > 1
    labels = np.array([f"{p} | {s}" if several and s else p for s, p in zip(table["setting"], table["policy"])],
                      dtype=object)
    key = {(p, g, m): i for i, (p, g, m) in enumerate(zip(labels, table["group"], table["metric"]))}
    policies = _ordered(labels)
    baseline = table["baseline"][0] if len(table["baseline"]) else ""
    seeds = int(max(table["seeds"])) if len(table["seeds"]) else 0
    width = max(len(p) for p in policies) + 2
    lines = [title or "Scenario comparison",
             f"mean over {seeds} seeds [95% confidence interval]"
             + (f"; difference from {baseline}, paired by seed; * its interval leaves out zero" if baseline else "")]
    for group, metric, label, fmt in HEADLINES:
        lines += ["", label]
        for p in policies:
            i = key.get((p, group, metric))
            if i is None:
                continue
            text = estimate_text(fmt, table["mean"][i], table["ci_low"][i], table["ci_high"][i])
            if baseline and table["policy"][i] != baseline and not math.isnan(table["diff"][i]):
                diff = estimate_text(fmt, table["diff"][i], table["diff_low"][i], table["diff_high"][i], signed=True)
                text = f"{text:<34} {diff}"
                text += " *" if table["resolved"][i] == 1 else ""
            lines.append(f"  {p:<{width}}{text}")
    return "\n".join(lines)


def estimate_text(fmt: str, mean: float, lo: float, hi: float, signed: bool = False) -> str:
    """'mean [lo, hi]' in `fmt` (with a sign, for differences), 'n/a' without a mean, the mean alone without
    an interval."""
    if signed:
        fmt = fmt.replace("{:", "{:+")
    if math.isnan(mean):
        return "n/a"
    if math.isnan(lo):
        return fmt.format(mean)
    return f"{fmt.format(mean)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def runs_signature(folder: Path, runs: list[Path]) -> str:
    """What identifies a set of finished runs: each run's folder and its run.json (which holds every file's
    checksum). A comparison, the figures and the report made from the same runs carry the same signature."""
    digest = hashlib.sha256()
    for run in sorted(runs):
        digest.update(str(Path(run).relative_to(folder)).encode() + b"\0" + (run / COMPLETE_MARKER).read_bytes())
    return digest.hexdigest()


def coverage(summary: pa.Table) -> str:
    """Which runs a comparison covers, in words: each scenario's seeds ('decoupled 5 seeds, 0-4')."""
    s = summary.select(["policy", "seed", "run"]).to_pydict()
    runs = set(s["run"])
    seeds: dict[str, set[int]] = {}
    for policy, seed in zip(s["policy"], s["seed"]):
        seeds.setdefault(policy, set()).add(seed)
    covers = f"Covers {len(runs)} finished run{'s' if len(runs) != 1 else ''}: "
    first = next(iter(seeds.values()))
    if len(seeds) > 1 and all(s == first for s in seeds.values()) and len(runs) == len(seeds) * len(first):
        plural = "s" if len(first) > 1 else ""
        return covers + f"{len(seeds)} scenarios x {len(first)} seed{plural} ({_ranges(sorted(first))})."
    parts = [f"{p} {len(seeds[p])} seed{'s' if len(seeds[p]) > 1 else ''} ({_ranges(sorted(seeds[p]))})"
             for p in in_scenario_order(seeds)]
    return covers + "; ".join(parts) + "."


def _ranges(values: list[int]) -> str:
    """'0-4, 7, 9-10' for [0, 1, 2, 3, 4, 7, 9, 10]."""
    out, start = [], None
    for i, v in enumerate(values):
        start = v if start is None else start
        if i + 1 == len(values) or values[i + 1] != v + 1:
            out.append(f"{start}" if start == v else f"{start}-{v}")
            start = None
    return ", ".join(out)


def compare_folder(folder: Path, baseline: str | None, runs: list[Path] | None = None) -> str:
    """Compare the finished runs of a sweep folder (or `runs`, a checked set of them); write comparison.parquet
    (its metadata: the runs' signature and the baseline) and comparison.txt, each whole or not at all; return
    the text, which says which runs it covers.

    A `baseline` that is not among the sweep's scenarios leaves the differences out, with a note saying so."""
    folder = Path(folder)
    runs = complete_runs(folder) if runs is None else runs
    summary = load_sweep(folder, runs=runs)
    policies = in_scenario_order(summary.column("policy").to_pylist())
    note = ""
    if baseline and baseline not in policies:
        note = (f"\nNo differences shown: baseline {baseline!r} is not among this sweep's scenarios "
                f"({', '.join(policies)}); choose one of them with hydra.callbacks.compare.baseline=<scenario>.")
    table = compare(summary, baseline if baseline in policies else None)
    text = format_comparison(table, f"Scenario comparison: {folder}") + "\n" + coverage(summary) + note
    arrow = pa.table({k: v.tolist() if v.dtype == object else v for k, v in table.items()}).replace_schema_metadata(
        {"runs_signature": runs_signature(folder, runs), "baseline": baseline or ""})
    write_atomically(folder / "comparison.parquet", lambda path: pq.write_table(arrow, path))
    write_atomically(folder / "comparison.txt", lambda path: path.write_text(text + "\n"))
    return text


def comparison_of(folder: Path, runs: list[Path], baseline: str) -> dict[str, list]:
    """The comparison of exactly these runs against `baseline`: comparison.parquet where it was made from them
    (its signature) and reads whole, else made again from them (and written)."""
    path = Path(folder) / "comparison.parquet"
    try:
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        if (meta.get(b"runs_signature", b"").decode() == runs_signature(folder, runs)
                and meta.get(b"baseline", b"").decode() == baseline):
            return table.to_pydict()
    except (OSError, pa.ArrowInvalid):
        pass   # missing, truncated or not a table: made again below
    compare_folder(folder, baseline, runs)
    return pq.read_table(path).to_pydict()


def cannot_write(command: str, err: OSError) -> NoReturn:
    """Stop a command that reads a sweep folder and could not write its output: one line, exit 4."""
    where = err.filename or "its output"
    print(f"{command}: cannot write {where}: {err.strerror or err}. Nothing partial was left (the earlier files, "
          "if any, are as they were); free space or make the folder writable and run the command again.",
          file=sys.stderr)
    sys.exit(4)


def require_runs(folder: Path, command: str, baseline: str | None = None) -> None:
    """For the commands that read a sweep folder: stop with a one-line message if it holds no finished run,
    or if `baseline` is not one of its scenarios."""
    folder = Path(folder)
    if not folder.is_dir():
        problem = "does not exist" if not folder.exists() else "is not a folder"
        sys.exit(f"{command}: {folder} {problem}; give a sweep folder, e.g. results/sweeps/<date_time>.")
    try:
        summary = load_sweep(folder)
    except FileNotFoundError:
        sys.exit(f"{command}: no finished runs (folders with a valid {COMPLETE_MARKER}) under {folder}; run a sweep "
                 "into it first (python -m experiments.run -m ... hydra.sweep.dir=<folder>).")
    if baseline:
        policies = in_scenario_order(summary.column("policy").to_pylist())
        if baseline not in policies:
            sys.exit(f"{command}: baseline {baseline!r} is not among the scenarios under {folder} "
                     f"({', '.join(policies)}); choose one of them with --baseline.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a sweep folder (or any folder holding run folders)")
    parser.add_argument("--baseline", default="decoupled", help="scenario to compare against (default: decoupled)")
    args = parser.parse_args(argv)
    require_runs(args.folder, "compare", args.baseline)
    try:
        print(compare_folder(args.folder, args.baseline))
    except OSError as err:
        cannot_write("compare", err)


if __name__ == "__main__":
    main()
