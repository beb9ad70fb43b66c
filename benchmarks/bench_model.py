"""Speed and memory of a whole run, per population size: resident-days per second and peak memory.

    .venv/bin/python benchmarks/bench_model.py                    # 10,000 and 100,000 residents, 365 days
    .venv/bin/python benchmarks/bench_model.py --sizes 1000000 --policy 287g_task_force --no-agents

Each size runs in its own process so that peak memory (max RSS) belongs to that run alone.
Not a test: it prints figures for the closing notes and docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(size: int, days: int, policy: str, seed: int, agents: bool) -> dict:
    """Build and run one model; return timings and peak memory."""
    from experiments.runs.testing import make_params  # noqa: PLC0415  (helpers shared with the tests)
    from model import CommunityTrustModel  # noqa: PLC0415

    clock = time.perf_counter()
    model = CommunityTrustModel(make_params(size=size, days=days, policy=policy), rng=seed, create_agents=agents)
    built = time.perf_counter() - clock
    model.run()
    ran = time.perf_counter() - clock - built
    model.tables()
    tabled = time.perf_counter() - clock - built - ran
    return {"size": size, "days": days, "policy": policy, "agents": agents, "build_s": built, "run_s": ran,
            "tables_s": tabled, "resident_days_per_s": size * days / ran,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--policy", default="community_trust")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-agents", action="store_true", help="skip the Mesa Resident views")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.sizes[0], args.days, args.policy, args.seed, not args.no_agents)))
        return
    results = []
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--child", "--sizes", str(size), "--days", str(args.days),
               "--policy", args.policy, "--seed", str(args.seed)] + (["--no-agents"] if args.no_agents else [])
        results.append(json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout))
    print(f"{'residents':>10} {'days':>5} {'build s':>8} {'run s':>8} {'tables s':>9} {'resident-days/s':>16} "
          f"{'peak MiB':>9}   policy={args.policy} agents={not args.no_agents}")
    for r in results:
        print(f"{r['size']:>10,} {r['days']:>5} {r['build_s']:>8.2f} {r['run_s']:>8.2f} {r['tables_s']:>9.2f} "
              f"{r['resident_days_per_s']:>16,.0f} {r['peak_rss_mib']:>9.0f}")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"time ratio {last['size']:,} / {first['size']:,} residents: {last['run_s'] / first['run_s']:.1f} "
              f"(size ratio {last['size'] / first['size']:.0f})")


if __name__ == "__main__":
    main()
