"""The model's speed against a floor and a reference, on the same city and network.

- floor: a bare numpy/scipy kernel doing only the daily belief update (the sparse product of the tie matrix
  with trust change, fear and knowledge, the element-wise update) and the reporting probability of every
  resident; no crime, policing, enforcement or outcome counting;
- model: the whole model (`CommunityTrustModel.run`), every rule and the outcome tables;
- reference: the belief rule written per agent (model/reference.py), Mesa's `do` loop over
  agents reading their ties, timed on a few days and given per resident-day.

    .venv/bin/python benchmarks/bench_floor.py                # 100,000 residents
    .venv/bin/python benchmarks/bench_floor.py --size 10000 --reference-days 10

Not a test: it prints figures for docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np

from experiments.runs.testing import make_params
from model import CommunityTrustModel
from model.reference import ReferenceModel
from model.rules.beliefs import ObservedRisk, Tallies
from model.rules.reporting import reporting_probability


def floor(model: CommunityTrustModel, days: int) -> float:
    """Seconds for `days` of the bare belief kernel on the model's network and residents."""
    res, b, rp = copy.deepcopy(model.residents), model.params.beliefs, model.params.reporting
    a = model.network.adjacency
    ties = a @ np.ones(len(res))
    safe = np.where(ties > 0, ties, 1.0)
    decay = b.knowledge_spread * (1 - b.initial_knowledge)
    clock = time.perf_counter()
    for _ in range(days):
        shift = res.trust - res.trust0
        s = a @ np.column_stack([shift, res.fear, res.knowledge])
        fear = res.fear + b.fear_influence * res.vulnerability * np.maximum(s[:, 1] / safe - res.fear, 0) \
            - b.fear_decay * res.fear
        trust = res.trust + b.trust_influence * (s[:, 0] / safe - shift) - b.trust_recovery * shift
        knowledge = res.knowledge + b.knowledge_spread * (1 - res.knowledge) * s[:, 2] / safe - decay * res.knowledge
        res.fear, res.trust, res.knowledge = (np.clip(x, 0, 1) for x in (fear, trust, knowledge))
        reporting_probability(rp.violent_base, res.trust, res.fear, res.knowledge, True, rp, b.initial_trust_mean)
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
    parser.add_argument("--reference-days", type=int, default=3)
    args = parser.parse_args()
    params = make_params(size=args.size, days=args.days, policy=args.policy)
    model = CommunityTrustModel(params, rng=0, create_agents=False)
    floor_s = floor(model, args.days)
    ref_s = reference(model, args.reference_days) * args.days
    clock = time.perf_counter()
    model.run()
    model.tables()
    model_s = time.perf_counter() - clock
    rd = args.size * args.days
    print(f"{args.size:,} residents x {args.days} days, {args.policy}")
    for name, seconds in (("floor (bare belief kernel)", floor_s), ("model (all rules, tables)", model_s),
                          (f"per-agent reference ({args.reference_days} days, scaled)", ref_s)):
        print(f"  {name:<42} {seconds:9.1f} s   {rd / seconds:>12,.0f} resident-days/s")
    print(f"  model / floor:      {model_s / floor_s:5.2f}  (target: 4 or less)")
    print(f"  reference / model:  {ref_s / model_s:5.1f}  (target: 20 or more)")


if __name__ == "__main__":
    main()
