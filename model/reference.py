"""The belief update written the plain Mesa way: one agent per resident, reading its ties one by one.

This is the readable reference for `model.rules.beliefs.update_beliefs` (the array form the model runs):
`tests/test_reference.py` checks that both give the same beliefs for the same inputs, and
`benchmarks/bench_floor.py` times both (it lives in the package so that both can import it). Every line
mirrors a line of the array form.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.rules.beliefs import ObservedRisk, Tallies


class BeliefAgent(mesa.Agent):
    """A resident with trust, fear and knowledge, who updates them from its own day and its ties."""

    def __init__(self, model: ReferenceModel, row: int):
        super().__init__(model)
        res = model.residents
        self.row = row
        self.trust, self.trust0 = float(res.trust[row]), float(res.trust0[row])
        self.fear, self.knowledge = float(res.fear[row]), float(res.knowledge[row])
        self.vulnerability = float(res.vulnerability[row])
        self.attention = float(res.attention[row])
        self.neighbourhood = int(res.neighbourhood[row])
        self.present = bool(res.present()[row])
        self.events = self.unfair = self.fair = self.cleared = 0.0
        self.ties: list[tuple[BeliefAgent, float]] = []
        self.next: tuple[float, float, float] = (self.trust, self.fear, self.knowledge)

    def compute(self) -> None:
        """Work out tomorrow's beliefs from today's values (applied by `apply`, so the update is synchronous)."""
        b = self.model.b
        if not self.present:
            self.next = (self.trust, self.fear, self.knowledge)
            return
        present_ties = [(a, w) for a, w in self.ties if a.present]
        strength = sum(w for _, w in present_ties)
        shift = self.trust - self.trust0
        if strength > 0:
            ties_shift = sum(w * (a.trust - a.trust0) for a, w in present_ties) / strength
            ties_fear = sum(w * a.fear for a, w in present_ties) / strength
            ties_knowledge = sum(w * a.knowledge for a, w in present_ties) / strength
        else:
            ties_shift, ties_fear, ties_knowledge = shift, self.fear, self.knowledge
        seen_enforcement = min(sum(w * a.events for a, w in self.ties), 1.0)   # removed ties' events count
        seen_cleared = min(sum(w * a.cleared for a, w in self.ties), 1.0)

        v = self.vulnerability
        heard = v * self.attention
        fear = self.fear + v * (b.direct_fear * min(self.events, 1.0) + b.network_fear * seen_enforcement)
        fear += b.fear_influence * heard * max(ties_fear - self.fear, 0.0) - b.fear_decay * self.fear
        observed = self.felt_observed_risk()
        rumoured = min(1.0, b.risk_amplification * observed)
        felt_risk = heard * (self.knowledge * observed + (1 - self.knowledge) * rumoured)
        fear += b.policy_fear_rate * max(felt_risk - self.fear, 0.0)

        loss = min(1.0, b.contact_gain * b.trust_asymmetry * self.unfair
                   + b.seen_enforcement_loss * v * seen_enforcement + b.risk_trust_loss * felt_risk)
        gain = min(1.0, b.contact_gain * self.fair + b.seen_clearance_gain * seen_cleared)
        trust = self.trust + gain * (1 - self.trust) - loss * self.trust
        trust += b.trust_influence * (ties_shift - shift) - b.trust_recovery * shift

        decay = b.knowledge_spread * (1 - b.initial_knowledge)
        knowledge = self.knowledge + b.knowledge_spread * (1 - self.knowledge) * ties_knowledge - decay * self.knowledge
        self.next = tuple(min(max(x, 0.0), 1.0) for x in (trust, fear, knowledge))

    def felt_observed_risk(self) -> float:
        """The city's observed risk, my neighbourhood's and my ties' neighbourhoods' (tie-weighted), mixed."""
        b, risk = self.model.b, self.model.risk
        own = float(risk.local[self.neighbourhood])
        strength = sum(w for _, w in self.ties)   # every tie, removed ones too: where people lived is known
        ties = sum(w * float(risk.local[a.neighbourhood]) for a, w in self.ties) / strength if strength > 0 else own
        w_own, w_ties = b.own_neighbourhood_weight, b.ties_neighbourhoods_weight
        return (1 - w_own - w_ties) * risk.city + w_own * own + w_ties * ties

    def apply(self) -> None:
        self.trust, self.fear, self.knowledge = self.next


class ReferenceModel(mesa.Model):
    """Per-agent copies of a model's residents and ties, stepping the belief rule with `do`."""

    def __init__(self, residents, network, b, seed: int = 0):
        super().__init__(rng=seed)
        self.residents, self.b = residents, b
        self.risk = ObservedRisk(city=0.0, local=np.zeros(int(residents.neighbourhood.max()) + 1))
        self.people = [BeliefAgent(self, row) for row in range(len(residents))]
        a = network.adjacency
        for agent in self.people:
            start, stop = a.indptr[agent.row], a.indptr[agent.row + 1]
            agent.ties = [(self.people[j], float(w)) for j, w in zip(a.indices[start:stop], a.data[start:stop])]

    def set_day(self, today: Tallies, risk: ObservedRisk) -> None:
        """Give each agent today's events and the observed risk (the same inputs the array form takes)."""
        self.risk = risk
        n = len(self.people)
        events = np.bincount(today.event_rows, weights=today.event_weights, minlength=n)
        cleared = np.bincount(today.cleared_rows, minlength=n)
        for agent in self.people:
            r = agent.row
            agent.events, agent.cleared = float(events[r]), float(cleared[r])
            agent.unfair, agent.fair = float(today.unfair[r]), float(today.fair[r])

    def step(self) -> None:
        self.agents.do("compute")
        self.agents.do("apply")

    def beliefs(self) -> dict[str, np.ndarray]:
        return {k: np.array([getattr(a, k) for a in self.people]) for k in ("trust", "fear", "knowledge")}
