"""How much memory a run needs, estimated from its parameters before anything is built (no Mesa import)."""

from __future__ import annotations

import math

from model.params import ModelParams

# Peak memory of a run, fitted to measurements by benchmarks/bench_memory.py (100,000 and 300,000 residents,
# community degree 8 and 40, with and without Mesa agents; Python 3.12, numpy 2): rounded up.
MEMORY_BASE_BYTES = 200 * 2**20          # the interpreter and libraries
# Re-measured with neighbourhoods (a static matrix of tie shares by neighbourhood), 2026-11-23.
MEMORY_BYTES_PER_RESIDENT = 270          # resident columns, households, outcome counters
MEMORY_BYTES_PER_TIE = 55                # per resident and unit of network.community_degree (sparse matrices)
MEMORY_BYTES_PER_AGENT = 260             # a Mesa Resident view
# Per simulated day: the daily counters by cell, the daily table and its copies as Arrow and pandas, Mesa's
# reporters (21.5 kB a day measured at 300 residents, 10 to 20,000 days, 2026-12-07); and per neighbourhood and
# day, the weekly neighbourhood table (52 bytes measured with 400 neighbourhoods over 5,000 days): rounded up.
MEMORY_BYTES_PER_DAY = 24_000
MEMORY_BYTES_PER_NEIGHBOURHOOD_DAY = 64


def memory_estimate(params: ModelParams, create_agents: bool = True) -> int:
    """About how many bytes a run of `params` needs at its peak (to refuse a run the machine cannot hold)."""
    return int(MEMORY_BASE_BYTES + residents_memory(params, create_agents) + days_memory(params))


def residents_memory(params: ModelParams, create_agents: bool = True) -> int:
    """The part of `memory_estimate` that grows with the residents."""
    per_resident = (MEMORY_BYTES_PER_RESIDENT + MEMORY_BYTES_PER_TIE * params.network.community_degree
                    + (MEMORY_BYTES_PER_AGENT if create_agents else 0))
    return int(params.population.size * per_resident)


def days_memory(params: ModelParams) -> int:
    """The part of `memory_estimate` that grows with the days (the outcome tables)."""
    neighbourhoods = max(1, math.ceil(params.population.size / max(params.network.neighbourhood_size, 1)))
    return int(params.days * (MEMORY_BYTES_PER_DAY + MEMORY_BYTES_PER_NEIGHBOURHOOD_DAY * neighbourhoods))
