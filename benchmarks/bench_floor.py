"""The model's speed against a floor and a reference, on the same city and network.

- floor: the bare daily belief update and nothing else, written as fast as this machine allows: one fused
  numba pass on every core (the model's own technique, `model/rules/belief_kernel.py`), computing each
  resident's ties' trust change, fear and knowledge (one gathered row per resident; the tie strength to residents
  present read from an array, as the model keeps it between removals), the felt risk of police
  contact from the city's risk, the resident's own neighbourhood's and that of the neighbourhoods the
  resident's ties live in (tie-weighted; the model's weights; `--risk own` leaves the ties' out, as the floor
  did before session 12), the fear, trust and knowledge update; then the chance to report, in a second pass
  (faster than inside the first: before session 14 the floor computed it there, and was about a fifth slower);
  no crime, policing, enforcement, spreading of events or outcome counting.
  `--floor numpy` times the same day in plain numpy/scipy (the floor of earlier measurements);
- model: the whole model (`CommunityTrustModel.run`, `kernel=auto`), every rule and the outcome tables;
- reference: the belief rule written per agent (model/reference.py), Mesa's `do` loop over
  agents reading their ties, timed on a few days and given per resident-day.

    .venv/bin/python benchmarks/bench_floor.py                # 100,000 residents
    .venv/bin/python benchmarks/bench_floor.py --size 1000000 --reference-days 0

Not a test: it prints figures for docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import copy
import math
import time

import numpy as np

from experiments.runs.testing import make_params
from model import CommunityTrustModel
from model.compiled import PREFETCH_AHEAD, available, compiled, prefetch, rows_in_cache_lines
from model.reference import ReferenceModel
from model.rules.belief_kernel import _gather_rows
from model.rules.beliefs import ObservedRisk, Tallies
from model.rules.reporting import reporting_probability

prange = range   # numba.prange once compiled


def _floor_rows(indptr, indices, data, gathered, trust, trust0, fear, knowledge, vulnerability, neighbourhood,
                local_risk, strength, ties_present, city_risk, w_own, w_ties, b):
    fear_influence, fear_decay, policy_fear_rate, trust_influence, trust_recovery, knowledge_spread, decay = b[:7]
    for i in prange(len(trust)):
        s_shift, s_fear, s_knowledge, s_risk = 0.0, 0.0, 0.0, 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            if jj + PREFETCH_AHEAD < len(indices):
                prefetch(gathered, indices[jj + PREFETCH_AHEAD])
            j, w = indices[jj], data[jj]
            s_shift += w * gathered[j, 0]
            s_fear += w * gathered[j, 1]
            s_knowledge += w * gathered[j, 2]
            if w_ties > 0:
                s_risk += w * gathered[j, 3]
        safe = ties_present[i] if ties_present[i] > 0 else 1.0
        f, k, t = fear[i], knowledge[i], trust[i]
        shift = t - trust0[i]
        observed = (1 - w_own - w_ties) * city_risk + w_own * local_risk[neighbourhood[i]]
        if w_ties > 0:
            observed += w_ties * (s_risk / strength[i] if strength[i] > 0 else local_risk[neighbourhood[i]])
        felt_risk = vulnerability[i] * observed
        f = min(max(f + fear_influence * vulnerability[i] * max(s_fear / safe - f, 0.0) - fear_decay * f
                    + policy_fear_rate * max(felt_risk - f, 0.0), 0.0), 1.0)
        t = min(max(t + trust_influence * (s_shift / safe - shift) - trust_recovery * shift, 0.0), 1.0)
        k = min(max(k + knowledge_spread * (1 - k) * s_knowledge / safe - decay * k, 0.0), 1.0)
        fear[i], trust[i], knowledge[i] = f, t, k


def _floor_chance(trust, fear, knowledge, b, chance):
    """The chance to report from the new beliefs, in a pass of its own: faster than inside the update's loop, by
    about a fifth at 100,000 and at 1,000,000 residents (session 14; the model found the same in session 13)."""
    logit_base, trust_weight, fear_weight, tolerance, relief, reference = b[7:]
    for i in prange(len(trust)):
        felt_fear = max(fear[i] * (1 - relief * knowledge[i]) - tolerance, 0.0)
        chance[i] = 1 / (1 + math.exp(-(logit_base + trust_weight * (trust[i] - reference) - fear_weight * felt_fear)))


def floor(model: CommunityTrustModel, days: int, kernel: str = "numba", rows: str = "lines",
          risk: str = "own+ties", on_copies: bool = False) -> float:
    """Seconds for `days` of the bare belief kernel on the model's network and residents (their beliefs are
    overwritten: time it after the model); `rows`: the gathered rows each in one cache line ("lines", as the
    model's), or packed as np.empty gives them ("packed"); `risk`: the felt risk from the city's, one's own
    neighbourhood's and one's ties' neighbourhoods' risk, with the model's weights ("own+ties"), or without
    the ties' ("own", the floor of session 11 and before); `on_copies`: on deep copies of the residents' arrays
    (as before session 12; at 1,000,000 residents the pass ran up to 1.5x slower on them, from where the copies
    lay in memory)."""
    res = copy.deepcopy(model.residents) if on_copies else model.residents
    b, rp = model.params.beliefs, model.params.reporting
    a, n, strength = model.network.adjacency, len(model.residents), model.network.strength
    nb, local = res.neighbourhood, np.linspace(0.0, 0.2, model.neighbourhoods.n)   # some per-neighbourhood risk
    w_own = b.own_neighbourhood_weight
    w_ties = b.ties_neighbourhoods_weight if risk == "own+ties" else 0.0
    decay = b.knowledge_spread * (1 - b.initial_knowledge)
    present, chance = np.ones(n, dtype=bool), np.zeros(n)
    ties = a @ np.ones(n)   # everyone is present: tie strength to residents present, as the model keeps it
    if kernel == "numba":
        gather, update_rows, chance_rows = compiled(_gather_rows, _floor_rows, _floor_chance)
        width = 4 if w_ties > 0 else 3
        gathered = rows_in_cache_lines(n, width) if rows == "lines" else np.empty((n, width))
        row_risk = local if w_ties > 0 else np.zeros(0)
        base = min(max(rp.violent_base, 1e-9), 1 - 1e-9)
        constants = (b.fear_influence, b.fear_decay, b.policy_fear_rate, b.trust_influence, b.trust_recovery,
                     b.knowledge_spread, decay, math.log(base / (1 - base)), rp.trust_weight, rp.fear_weight,
                     rp.fear_tolerance, rp.protection_relief, b.initial_trust_mean)
        gather(present, res.trust, res.trust0, res.fear, res.knowledge, nb, row_risk, gathered)
        update_rows(a.indptr, a.indices, a.data, gathered, res.trust, res.trust0, res.fear, res.knowledge,
                    res.vulnerability, nb, local, strength, ties, 0.1, w_own, w_ties, constants)   # not timed
        chance_rows(res.trust, res.fear, res.knowledge, constants, chance)
    safe = np.where(ties > 0, ties, 1.0)
    clock = time.perf_counter()
    for _ in range(days):
        if kernel == "numba":
            gather(present, res.trust, res.trust0, res.fear, res.knowledge, nb, row_risk, gathered)
            update_rows(a.indptr, a.indices, a.data, gathered, res.trust, res.trust0, res.fear, res.knowledge,
                        res.vulnerability, nb, local, strength, ties, 0.1, w_own, w_ties, constants)
            chance_rows(res.trust, res.fear, res.knowledge, constants, chance)
            continue
        shift = res.trust - res.trust0
        s = a @ np.column_stack([shift, res.fear, res.knowledge])
        own = local[nb]
        observed = (1 - w_own - w_ties) * 0.1 + w_own * own
        if w_ties > 0:
            observed = observed + w_ties * np.divide(a @ own, strength, out=own.copy(), where=strength > 0)
        felt_risk = res.vulnerability * observed
        fear = res.fear + b.fear_influence * res.vulnerability * np.maximum(s[:, 1] / safe - res.fear, 0) \
            - b.fear_decay * res.fear + b.policy_fear_rate * np.maximum(felt_risk - res.fear, 0)
        trust = res.trust + b.trust_influence * (s[:, 0] / safe - shift) - b.trust_recovery * shift
        knowledge = res.knowledge + b.knowledge_spread * (1 - res.knowledge) * s[:, 2] / safe - decay * res.knowledge
        res.fear, res.trust, res.knowledge = (np.clip(x, 0, 1) for x in (fear, trust, knowledge))
        chance = reporting_probability(rp.violent_base, res.trust, res.fear, res.knowledge, True, rp,
                                       b.initial_trust_mean)
    return time.perf_counter() - clock


def reference(model: CommunityTrustModel, days: int) -> float:
    """Seconds per day of the per-agent belief rule (building the agents is not timed)."""
    ref = ReferenceModel(copy.deepcopy(model.residents), model.network, model.params.beliefs)
    n = len(model.residents)
    quiet = Tallies(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(n), np.zeros(n), np.zeros(0, dtype=np.int64))
    ref.set_day(quiet, ObservedRisk(city=0.0, local=np.zeros(model.neighbourhoods.n)))
    clock = time.perf_counter()
    for _ in range(days):
        ref.step()
    return (time.perf_counter() - clock) / days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--policy", default="community_trust")
    parser.add_argument("--reference-days", type=int, default=3, help="0: do not time the reference")
    parser.add_argument("--floor", choices=("numba", "numpy"), default="numba" if available() else "numpy")
    parser.add_argument("--repeat", type=int, default=1, help="time floor and model this many times, alternating")
    parser.add_argument("--rows", choices=("lines", "packed"), default="lines",
                        help="the floor's gathered rows: each in a cache line (as the model's), or packed")
    parser.add_argument("--risk", choices=("own+ties", "own"), default="own+ties",
                        help="the floor's felt risk: from one's own and one's ties' neighbourhoods (the model's "
                             "weights), or one's own only (the floor before session 12)")
    parser.add_argument("--on-copies", action="store_true",
                        help="time the floor on deep copies of the residents, before the model (as before session "
                             "12), not on the model's own arrays after it")
    args = parser.parse_args()
    params = make_params(size=args.size, days=args.days, policy=args.policy)
    floors, models = [], []
    for _ in range(args.repeat):
        model = CommunityTrustModel(params, rng=0, create_agents=False)
        if args.on_copies:
            floors.append(floor(model, args.days, args.floor, args.rows, args.risk, on_copies=True))
        clock = time.perf_counter()
        model.run()
        model.tables()
        models.append(time.perf_counter() - clock)
        if not args.on_copies:   # the same arrays, laid out in memory as the model's
            floors.append(floor(model, args.days, args.floor, args.rows, args.risk))
    floor_s, model_s = min(floors), min(models)
    rd = args.size * args.days
    print(f"{args.size:,} residents x {args.days} days, {args.policy}, model kernel {model.kernel}, "
          f"best of {args.repeat}")
    timed = [(f"floor ({args.floor} belief kernel, risk {args.risk})", floor_s), ("model (all rules, tables)", model_s)]
    if args.reference_days > 0:
        timed.append((f"per-agent reference ({args.reference_days} days, scaled)",
                      reference(model, args.reference_days) * args.days))
    for name, seconds in timed:
        print(f"  {name:<42} {seconds:9.1f} s   {rd / seconds:>12,.0f} resident-days/s")
    print(f"  model / floor:      {model_s / floor_s:5.2f}  (target: 1.6 or less)")
    if args.reference_days > 0:
        print(f"  reference / model:  {timed[2][1] / model_s:5.1f}  (target: 20 or more)")


if __name__ == "__main__":
    main()
