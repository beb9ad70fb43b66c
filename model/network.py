"""The social network: household cliques plus homophilous community ties, held as a weighted sparse matrix.

Edges are drawn as arrays and stored in a symmetric scipy CSR matrix whose entries are tie strengths
(household ties `household_weight`, community ties `community_weight`; a pair tied both ways has the sum).
The daily spread of fear, trust and news is one sparse product with this matrix. `to_networkx()` gives the
same graph as a networkx object for analysis and drawing.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from model.params import NetworkParams
from model.residents import Residents, Status
from model.sampling import distinct


class SocialNetwork:
    """Weighted undirected ties between residents (rows of `Residents`)."""

    def __init__(self, adjacency: sp.csr_array):
        self.adjacency = adjacency
        self.strength = np.asarray(adjacency.sum(axis=1)).ravel()

    def __len__(self) -> int:
        return self.adjacency.shape[0]

    @property
    def n_edges(self) -> int:
        return self.adjacency.nnz // 2

    def neighbours(self, row: int) -> np.ndarray:
        """Rows tied to `row`."""
        a = self.adjacency
        return a.indices[a.indptr[row]:a.indptr[row + 1]]

    def spread(self, columns: np.ndarray) -> np.ndarray:
        """Tie-weighted sums of neighbours' values: (A @ X) for an (n,) or (n, k) array."""
        return self.adjacency @ columns

    def spread_from(self, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """A @ x for a sparse x that is `weights` (default 1) at `rows`: what ties of a few residents see."""
        out = np.zeros(len(self))
        self.add_spread_from(out, rows, weights)
        return out

    def add_spread_from(self, out: np.ndarray, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Add `spread_from(rows, weights)` to `out` in place; return the rows it touched (the ties of `rows`)."""
        if len(rows) == 0:
            return rows[:0]
        a = self.adjacency
        ties, count = self.tie_positions(rows)
        w = np.ones(len(rows)) if weights is None else weights
        touched = a.indices[ties]
        np.add.at(out, touched, np.repeat(w, count) * a.data[ties])
        return touched

    def spread_at(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """`spread(values)` at `rows` only, each row's ties added in index order from 0 as the whole product adds
        them, so the same numbers bit for bit (to sum a few rows again, not everyone's)."""
        a = self.adjacency
        ties, count = self.tie_positions(rows)
        return np.bincount(np.repeat(np.arange(len(rows)), count), weights=a.data[ties] * values[a.indices[ties]],
                           minlength=len(rows))

    def tied_to(self, rows: np.ndarray) -> np.ndarray:
        """The residents with a tie to any of `rows`, ascending (ties go both ways: those `rows` are tied to)."""
        return distinct(self.adjacency.indices[self.tie_positions(rows)[0]])

    def tie_positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where the ties of `rows` are in `adjacency.indices` and `.data`, row after row (in the order
        `adjacency[rows]` lists them, without building that matrix), and how many each row has."""
        indptr = self.adjacency.indptr
        start, count = indptr[rows], indptr[rows + 1] - indptr[rows]
        before = np.cumsum(count) - count   # ties listed before each row's
        return np.repeat(start - before, count) + np.arange(count.sum()), count

    def neighbourhood_of(self, start: np.ndarray, max_nodes: int) -> np.ndarray:
        """Rows reached breadth-first from `start` along ties, at most `max_nodes` (for pictures)."""
        seen = list(dict.fromkeys(int(s) for s in start))[:max_nodes]
        known, frontier = set(seen), list(seen)
        while frontier and len(seen) < max_nodes:
            nxt = []
            for row in frontier:
                for nb in self.neighbours(row).tolist():
                    if nb not in known and len(seen) < max_nodes:
                        known.add(nb)
                        seen.append(nb)
                        nxt.append(nb)
            frontier = nxt
        return np.array(sorted(seen), dtype=np.int64)

    def to_networkx(self, residents: Residents | None = None) -> nx.Graph:
        """The network as a networkx Graph with edge attribute `weight` (and node attributes if residents given)."""
        graph = nx.from_scipy_sparse_array(self.adjacency)
        if residents is not None:
            for name in ("status", "household", "ethnicity", "neighbourhood", "trust", "fear"):
                nx.set_node_attributes(graph, dict(enumerate(getattr(residents, name).tolist())), name)
        return graph


def build_network(res: Residents, p: NetworkParams, rng: np.random.Generator) -> SocialNetwork:
    """Tie every household into a clique and draw community ties by neighbourhood and homophily."""
    n = len(res)
    hi, hj = _household_edges(res.household)
    ci, cj = _community_edges(res, p, rng)
    keep = ci != cj
    ci, cj = ci[keep], cj[keep]
    rows = np.concatenate([hi, hj, ci, cj])
    cols = np.concatenate([hj, hi, cj, ci])
    weights = np.concatenate([np.full(2 * len(hi), p.household_weight), np.full(2 * len(ci), p.community_weight)])
    adjacency = sp.csr_array((weights, (rows, cols)), shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.eliminate_zeros()
    return SocialNetwork(adjacency)


def _household_edges(household: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs within each household; households occupy contiguous rows."""
    idx = np.arange(len(household))
    first = np.searchsorted(household, household)
    size = np.bincount(household)[household]
    pos = idx - first
    src, dst = [], []
    for d in range(1, int(size.max(initial=1))):
        m = pos + d < size
        src.append(idx[m])
        dst.append(idx[m] + d)
    if not src:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(src), np.concatenate(dst)


def _community_edges(res: Residents, p: NetworkParams, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each resident starts Poisson(degree / 2) ties: local, homophilous city-wide, or random city-wide."""
    n = len(res)
    src = np.repeat(np.arange(n), rng.poisson(p.community_degree / 2, n))
    choice = rng.random(len(src))
    local = choice < p.local_share
    homophilous = ~local & (rng.random(len(src)) < p.homophily)
    dst = rng.integers(0, n, len(src))
    dst[local] = _uniform_in_block(res.neighbourhood, src[local], np.arange(n), rng)
    group = res.ethnicity.astype(np.int64) * 2 + (res.status != Status.CITIZEN)
    order = np.argsort(group, kind="stable")
    dst[homophilous] = _uniform_in_block(group[order], group[src[homophilous]], order, rng, keys_given=True)
    return src, dst


def _uniform_in_block(sorted_keys: np.ndarray, who: np.ndarray, order: np.ndarray, rng: np.random.Generator,
                      keys_given: bool = False) -> np.ndarray:
    """For each entry of `who`, a uniform member of the same block of `sorted_keys` (mapped through `order`).

    `sorted_keys` is non-decreasing, of non-negative integer codes; `who` holds rows (whose key is
    sorted_keys[row]) or, with keys_given, the keys themselves.
    """
    keys = who if keys_given else sorted_keys[who]
    values = np.arange(int(sorted_keys[-1]) + 1 if len(sorted_keys) else 0)   # keys are small codes, 0 and up
    start = np.searchsorted(sorted_keys, values, side="left")[keys]   # each code's block, found once
    stop = np.searchsorted(sorted_keys, values, side="right")[keys]
    return order[start + (rng.random(len(keys)) * (stop - start)).astype(np.int64)]
