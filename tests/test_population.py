"""The generated population matches its parameters: shares, households, mixed-status households."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.params import STATUSES, NetworkParams, PopulationParams
from model.population import build_population, exact_counts, household_sizes
from model.residents import Status


@pytest.fixture(scope="module")
def city():
    pop = dataclasses.replace(PopulationParams(), size=50_000)
    return pop, build_population(pop, NetworkParams(), np.random.default_rng(7))


def test_status_counts_are_exact(city):
    pop, res = city
    counts = np.bincount(res.status, minlength=4)
    expected = exact_counts([pop.status_shares[s] for s in STATUSES], pop.size)
    assert counts.tolist() == expected.tolist()
    assert counts.sum() == pop.size


def test_mixed_status_share_and_composition(city):
    pop, res = city
    # sampling error of the household-level construction is well under one point at 50,000 residents
    assert abs(res.mixed.mean() - pop.mixed_status_share) < 0.01
    citizens_in_mixed = (res.status[res.mixed] == Status.CITIZEN).mean()
    assert abs(citizens_in_mixed - pop.citizen_share_in_mixed) < 0.03
    for hh in np.unique(res.household[res.mixed])[:500]:
        members = res.status[res.household == hh]
        assert (members == Status.UNDOCUMENTED).any() and (members != Status.UNDOCUMENTED).any()


def test_households_are_contiguous_and_sized(city):
    pop, res = city
    assert np.all(np.diff(res.household) >= 0)
    sizes = np.bincount(res.household)
    assert sizes.min() >= 1
    assert abs(sizes.mean() - pop.household_size_mean) < 0.15


def test_ethnicity_shares_hold_citywide_and_by_status(city):
    pop, res = city
    latino = res.labels.index("latino")
    share = (res.ethnicity == latino).mean()
    # household-level draws: the standard error is about 0.003 at 50,000 residents in ~20,000 households
    assert abs(share - pop.ethnicity_shares["latino"]) < 0.015
    undoc = res.status == Status.UNDOCUMENTED
    assert abs((res.ethnicity[undoc] == latino).mean() - pop.ethnicity_shares_undocumented["latino"]) < 0.05


def test_each_household_lives_in_one_neighbourhood(city):
    _, res = city
    first = np.searchsorted(res.household, np.arange(res.household.max() + 1))
    assert np.array_equal(res.neighbourhood, res.neighbourhood[first][res.household])
    assert len(np.unique(res.neighbourhood)) == round(50_000 / NetworkParams().neighbourhood_size)


def test_segregation_sorts_labels_into_neighbourhoods():
    pop = dataclasses.replace(PopulationParams(), size=20_000)
    def spread(segregation):
        res = build_population(pop, NetworkParams(segregation=segregation), np.random.default_rng(1))
        shares = [np.mean(res.ethnicity[res.neighbourhood == n] == 0) for n in np.unique(res.neighbourhood)]
        return np.std(shares)
    assert spread(1.0) > 2 * spread(0.0)


def test_household_sizes_sum_exactly():
    rng = np.random.default_rng(0)
    for n in (0, 1, 7, 1000):
        sizes = household_sizes(n, 2.5, rng)
        assert sizes.sum() == n and (sizes >= 1).all()


def test_no_undocumented_means_no_mixed_households():
    shares = {"citizen": 0.9, "lawful_permanent_resident": 0.1, "temporary_visa": 0.0, "undocumented": 0.0}
    pop = dataclasses.replace(PopulationParams(), size=2000, status_shares=shares, mixed_status_share=0.0)
    res = build_population(pop, NetworkParams(), np.random.default_rng(0))
    assert not res.mixed.any() and (res.status != Status.UNDOCUMENTED).all()
