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

from model.residents import Residents


class Neighbourhoods:
    """Static facts about the city's neighbourhoods, indexed by neighbourhood code."""

    def __init__(self, residents: Residents, profiled_label: str, operation_area_share: float):
        self.code = residents.neighbourhood
        if np.any(np.diff(self.code) < 0):
            raise ValueError("residents must be sorted by neighbourhood (model/population.py builds them so)")
        self.n = int(self.code.max()) + 1 if len(self.code) else 1
        self.start = np.searchsorted(self.code, np.arange(self.n), side="left")   # each one's block of rows
        self.stop = np.searchsorted(self.code, np.arange(self.n), side="right")
        self.residents = np.bincount(self.code, minlength=self.n).astype(float)
        self.resident_share = self.residents / max(self.residents.sum(), 1.0)
        profiled = np.bincount(self.code, weights=residents.labelled(profiled_label), minlength=self.n)
        self.profiled_share = np.divide(profiled, self.residents, out=np.zeros(self.n), where=self.residents > 0)
        self.operation_area = operation_area(self.profiled_share, self.resident_share, operation_area_share)

    def per_resident(self, values: np.ndarray) -> np.ndarray:
        """Each resident's neighbourhood's value (`values[code]`, one per neighbourhood): repeated over the
        contiguous blocks, several times faster than gathering by code."""
        return np.repeat(values, self.stop - self.start)

    def total(self, values: np.ndarray) -> np.ndarray:
        """Per neighbourhood, the sum of residents' `values` (one per row; booleans count): one pass over
        contiguous blocks, several times faster than a weighted bincount."""
        out = np.zeros(self.n)
        filled = self.stop > self.start
        if filled.any():
            out[filled] = np.add.reduceat(values, self.start[filled], dtype=np.float64)
        return out


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
