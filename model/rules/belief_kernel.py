"""The daily belief update as one fused pass over residents, compiled with numba and run on every core.

The same arithmetic as `model.rules.beliefs.update_beliefs` (the numpy form, which stays the readable
definition), in the same order of operations, so that both give the same numbers bit for bit
(`tests/test_belief_kernel.py`). Each resident's new fear, trust and knowledge depend only on yesterday's
values of the resident and its ties, and each row sums its ties in index order, so the result does not
depend on how many threads share the rows. No random draws happen here.

numba is an optional extra (`pip install -e ".[fast]"`); `available()` says whether it can be used.
"""

from __future__ import annotations

import importlib.util

import numpy as np

# the BeliefParams the pass reads, in the order `_update_rows` unpacks them
PARAMS = ("direct_fear", "network_fear", "fear_influence", "fear_decay", "risk_amplification", "policy_fear_rate",
          "contact_gain", "trust_asymmetry", "seen_enforcement_loss", "risk_trust_loss", "seen_clearance_gain",
          "trust_influence", "trust_recovery", "knowledge_spread", "initial_knowledge")
prange = range    # numba.prange once compiled; numba is imported only when the kernel is first used
_compiled = None


def available() -> bool:
    return importlib.util.find_spec("numba") is not None


def _kernel():
    """The compiled pass (compiled once per machine, then loaded from numba's cache in __pycache__)."""
    global _compiled, prange
    if _compiled is None:
        import numba  # noqa: PLC0415  (an optional extra, and slow to import: only when used)

        prange = numba.prange
        _compiled = numba.njit(parallel=True, cache=True)(_update_rows)
    return _compiled


def _update_rows(indptr, indices, data, present, trust, trust0, fear, knowledge, vulnerability, attention,
                 neighbourhood, local_risk, ties_risk, ties, events, seen_enforcement, unfair, fair, seen_cleared,
                 city_risk, w_own, w_ties, b, out_fear, out_trust, out_knowledge):
    (direct_fear, network_fear, fear_influence, fear_decay, risk_amplification, policy_fear_rate, contact_gain,
     trust_asymmetry, seen_enforcement_loss, risk_trust_loss, seen_clearance_gain, trust_influence,
     trust_recovery, knowledge_spread, initial_knowledge) = b
    scalar_observed = (1.0 - w_own - w_ties) * city_risk
    decay = knowledge_spread * (1 - initial_knowledge)
    for i in prange(len(present)):
        if not present[i]:
            continue
        # ties' trust change, fear and knowledge: tie-weighted sums over present ties, in index order
        s_shift = 0.0
        s_fear = 0.0
        s_knowledge = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            j = indices[jj]
            here = 1.0 if present[j] else 0.0
            w = data[jj]
            s_shift += w * ((trust[j] - trust0[j]) * here)
            s_fear += w * (fear[j] * here)
            s_knowledge += w * (knowledge[j] * here)
        shift = trust[i] - trust0[i]
        if ties[i] > 0:
            ties_shift, ties_fear, ties_knowledge = s_shift / ties[i], s_fear / ties[i], s_knowledge / ties[i]
        else:
            ties_shift, ties_fear, ties_knowledge = shift, fear[i], knowledge[i]

        observed = scalar_observed
        if w_own > 0:
            observed = observed + w_own * local_risk[neighbourhood[i]]
        if w_ties > 0:
            observed = observed + w_ties * ties_risk[i]

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

        out_fear[i] = min(max(new_fear, 0.0), 1.0)
        out_trust[i] = min(max(new_trust, 0.0), 1.0)
        out_knowledge[i] = min(max(new_knowledge, 0.0), 1.0)


def update(res, present, adjacency, ties, events, seen_enforcement, unfair, fair, seen_cleared, city_risk,
           local_risk, ties_risk, w_own, w_ties, b) -> None:
    """Update present residents' fear, trust and knowledge in place (the arrays of `res`); `ties_risk` is None
    when ties' neighbourhoods carry no weight."""
    out_fear, out_trust, out_knowledge = res.fear.copy(), res.trust.copy(), res.knowledge.copy()
    _kernel()(adjacency.indptr, adjacency.indices, adjacency.data, present, res.trust, res.trust0, res.fear,
              res.knowledge, res.vulnerability, res.attention, res.neighbourhood, local_risk,
              np.zeros(0) if ties_risk is None else ties_risk, ties, events, seen_enforcement, unfair, fair,
              seen_cleared, float(city_risk), float(w_own), float(w_ties), tuple(float(getattr(b, p)) for p in PARAMS),
              out_fear, out_trust, out_knowledge)
    res.fear[:], res.trust[:], res.knowledge[:] = out_fear, out_trust, out_knowledge
