"""How much memory a run needs, estimated from its parameters before anything is built (no Mesa import)."""

from __future__ import annotations

from model.params import ModelParams

# Peak memory of a run, fitted to measurements by benchmarks/bench_memory.py (100,000 and 300,000 residents,
# community degree 8 and 40, with and without Mesa agents; Python 3.12, numpy 2): rounded up.
MEMORY_BASE_BYTES = 200 * 2**20          # the interpreter and libraries
# Re-measured with neighbourhoods (a static matrix of tie shares by neighbourhood), 2026-11-23.
MEMORY_BYTES_PER_RESIDENT = 270          # resident columns, households, outcome counters
MEMORY_BYTES_PER_TIE = 55                # per resident and unit of network.community_degree (sparse matrices)
MEMORY_BYTES_PER_AGENT = 260             # a Mesa Resident view


def memory_estimate(params: ModelParams, create_agents: bool = True) -> int:
    """About how many bytes a run of `params` needs at its peak (to refuse a run the machine cannot hold)."""
    per_resident = (MEMORY_BYTES_PER_RESIDENT + MEMORY_BYTES_PER_TIE * params.network.community_degree
                    + (MEMORY_BYTES_PER_AGENT if create_agents else 0))
    return int(MEMORY_BASE_BYTES + params.population.size * per_resident)
