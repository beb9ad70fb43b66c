"""The daily belief update as one fused pass over residents, compiled with numba and run on every core.

The same arithmetic as `model.rules.beliefs.update_beliefs` (the numpy form, which stays the readable
definition), in the same order of operations, so that both give the same numbers bit for bit
(`tests/test_belief_kernel.py`). Each resident's new fear, trust and knowledge depend only on yesterday's
values of the resident and its ties, and each row sums its ties in index order, so the result does not
depend on how many threads share the rows. No random draws happen here.

numba is an optional extra (`pip install -e ".[fast]"`); `available()` says whether it can be used.
"""

from __future__ import annotations

import numpy as np

from model.compiled import PREFETCH_AHEAD, available, compiled, prefetch, rows_in_cache_lines
from model.declare import ParameterError

__all__ = ["AUTO_NUMBA_RESIDENTS", "available", "choose_kernel", "update"]

# the BeliefParams the pass reads, in the order `_update_rows` unpacks them
PARAMS = ("direct_fear", "network_fear", "fear_influence", "fear_decay", "risk_amplification", "policy_fear_rate",
          "contact_gain", "trust_asymmetry", "seen_enforcement_loss", "risk_trust_loss", "seen_clearance_gain",
          "trust_influence", "trust_recovery", "knowledge_spread", "initial_knowledge")
prange = range    # numba.prange once compiled (model.compiled)


AUTO_NUMBA_RESIDENTS = 50_000   # below this, numba's start-up costs more than its pass saves (docs/performance.md)


def choose_kernel(kernel: str, residents: int) -> str:
    """The belief-update kernel to use: as asked, or for "auto" numba where it pays and is installed."""
    if kernel not in ("auto", "numpy", "numba"):
        raise ParameterError(f"kernel = {kernel!r}: choose auto, numpy or numba.")
    if kernel == "numba" and not available():
        raise ParameterError('kernel = numba: numba is not installed; pip install -e ".[fast]" or use kernel=numpy.')
    if kernel == "auto":
        return "numba" if available() and residents >= AUTO_NUMBA_RESIDENTS else "numpy"
    return kernel


def _gather_rows(present, trust, trust0, fear, knowledge, neighbourhood, local_risk, gathered):
    """What each resident shows its ties: trust change, fear and knowledge if present (else 0), and (if
    `local_risk` is given) their neighbourhood's observed risk; one row per resident, so that reading a tie
    touches one cache line instead of five arrays (four values: 32 bytes, two rows a line)."""
    with_risk = len(local_risk) > 0
    for i in prange(len(present)):
        here = 1.0 if present[i] else 0.0
        gathered[i, 0] = (trust[i] - trust0[i]) * here
        gathered[i, 1] = fear[i] * here
        gathered[i, 2] = knowledge[i] * here
        if with_risk:
            gathered[i, 3] = local_risk[neighbourhood[i]]


