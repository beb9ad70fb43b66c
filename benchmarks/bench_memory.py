"""Peak memory per resident, behind model.model's memory estimate (run on demand, one process per point).

    .venv/bin/python benchmarks/bench_memory.py            # prints one line per size, degree and agents
"""

from __future__ import annotations

import dataclasses
import resource
import subprocess
import sys

POINTS = [(100_000, 8, False), (300_000, 8, False), (100_000, 8, True), (300_000, 8, True),
          (100_000, 40, False), (300_000, 40, False)]


def measure(size: int, degree: float, agents: bool) -> None:
    import mesa  # noqa: F401, PLC0415  (the libraries count in the base, not per resident)

    from model import CommunityTrustModel, ModelParams, memory_estimate  # noqa: PLC0415  (in the base too)

    p = ModelParams(days=30)
    p.population = dataclasses.replace(p.population, size=size)
    p.network = dataclasses.replace(p.network, community_degree=degree)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    CommunityTrustModel(p, rng=0, create_agents=agents).run().tables()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{size:>9,} residents  degree {degree:>4g}  agents {agents!s:<5}  libraries {base / 2**20:6.0f} MiB  "
          f"peak {peak / 2**20:6.0f} MiB  {(peak - base) / size:6.0f} B/resident  "
          f"estimate {memory_estimate(p, agents) / 2**20:6.0f} MiB", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4:
        measure(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1")
    else:
        for size, degree, agents in POINTS:
            subprocess.run([sys.executable, __file__, str(size), str(degree), str(int(agents))], check=True)
