"""Sweep speed: the same scenarios x seeds sweep with Hydra's basic launcher (serial) and the joblib
launcher (one process per core), timed end to end, and the speed-up; and the share of a serial sweep's time
that is not the model itself (Hydra's start-up and composition, run bookkeeping, tables and their writing, the
comparison), two ways:
- in the same sweep: its wall time less its runs' build and run times (their run.json) and less the start of a
  process that only imports the model (Python, Mesa, numpy, scipy, networkx), which any script of the runs pays;
- against the same runs by a plain script in a process of its own, timed from its start, without the composing
  of its parameters, run either side of the serial sweep (the machine drifts by 10% and more between runs).
The older figure (the runs timed inside one process after its imports) is printed too.

    .venv/bin/python benchmarks/bench_sweep.py                 # 7 scenarios x 10 seeds at 10,000 residents
    .venv/bin/python benchmarks/bench_sweep.py --seeds 3 --size 5000

Not a test: it prints figures for the closing notes and docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def runs_inside(folder: Path) -> float:
    """Seconds the sweep's runs spent building and running their models, as their run.json files record."""
    return sum(json.loads(p.read_text())["elapsed_seconds"] for p in folder.rglob("run.json"))


def import_time() -> float:
    """Wall seconds of a process that only starts Python and imports the model (Mesa, numpy, scipy, networkx):
    the least of three."""
    times = []
    for _ in range(3):
        clock = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import model.model"], cwd=ROOT, check=True)
        times.append(time.perf_counter() - clock)
    return min(times)


def timed_sweep(folder: Path, launcher: list[str], size: int, seeds: int, days: int) -> float:
    from experiments.runs.scenarios import compared  # noqa: PLC0415

    cmd = [sys.executable, "-m", "experiments.run", "-m", f"policy={','.join(compared())}",
           f"seed=range(0,{seeds})", f"population.size={size}", f"days={days}", f"hydra.sweep.dir={folder}",
           f"output.root={folder}", "output.print_summary=false", *launcher]
    clock = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - clock


PLAIN_SCRIPT = """
import sys, time
composing = 0.0
clock = time.perf_counter()
from experiments.api import model_params
from experiments.runs.scenarios import compared
from model import CommunityTrustModel
size, days, seeds = map(int, sys.argv[1:4])
runs = 0.0
for policy in compared():
    start = time.perf_counter()
    params, _ = model_params([f"policy={policy}", f"population.size={size}", f"days={days}"])
    composing += time.perf_counter() - start
    start = time.perf_counter()
    for seed in range(seeds):
        CommunityTrustModel(params, rng=seed).run().tables()
    runs += time.perf_counter() - start
print(composing, runs, len(compared()) * seeds)
"""


def plain_script(size: int, days: int, seeds: int) -> tuple[float, float, int]:
    """The same runs by a plain script in a process of its own: its wall time from the start, without the time
    it spent composing parameters, the mean seconds a run inside it (builds, runs and tables only), and the runs."""
    clock = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PLAIN_SCRIPT, str(size), str(days), str(seeds)], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    wall = time.perf_counter() - clock
    composing, runs, count = done.stdout.split()
    return wall - float(composing), float(runs) / int(count), int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    before = plain_script(args.size, args.days, args.seeds)
    try:
        serial = timed_sweep(work / "basic", ["hydra/launcher=basic"], args.size, args.seeds, args.days)
        inside = runs_inside(work / "basic")
        after = plain_script(args.size, args.days, args.seeds)   # either side of the sweep: the machine drifts
        parallel = timed_sweep(work / "joblib", ["hydra/launcher=joblib"], args.size, args.seeds, args.days)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    plain, model_s, runs = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2, before[2]
    imports = import_time()
    print(f"{runs} runs ({args.size:,} residents, {args.days} days), {os.cpu_count()} cores")
    print(f"basic launcher (serial):   {serial:7.1f} s  ({serial / runs:.2f} s a run)")
    print(f"joblib launcher (n_jobs=-1): {parallel:5.1f} s  ({parallel / runs:.2f} s a run)")
    print(f"speed-up: {serial / parallel:.2f}x")
    rest = serial - inside - imports
    print(f"in the serial sweep itself: {inside:.1f} s building and running models (run.json), {imports:.1f} s "
          f"for Python's start and the model's imports (a process that does only that); the rest {rest:.1f} s, "
          f"{rest / serial:.1%} of the sweep ({rest / runs * 1000:.0f} ms a run)")
    print(f"a plain script of the same runs (its process from the start, composing left out): {plain:.1f} s "
          f"(before and after the serial sweep: {before[0]:.1f} s, {after[0]:.1f} s); "
          f"the rest of the serial sweep: {serial - plain:.1f} s, {1 - plain / serial:.0%} of it")
    print(f"(the runs alone inside that script: {model_s:.2f} s a run; the rest of a serial sweep's run: "
          f"{1 - model_s / (serial / runs):.0%})")


if __name__ == "__main__":
    main()
