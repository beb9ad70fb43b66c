"""A county at full scale: build time, run time and peak memory of one configured run (issue 18's targets).

    .venv/bin/python benchmarks/bench_county.py city=los_angeles_ca population.size=10000000
    .venv/bin/python benchmarks/bench_county.py --days 30 city=los_angeles_ca population.size=10000000
    .venv/bin/python benchmarks/bench_county.py history=maricopa_az population.size=1000000

The overrides are those of `python -m experiments.run` (composed the same way, experiments.api); `--days` runs
only the first days and projects the whole run's time from them (a county history is dated: its days come from
the history). Peak memory is the process's max RSS; per-resident bytes are the peak above the libraries' base,
divided by the residents. Not a test: it prints figures for docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import time


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=0, help="time this many days only (0: the whole run)")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    from experiments.api import model_params  # noqa: PLC0415  (imports count in the base)
    from model import CommunityTrustModel  # noqa: PLC0415

    params, seed = model_params(["mesa_agents=false", *args.overrides])
    base = rss_mib()
    clock = time.perf_counter()
    model = CommunityTrustModel(params, rng=seed, create_agents=False)
    built = time.perf_counter() - clock
    after_build = rss_mib()
    days = params.days if args.days <= 0 else min(args.days, params.days)
    cpu, clock = time.process_time(), time.perf_counter()
    for _ in range(days):
        model.step()
    ran, cpu = time.perf_counter() - clock, time.process_time() - cpu
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if days == params.days:
        model.tables()
    n = len(model.residents)
    print(f"{' '.join(args.overrides)}: {n:,} residents, kernel {model.kernel}, {days} of {params.days} days")
    print(f"  build            {built:8.1f} s   ({after_build - base:,.0f} MiB above the libraries' {base:,.0f} MiB)")
    print(f"  run              {ran:8.1f} s   ({ran / days:.2f} s a day; cpu {cpu:.0f} s on all cores, "
          f"system {usage.ru_stime:.0f} s, {usage.ru_minflt:,} minor page faults)")
    if days < params.days:
        print(f"  whole run        {ran / days * params.days / 60:8.1f} min (projected from {days} days)")
    peak = rss_mib()
    print(f"  peak memory      {peak / 1024:8.2f} GiB   ({(peak - base) * 2**20 / n:,.0f} B per resident above "
          "the base)")


if __name__ == "__main__":
    main()
