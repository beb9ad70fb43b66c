"""Sweep speed: the same scenarios x seeds sweep with Hydra's basic launcher (serial) and the joblib
launcher (one process per core), timed end to end, and the speed-up; and the share of a serial sweep's time
per run that is not the model itself (Hydra's composition, run bookkeeping, table writing, start-up), against
the same runs built, run and tabled in one process.

    .venv/bin/python benchmarks/bench_sweep.py                 # 7 scenarios x 10 seeds at 10,000 residents
    .venv/bin/python benchmarks/bench_sweep.py --seeds 3 --size 5000

Not a test: it prints figures for the closing notes and docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_sweep(folder: Path, launcher: list[str], size: int, seeds: int, days: int) -> float:
    from experiments.runs.config import SCENARIO_ORDER  # noqa: PLC0415

    cmd = [sys.executable, "-m", "experiments.run", "-m", f"policy={','.join(SCENARIO_ORDER)}",
           f"seed=range(0,{seeds})", f"population.size={size}", f"days={days}", f"hydra.sweep.dir={folder}",
           f"output.root={folder}", "output.print_summary=false", *launcher]
    clock = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - clock


def model_time(size: int, days: int, seeds: int) -> float:
    """Mean seconds per run of the scenarios x seeds built, run and tabled in this process."""
    from experiments.api import model_params  # noqa: PLC0415
    from experiments.runs.config import SCENARIO_ORDER as scenarios  # noqa: PLC0415
    from model import CommunityTrustModel  # noqa: PLC0415

    clock = time.perf_counter()
    for policy in scenarios:
        params, _ = model_params([f"policy={policy}", f"population.size={size}", f"days={days}"])
        for seed in range(seeds):
            CommunityTrustModel(params, rng=seed).run().tables()
    return (time.perf_counter() - clock) / (len(scenarios) * seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    model_s = model_time(args.size, args.days, args.seeds)
    try:
        serial = timed_sweep(work / "basic", ["hydra/launcher=basic"], args.size, args.seeds, args.days)
        parallel = timed_sweep(work / "joblib", ["hydra/launcher=joblib"], args.size, args.seeds, args.days)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    runs = 7 * args.seeds
    print(f"{runs} runs ({args.size:,} residents, {args.days} days), {os.cpu_count()} cores")
    print(f"basic launcher (serial):   {serial:7.1f} s  ({serial / runs:.2f} s a run)")
    print(f"joblib launcher (n_jobs=-1): {parallel:5.1f} s  ({parallel / runs:.2f} s a run)")
    print(f"speed-up: {serial / parallel:.2f}x")
    print(f"the model alone (build, run, tables; {args.seeds} seeds of each scenario in one process): "
          f"{model_s:.2f} s a run; the rest of a serial sweep's run: {1 - model_s / (serial / runs):.0%}")


if __name__ == "__main__":
    main()
