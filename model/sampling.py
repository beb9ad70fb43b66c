"""Weighted draws of residents, at a cost that grows with the draws rather than with the city.

A day draws a few hundred victims, stops and arrests among up to 10,000,000 residents; a cumulative sum of
everyone's weight for each (the textbook method) costs more than all the draws together. `draw_in_ranges`
draws by rejection against the largest weight, which is exact (each row is accepted in proportion to its
weight) and costs O(draws) when weights are not too uneven; draws still pending after a few rounds fall back
to the cumulative sum, so a city where one resident holds all the weight is still drawn exactly, just slower.
"""

from __future__ import annotations

import numpy as np

REJECTION_ROUNDS = 32


def draw_in_ranges(weight: np.ndarray, lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator,
                   rounds: int = REJECTION_ROUNDS) -> np.ndarray:
    """For each i, a row in [lo[i], hi[i]) drawn with chance proportional to `weight` (non-negative); every
    range must hold some positive weight."""
    out = np.empty(len(lo), dtype=np.int64)
    pending = np.arange(len(lo))
    top = float(weight.max()) if len(weight) else 0.0
    for _ in range(rounds if top > 0 else 0):
        if len(pending) == 0:
            return out
        low, span = lo[pending], hi[pending] - lo[pending]
        candidate = low + np.minimum((rng.random(len(pending)) * span).astype(np.int64), span - 1)
        accepted = rng.random(len(pending)) * top < weight[candidate]
        out[pending[accepted]] = candidate[accepted]
        pending = pending[~accepted]
    if len(pending):
        cum = np.cumsum(weight)
        low, high = lo[pending], hi[pending]
        start = np.where(low > 0, cum[np.maximum(low - 1, 0)], 0.0)
        u = start + rng.random(len(pending)) * (cum[high - 1] - start)
        out[pending] = np.clip(np.searchsorted(cum, u, side="right"), low, high - 1)
    return out


def draw_weighted(weight: np.ndarray, n: int, rng: np.random.Generator,
                  rounds: int = REJECTION_ROUNDS) -> np.ndarray:
    """Up to n distinct rows drawn with probability proportional to `weight` (duplicates dropped)."""
    if n == 0 or len(weight) == 0 or not weight.max() > 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(draw_in_ranges(weight, np.zeros(n, dtype=np.int64), np.full(n, len(weight)), rng, rounds))


class FixedTimesFactor:
    """Draws in proportion to a fixed weight (a stable trait, heavy-tailed perhaps) times a bounded factor that
    changes from day to day: propose rows by the fixed weight (its cumulative sum is made once), accept each
    with chance factor / largest factor. Exact, and O(draws) however uneven the fixed weight is."""

    def __init__(self, fixed: np.ndarray):
        self.fixed = fixed
        self.cum = np.cumsum(fixed)

    def draw(self, factor: np.ndarray, n: int, rng: np.random.Generator,
             rounds: int = REJECTION_ROUNDS) -> np.ndarray:
        """Up to n distinct rows drawn with probability proportional to fixed x `factor` (duplicates dropped)."""
        top = float(factor.max()) if len(factor) else 0.0
        if n == 0 or not top > 0 or not self.cum[-1] > 0:
            return np.zeros(0, dtype=np.int64)
        rows, pending = [], n
        for _ in range(rounds):
            candidate = np.minimum(np.searchsorted(self.cum, rng.random(pending) * self.cum[-1], side="right"),
                                   len(self.cum) - 1)
            accepted = candidate[rng.random(pending) * top < factor[candidate]]
            rows.append(accepted)
            pending -= len(accepted)
            if pending == 0:
                break
        if pending:   # the cumulative sum of the product (nothing if the product has no weight anywhere)
            rows.append(draw_weighted(self.fixed * factor, pending, rng, rounds=0))
        return np.unique(np.concatenate(rows))


def weighted_sample(rows: np.ndarray, weight: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k of `rows` drawn without replacement with chance proportional to `weight` (Efraimidis & Spirakis
    2006: the k largest of log(U) / weight); rows of zero weight only once the others are used up."""
    if k <= 0 or len(rows) == 0:
        return rows[:0]
    with np.errstate(divide="ignore"):
        key = np.log(rng.random(len(rows))) / weight
    key[~np.isfinite(key)] = -np.inf
    return rows[np.argpartition(-key, min(k, len(rows)) - 1)[:k]]
