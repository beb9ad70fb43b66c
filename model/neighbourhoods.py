"""Neighbourhoods: the places residents live in, and the operation area a task force would target.

Neighbourhoods are drawn at set-up (model/population.py): contiguous blocks of rows, filled with
households sorted by a key that mixes the ethnicity label with noise, so that with `segregation` > 0
some neighbourhoods hold a larger share of a label than others. The operation area is the set of
neighbourhoods with the largest share of the profiled label, holding `operation_area_share` of the
residents: where a task force's saturation patrols go (Policy.saturation_patrol), and where the
outcomes by neighbourhood compare against the rest of the city in every scenario.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.residents import Residents


class Neighbourhoods:
    """Static facts about the city's neighbourhoods, indexed by neighbourhood code."""

    def __init__(self, residents: Residents, profiled_label: str, operation_area_share: float):
        self.code = residents.neighbourhood
        self.n = int(self.code.max()) + 1 if len(self.code) else 1
        self.residents = np.bincount(self.code, minlength=self.n).astype(float)
        self.resident_share = self.residents / max(self.residents.sum(), 1.0)
        profiled = np.bincount(self.code, weights=residents.labelled(profiled_label), minlength=self.n)
        self.profiled_share = np.divide(profiled, self.residents, out=np.zeros(self.n), where=self.residents > 0)
        self.operation_area = operation_area(self.profiled_share, self.resident_share, operation_area_share)
        self._tie_mix: sp.csr_array | None = None

    def tie_mix(self, adjacency: sp.csr_array) -> sp.csr_array:
        """`tie_mix` of the city's residents, made on first use."""
        if self._tie_mix is None:
            self._tie_mix = tie_mix(adjacency, self.code, self.n)
        return self._tie_mix


def tie_mix(adjacency: sp.csr_array, code: np.ndarray, n_places: int) -> sp.csr_array:
    """(residents x neighbourhoods) shares of each resident's tie strength in each neighbourhood; a resident
    without ties counts as tied to their own neighbourhood. Static: removed ties keep their place (people
    still know where their ties lived), and one sparse product a day (about 4 entries per resident, against
    the tie matrix's 10) gives everyone's mean over their ties' neighbourhoods."""
    n = len(code)
    by_place = sp.csr_array((np.ones(n), (np.arange(n), code)), shape=(n, n_places))
    mix = (adjacency @ by_place).tocsr()
    strength = np.asarray(mix.sum(axis=1)).ravel()
    alone = strength == 0
    mix = (sp.diags_array(np.where(alone, 0.0, 1.0 / np.where(alone, 1.0, strength))) @ mix).tocsr()
    return (mix + sp.csr_array((alone.astype(float), (np.arange(n), code)), shape=(n, n_places))).tocsr()


def operation_area(profiled_share: np.ndarray, resident_share: np.ndarray, area_share: float) -> np.ndarray:
    """The neighbourhoods with the largest profiled share, taken in turn until they hold `area_share` of
    the residents (at least one neighbourhood, none if `area_share` is 0)."""
    area = np.zeros(len(profiled_share), dtype=bool)
    if area_share <= 0:
        return area
    order = np.argsort(-profiled_share, kind="stable")
    held = np.cumsum(resident_share[order])
    area[order[: int(np.searchsorted(held, area_share - 1e-12)) + 1]] = True
    return area