def _update_rows(indptr, indices, data, gathered, present, trust, trust0, fear, knowledge, vulnerability, attention,
                 neighbourhood, local_risk, strength, ties_present, events, seen_enforcement, unfair, fair,
                 seen_cleared, city_risk, w_own, w_ties, b):
    (direct_fear, network_fear, fear_influence, fear_decay, risk_amplification, policy_fear_rate, contact_gain,
     trust_asymmetry, seen_enforcement_loss, risk_trust_loss, seen_clearance_gain, trust_influence,
     trust_recovery, knowledge_spread, initial_knowledge) = b
    scalar_observed = (1.0 - w_own - w_ties) * city_risk
    decay = knowledge_spread * (1 - initial_knowledge)
    for i in prange(len(present)):
        if not present[i]:
            continue
        # ties' trust change, fear and knowledge: tie-weighted sums in index order (yesterday's values, from
        # `gathered`, so that rows can be updated in place)
        s_shift = 0.0
        s_fear = 0.0
        s_knowledge = 0.0
        s_risk = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            if jj + PREFETCH_AHEAD < len(indices):
                prefetch(gathered, indices[jj + PREFETCH_AHEAD])
            j = indices[jj]
            w = data[jj]
            s_shift += w * gathered[j, 0]
            s_fear += w * gathered[j, 1]
            s_knowledge += w * gathered[j, 2]
            if w_ties > 0:
                s_risk += w * gathered[j, 3]
        shift = trust[i] - trust0[i]
        ties = ties_present[i]
        if ties > 0:
            ties_shift, ties_fear, ties_knowledge = s_shift / ties, s_fear / ties, s_knowledge / ties
        else:
            ties_shift, ties_fear, ties_knowledge = shift, fear[i], knowledge[i]

        observed = scalar_observed
        if w_own > 0:
            observed = observed + w_own * local_risk[neighbourhood[i]]
        if w_ties > 0:   # where one's ties live: all of them, removed ones too (people know where they lived)
            ties_risk = s_risk / strength[i] if strength[i] > 0 else local_risk[neighbourhood[i]]
            observed = observed + w_ties * ties_risk

        v = vulnerability[i]
        f, k, t = fear[i], knowledge[i], trust[i]
        heard = v * attention[i]
        new_fear = f + v * (direct_fear * min(events[i], 1.0) + network_fear * seen_enforcement[i])
        new_fear += fear_influence * heard * max(ties_fear - f, 0.0) - fear_decay * f
        rumoured = min(1.0, risk_amplification * observed)
        felt_risk = heard * (k * observed + (1 - k) * rumoured)
        new_fear += policy_fear_rate * max(felt_risk - f, 0.0)

        loss = min(1.0, contact_gain * trust_asymmetry * unfair[i] + seen_enforcement_loss * v * seen_enforcement[i]
                   + risk_trust_loss * felt_risk)
        gain = min(1.0, contact_gain * fair[i] + seen_clearance_gain * seen_cleared[i])
        new_trust = t + gain * (1 - t) - loss * t
        new_trust += trust_influence * (ties_shift - shift) - trust_recovery * shift

        new_knowledge = k + knowledge_spread * (1 - k) * ties_knowledge - decay * k

        fear[i] = min(max(new_fear, 0.0), 1.0)
        trust[i] = min(max(new_trust, 0.0), 1.0)
        knowledge[i] = min(max(new_knowledge, 0.0), 1.0)


def update(res, present, adjacency, strength, ties_present, events, seen_enforcement, unfair, fair, seen_cleared,
           city_risk, local_risk, w_own, w_ties, b, gathered: np.ndarray | None = None,
           chance_formula: tuple | None = None) -> tuple[np.ndarray, tuple | None]:
    """Update present residents' fear, trust and knowledge in place (the arrays of `res`). `strength` is each
    resident's tie strength (to everyone, removed or not), `ties_present` to residents present (the tie-weighted
    sum of presence, added up in index order as `SocialNetwork.spread` does; kept by the caller from day to day,
    `UpdateBeliefs.ties_present`, it spares the pass one value a tie). `gathered` is a work buffer reused from day
    to day (made if None); it is returned for the next call. `chance_formula` (`ReportingRule.formula_for_everyone`):
    right after the update, in one more compiled pass, everyone's chance to report a violent crime with fear and
    without, from the new beliefs, returned as a pair (else None). (Inside the update's own loop it was slower:
    docs/performance.md.)"""
    gather, update_rows = compiled(_gather_rows, _update_rows)
    width = 4 if w_ties > 0 else 3
    if gathered is None or len(gathered) != len(present) or gathered.shape[1] < width:
        gathered = rows_in_cache_lines(len(present), width)
    gather(present, res.trust, res.trust0, res.fear, res.knowledge, res.neighbourhood,
           local_risk if w_ties > 0 else np.zeros(0), gathered)
    update_rows(adjacency.indptr, adjacency.indices, adjacency.data, gathered, present, res.trust, res.trust0,
                res.fear, res.knowledge, res.vulnerability, res.attention, res.neighbourhood, local_risk, strength,
                ties_present, events, seen_enforcement, unfair, fair, seen_cleared, float(city_risk), float(w_own),
                float(w_ties), tuple(float(getattr(b, p)) for p in PARAMS))
    if chance_formula is None:
        return gathered, None
    # imported here: reporting brings Mesa (slow to import), and a sweep's worker imports this module before its
    # first job starts watching the sweep's process (experiments.runs.run.watch_sweep_parent)
    from model.rules.reporting import chances_with_and_without_fear  # noqa: PLC0415

    return gathered, chances_with_and_without_fear(res.trust, res.fear, res.knowledge, *chance_formula)
