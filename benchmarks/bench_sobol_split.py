"""A Sobol analysis of at least 2,000 simulations split across workers by a Hydra launcher gives the numbers of
the same design run in one process (issue 18).

    .venv/bin/python benchmarks/bench_sobol_split.py                       # 2,048 Sobol runs + 38 Morris runs
    .venv/bin/python benchmarks/bench_sobol_split.py --sobol-n 16 --top 2  # a quick look

1. `python -m experiments.sensitivity` with the joblib launcher (`hydra.launcher.n_jobs`, default 2 workers):
   Morris screening, then Sobol on the top `--top` parameters with base sample `--sobol-n` (N x (top + 2) runs).
2. The same Sobol design, run again in this one process through `experiments.api.simulate` (the CLI's config
   composition, no launcher), row by row.
3. The outcomes of every run and the Sobol indices must be equal, bit for bit. Prints both timings.
Not a test (it takes minutes): it prints figures for docs/performance.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sobol-n", type=int, default=256)
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="--folder holds the finished split run: check it against one process without rerunning it")
    args = parser.parse_args()
    from experiments.analyses.sensitivity import OUTCOMES, UNCERTAIN, design_outcomes, outcome_values, sobol_indices  # noqa: PLC0415
    from experiments.api import simulate  # noqa: PLC0415
    from experiments.runs.samples import SAMPLE_GROUP, sample_summaries  # noqa: PLC0415

    folder = args.folder or Path(tempfile.mkdtemp(prefix="sobol_split_"))
    scenario = "secure_communities"
    design = ["--scenarios", scenario, "--trajectories", "2", "--top", str(args.top), "--sobol-n", str(args.sobol_n),
              "--size", str(args.size), "--days", str(args.days), "--folder", str(folder)]
    clock = time.perf_counter()
    if not args.reuse:
        subprocess.run([sys.executable, "-m", "experiments.sensitivity", *design,
                        f"hydra.launcher.n_jobs={args.workers}"], cwd=ROOT, check=True, capture_output=True, text=True)
    split_s = time.perf_counter() - clock
    samples = pd.read_parquet(folder / "sobol" / "samples.parquet")
    names = [c for c in samples.columns if c != SAMPLE_GROUP]
    split = design_outcomes(sample_summaries(folder / "sobol"), samples[SAMPLE_GROUP], [scenario])[scenario]
    clock = time.perf_counter()
    one = np.array([outcome_values(simulate(f"policy={scenario}", f"population.size={args.size}", f"days={args.days}",
                                            "mesa_agents=false", *(f"{n}={row[n]!r}" for n in names), seed=0).summary)
                    for row in samples.to_dict("records")])
    one_s = time.perf_counter() - clock
    same_runs = np.array_equal(one, split, equal_nan=True)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(UNCERTAIN[p]) for p in names]}
    k = len(OUTCOMES)
    indices = [sobol_indices(problem, y[:, j], 0) for y in (one, split) for j in range(k)]
    same_indices = all(np.array_equal(indices[j][s], indices[k + j][s], equal_nan=True)
                       for j in range(k) for s in ("S1", "ST", "S1_conf", "ST_conf"))
    stored = pq.read_table(folder / "sobol.parquet").to_pydict()
    print(f"Sobol design: {len(samples):,} runs ({args.sobol_n} x ({len(names)} + 2)), {args.size:,} residents, "
          f"{args.days} days, {scenario}; folder {folder}")
    if not args.reuse:
        print(f"  split across {args.workers} joblib workers (Morris + Sobol, the whole command): {split_s:7.1f} s")
    print(f"  the Sobol runs again in one process (experiments.api.simulate):             {one_s:7.1f} s")
    print(f"  every run's outcomes equal: {same_runs};  Sobol indices equal: {same_indices}; "
          f"rows in sobol.parquet: {len(stored['parameter'])}")
    if not (same_runs and same_indices):
        sys.exit(1)


if __name__ == "__main__":
    main()
