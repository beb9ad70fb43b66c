"""Weighted draws of residents, at a cost that grows with the draws rather than with the city.

A day draws a few hundred victims, stops and arrests among up to 10,000,000 residents; a cumulative sum of
everyone's weight for each (the textbook method) costs more than all the draws together. `draw_in_ranges`
draws by rejection against the largest weight, which is exact (each row is accepted in proportion to its
weight) and costs O(draws) when weights are not too uneven; draws still pending after a few rounds fall back
to the cumulative sum, so a city where one resident holds all the weight is still drawn exactly, just slower.
"""

from __future__ import annotations

import numpy as np

from model.elementary import log

REJECTION_ROUNDS = 32


def draw_in_ranges(weight: np.ndarray, lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator,
                   rounds: int = REJECTION_ROUNDS, top: float | None = None) -> np.ndarray:
    """For each i, a row in [lo[i], hi[i]) drawn with chance proportional to `weight` (non-negative; an array, or
    `LazyWeights`), or -1 if the range holds no weight. `top`: the largest weight (or a bound on it), if the caller
    knows it; with a bound, a range without weight is found by the fallback, after the rounds of rejection."""
    out = np.empty(len(lo), dtype=np.int64)
    pending = np.arange(len(lo))
    if top is None:
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
        total = cum[high - 1] - start
        u = start + rng.random(len(pending)) * total
        out[pending] = np.where(total > 0, np.clip(np.searchsorted(cum, u, side="right"), low, high - 1), -1)
    return out


def draw_weighted(weight: np.ndarray, n: int, rng: np.random.Generator,
                  rounds: int = REJECTION_ROUNDS, top: float | None = None) -> np.ndarray:
    """Up to n distinct rows drawn with probability proportional to `weight` (duplicates dropped; none if no row has
    weight); `top`: the largest weight (or a bound on it), if the caller knows it."""
    if n == 0 or len(weight) == 0:
        return np.zeros(0, dtype=np.int64)
    top = float(weight.max()) if top is None else top
    if not top > 0:
        return np.zeros(0, dtype=np.int64)
    rows = draw_in_ranges(weight, np.zeros(n, dtype=np.int64), np.full(n, len(weight)), rng, rounds, top=top)
    return distinct(rows[rows >= 0])


class FixedTimesFactor:
    """Draws in proportion to a fixed weight (a stable trait, heavy-tailed perhaps) times a bounded factor that
    changes from day to day: propose rows by the fixed weight (its cumulative sum is made once), accept each
    with chance factor / largest factor. Exact, and O(draws) however uneven the fixed weight is."""

    def __init__(self, fixed: np.ndarray):
        self.fixed = fixed
        self.cum = np.cumsum(fixed)

    def draw(self, factor: np.ndarray, n: int, rng: np.random.Generator,
             rounds: int = REJECTION_ROUNDS, top: float | None = None) -> np.ndarray:
        """Up to n distinct rows drawn with probability proportional to fixed x `factor` (duplicates dropped);
        `top`: the largest factor, if the caller knows it."""
        if top is None:
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
        return distinct(np.concatenate(rows))


class LazyWeights:
    """Weights of n rows computed only at the rows a draw proposes (`w[rows]` is `of(rows)`), with `top`, a bound on
    every row's weight, so that a draw by rejection makes no pass over the rows; `np.asarray(w)` computes them all
    (a draw's rare fallback). Any bound is exact; the largest weight itself wastes the fewest proposals."""

    def __init__(self, of, n: int, top: float):
        self.of, self.n, self.top = of, n, top

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        return self.of(rows)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        everyone = self.of(np.arange(self.n))
        return everyone if dtype is None else everyone.astype(dtype)


