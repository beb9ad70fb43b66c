"""Whether runs give the same tables whatever the processor offers: the same runs under numpy's default dispatch,
without its AVX-512 paths, with its baseline only, and with glibc's forms of exp/log/pow for processors without
FMA; each table compared with the default's (integer columns: equal or not; float columns: the largest relative
difference, and the largest absolute one where values are near zero).

    .venv/bin/python benchmarks/same_everywhere.py                       # 9 scenarios x 10 seeds, 5,000 residents
    .venv/bin/python benchmarks/same_everywhere.py --seeds 2 --size 2000 --days 120

Not a test (tests/test_same_on_any_cpu.py is): it prints the figures README and docs/performance.md quote.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from experiments.runs.testing import cpu_settings  # noqa: E402  (the settings the tests run under too)

SETTINGS = cpu_settings()


def run_all(folder: Path, policies: list[str], seeds: int, size: int, days: int) -> None:
    """In this process: every run's tables into folder/<policy>_<seed>.npz."""
    from experiments.api import simulate  # noqa: PLC0415

    for policy in policies:
        for seed in range(seeds):
            result = simulate(f"policy={policy}", f"population.size={size}", f"days={days}", seed=seed)
            columns = {f"{name}.{c}": getattr(result, name)[c].to_numpy() for name in ("summary", "daily")
                       for c in getattr(result, name).columns}
            np.savez(folder / f"{policy}_{seed}.npz", **{k: v for k, v in columns.items() if v.dtype != object})


def is_count(values: np.ndarray) -> bool:
    """Integers, or floats that are all whole numbers (the tables keep many counts as floats)."""
    return values.dtype.kind in "iub" or bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def compare(reference: Path, other: Path) -> dict:
    """Runs whose counts differ (a count column, or which values are missing), and how far the other floats moved."""
    runs, counts_differ, worst_rel, worst_abs = 0, 0, 0.0, 0.0
    for path in sorted(reference.glob("*.npz")):
        a, b = np.load(path), np.load(other / path.name)
        runs += 1
        same_counts = True
        for name in a.files:
            x, y = a[name], b[name]
            if is_count(x) and is_count(y):
                same_counts &= bool(np.array_equal(x, y))
                continue
            same_counts &= bool(np.array_equal(np.isnan(x), np.isnan(y)))
            both = np.isfinite(x) & np.isfinite(y)
            diff = np.abs(x[both] - y[both])
            scale = np.maximum(np.abs(x[both]), np.abs(y[both]))
            big = scale > 1e-3
            worst_rel = max(worst_rel, float((diff[big] / scale[big]).max(initial=0.0)))
            worst_abs = max(worst_abs, float(diff[~big].max(initial=0.0)))
        counts_differ += not same_counts
    return {"runs": runs, "runs_whose_counts_differ": counts_differ,
            "largest_relative_float_difference": worst_rel, "largest_absolute_float_difference_near_zero": worst_abs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    policies = sorted(p.stem for p in (ROOT / "conf" / "policy").glob("*.yaml"))
    parser.add_argument("--policies", nargs="*", default=policies)
    parser.add_argument("--folder", type=Path, help="keep the runs' tables here (default: a temporary folder)")
    parser.add_argument("--compare-only", action="store_true", help="compare the tables already in --folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_all(Path(args.child), args.policies, args.seeds, args.size, args.days)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root, folders = args.folder or Path(tmp), {}
        for name, env in SETTINGS.items():
            folders[name] = root / name.replace(" ", "_")
            if args.compare_only:
                continue
            folders[name].mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, __file__, "--child", str(folders[name]), "--seeds", str(args.seeds),
                            "--size", str(args.size), "--days", str(args.days), "--policies", *args.policies],
                           env={**os.environ, **env}, check=True, cwd=ROOT)
        print(f"{len(args.policies)} scenarios x {args.seeds} seeds, {args.size:,} residents, {args.days} days")
        for name in SETTINGS:
            if name != "default":
                print(f"{name}: {compare(folders['default'], folders[name])}")


if __name__ == "__main__":
    main()
