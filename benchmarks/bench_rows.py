"""The belief pass's gathered rows: packed (4 values a row, 32 bytes, as np.empty gives them, which may start
mid-line) against rows that each lie within one cache line (`model.compiled.rows_in_cache_lines`: 32 bytes,
aligned), timed on the same city, network and beliefs, alternating. (Before session 14 a row held 5 values, 40
bytes packed or 64 padded.)

    .venv/bin/python benchmarks/bench_rows.py --size 1000000
    .venv/bin/python benchmarks/bench_rows.py --size 100000 --repeat 20

Not a test: it prints figures for docs/performance.md (numba needed: pip install -e ".[fast]").
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from experiments.runs.testing import make_params
from model import CommunityTrustModel
from model.compiled import rows_in_cache_lines
from model.rules import belief_kernel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=8, help="rounds, each timing 5 passes of either layout")
    args = parser.parse_args()
    model = CommunityTrustModel(make_params(size=args.size, days=30, policy="community_trust"), rng=0,
                                create_agents=False)
    model.step()
    res, b, n = model.residents, model.params.beliefs, len(model.residents)
    present, a, strength = res.present(), model.network.adjacency, model.network.strength
    ties = model.network.spread(present.astype(float))
    quiet, local = np.zeros(n), np.linspace(0.0, 0.2, model.neighbourhoods.n)
    gather, update_rows = belief_kernel.compiled(belief_kernel._gather_rows, belief_kernel._update_rows)
    constants = tuple(float(getattr(b, p)) for p in belief_kernel.PARAMS)

    def one_pass(gathered: np.ndarray) -> None:
        gather(present, res.trust, res.trust0, res.fear, res.knowledge, res.neighbourhood, local, gathered)
        update_rows(a.indptr, a.indices, a.data, gathered, present, res.trust, res.trust0, res.fear, res.knowledge,
                    res.vulnerability, res.attention, res.neighbourhood, local, strength, ties, quiet, quiet, quiet,
                    quiet, quiet, 0.1, b.own_neighbourhood_weight, b.ties_neighbourhoods_weight, constants)

    width = 4 if b.ties_neighbourhoods_weight > 0 else 3
    layouts = {f"packed (n, {width})": np.empty((n, width)), "in cache lines": rows_in_cache_lines(n, width)}
    times: dict[str, list[float]] = {name: [] for name in layouts}
    for _ in range(args.repeat):
        for name, gathered in layouts.items():
            one_pass(gathered)
            clock = time.perf_counter()
            for _ in range(5):
                one_pass(gathered)
            times[name].append((time.perf_counter() - clock) / 5)
    print(f"{args.size:,} residents, one belief pass, {args.repeat} rounds of 5 passes each, alternating")
    for name, seconds in times.items():
        print(f"  {name:<16} best {min(seconds) * 1e3:7.1f} ms   median {np.median(seconds) * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