def weighted_sample(rows: np.ndarray, weight: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k of `rows` drawn without replacement with chance proportional to `weight` (Efraimidis & Spirakis
    2006: the k largest of log(U) / weight), in the order of `rows`; rows of zero weight only once the others are
    used up, the first of them first."""
    if k <= 0 or len(rows) == 0:
        return rows[:0]
    with np.errstate(divide="ignore"):
        key = log(rng.random(len(rows))) / weight
    key[~np.isfinite(key)] = -np.inf
    return rows[largest(key, k)]


def largest(key: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k largest keys, ascending, ties at the k-th broken by position (the first first). Which
    positions, and their order, do not depend on how numpy's selection orders what it returns (np.argpartition's
    order differs between its AVX-512, AVX2 and plain kernels): only the k-th largest value is taken from it."""
    k = min(k, len(key))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    kth = -np.partition(-key, k - 1)[k - 1]
    above = np.flatnonzero(key > kth)
    tied = np.flatnonzero(key == kth)[:k - len(above)]
    return np.union1d(above, tied)


DENSE = 0.25   # IndependentTrials: from this chance of being a candidate, each of a stratum's rows draws for itself


class IndependentTrials:
    """Which rows succeed today in independent trials, each with chance fixed x factor (fixed: a stable trait such
    as offending propensity; factor: today's, at most a bound), at a cost that grows with the successes rather
    than with the rows (a city of 10,000,000 has a few thousand offenders a day).

    Rows are grouped into strata by their fixed chance, each holding the fixed chances within a factor of 2 of the
    largest (a last stratum holds all the smallest). A stratum of n rows whose largest fixed chance is f has
    Binomial(n, q) candidates, q = min(1, f x bound), a uniform subset of its rows (`_uniform_subsets`; where q is
    above DENSE, each row draws for itself instead, the same thing), and each candidate succeeds with chance
    fixed x factor / q. Exact: every row is a candidate with chance q, independently, and then succeeds with chance
    fixed x factor / q. The strata are made on the first draw, and again whenever the fixed chances differ from
    those they were made from."""

    STRATA = 24   # fixed chances down to 2^-23 of the largest in strata of their own, the rest in one

    def __init__(self):
        self._made_from: np.ndarray | None = None

    def _strata(self, fixed: np.ndarray) -> None:
        """Rows of positive fixed chance, stratum after stratum (`rows`, each stratum's in row order), where each
        stratum starts in them (`start`), its size and its largest fixed chance."""
        if self._made_from is not None and np.array_equal(self._made_from, fixed):
            return
        fixed = self._made_from = fixed.copy()
        some = np.flatnonzero(fixed > 0)   # rows of chance 0 never succeed
        top = fixed[some].max() if len(some) else 0.0
        halvings = np.minimum(np.frexp(top / fixed[some])[1] - 1, self.STRATA - 1).astype(np.int64)   # floor(log2)
        order = np.argsort(halvings, kind="stable")
        self.rows = some[order]
        edges = np.searchsorted(halvings[order], np.arange(self.STRATA + 1))
        kept = edges[1:] > edges[:-1]
        self.start, self.size = edges[:-1][kept], np.diff(edges)[kept]
        self.largest = np.maximum.reduceat(fixed[self.rows], self.start) if len(self.rows) else np.zeros(0)

    def draw(self, fixed: np.ndarray, factor_of, bound: float, rng: np.random.Generator) -> np.ndarray:
        """The rows that succeed (ascending), each with chance fixed x factor: `factor_of(rows)` gives today's factor
        of `rows`, each at most `bound`."""
        self._strata(fixed)
        q = np.minimum(1.0, self.largest * bound)
        # strata where q is large (the largest fixed chances: a first few strata, few rows) make each row a candidate
        # by its own draw; the others draw how many candidates they have and then which
        dense = int(np.searchsorted(-q, -DENSE))        # q falls from stratum to stratum
        prefix = self.start[dense] if dense < len(q) else len(self.rows)
        candidates = [np.flatnonzero(rng.random(prefix) < np.repeat(q[:dense], self.size[:dense]))]
        counts = rng.binomial(self.size[dense:], q[dense:])
        candidates.append(_uniform_subsets(self.start[dense:], self.size[dense:], counts, rng))
        picked = np.concatenate(candidates)              # positions in self.rows, ascending
        candidate = self.rows[picked]
        chance = fixed[candidate] * factor_of(candidate)
        stratum = np.searchsorted(self.start, picked, side="right") - 1
        won = rng.random(len(candidate)) * q[stratum] < chance
        return np.sort(candidate[won])


def _uniform_subsets(start: np.ndarray, size: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each block i of positions [start[i], start[i] + size[i]), a uniform random subset of counts[i] of them
    (few of many); all blocks' positions together, ascending. Positions are drawn uniformly, and those drawn twice
    drawn again until each block has its count: the set is uniform, as the procedure treats every position alike."""
    need, chosen = counts, np.zeros(0, dtype=np.int64)
    while need.sum() > 0:
        drawn = np.repeat(start, need) + rng.integers(0, np.repeat(size, need))
        chosen = distinct(np.concatenate([chosen, drawn]))
        need = counts - np.bincount(np.searchsorted(start, chosen, side="right") - 1, minlength=len(start))
    return chosen


def distinct(x: np.ndarray) -> np.ndarray:
    """The distinct values of x, ascending (np.unique without its overhead, for a few hundred values a day)."""
    x = np.sort(x)
    keep = np.ones(len(x), dtype=bool)
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]
