"""The social network: symmetric weighted ties, household cliques, homophily, a networkx view."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.network import build_network
from model.params import NetworkParams, PopulationParams
from model.population import build_population


def city(size=5000, **net):
    p = NetworkParams(**net)
    res = build_population(dataclasses.replace(PopulationParams(), size=size), p, np.random.default_rng(3))
    return res, build_network(res, p, np.random.default_rng(4))


@pytest.fixture(scope="module")
def default_city():
    return city()


def test_symmetric_without_self_loops(default_city):
    _, net = default_city
    a = net.adjacency
    assert abs(a - a.T).max() == 0
    assert a.diagonal().sum() == 0


def test_households_are_cliques(default_city):
    res, net = default_city
    for hh in range(0, res.household.max(), 97):
        members = np.flatnonzero(res.household == hh)
        for i in members:
            assert set(members) - {i} <= set(net.neighbours(i).tolist())


def test_mean_community_degree_is_near_the_parameter():
    _res, net = city(community_degree=10.0, household_weight=0.0)
    # with household ties weighted 0 only community ties remain; duplicates merge, so a bit under 10
    degree = np.diff(net.adjacency.indptr).mean()
    assert 8.5 < degree <= 10.0


def test_homophily_raises_same_group_ties():
    def same_label_share(**net):
        res, n = city(household_weight=0.0, segregation=0.0, local_share=0.0, **net)
        a = n.adjacency.tocoo()
        return np.mean(res.ethnicity[a.row] == res.ethnicity[a.col])
    assert same_label_share(homophily=0.9) > same_label_share(homophily=0.0) + 0.1


def test_networkx_view_has_the_same_ties(default_city):
    res, net = default_city
    g = net.to_networkx(res)
    assert g.number_of_nodes() == len(res)
    assert g.number_of_edges() == net.n_edges
    assert g.nodes[0]["household"] == res.household[0]


def test_spread_from_a_few_rows_equals_the_dense_product(default_city):
    _, net = default_city
    rows = np.array([5, 17, 17, 400])
    weights = np.array([1.0, 0.5, 0.25, 2.0])
    dense = np.zeros(len(net))
    np.add.at(dense, rows, weights)
    np.testing.assert_allclose(net.spread_from(rows, weights), net.spread(dense))
    np.testing.assert_allclose(net.spread_from(np.zeros(0, dtype=int)), np.zeros(len(net)))


def test_the_ties_of_a_few_rows_are_listed_as_the_matrix_lists_them(default_city):
    """`tie_positions` finds rows' ties without slicing the matrix; repeated and unsorted rows too."""
    _, net = default_city
    rows = np.array([400, 17, 5, 17, 0, len(net) - 1])
    ties, count = net.tie_positions(rows)
    sub = net.adjacency[rows]
    assert np.array_equal(net.adjacency.indices[ties], sub.indices)
    assert np.array_equal(net.adjacency.data[ties], sub.data)
    assert np.array_equal(count, np.diff(sub.indptr))


def test_a_few_rows_of_the_product_are_summed_as_the_whole_product_sums_them(default_city):
    """`spread_at` gives `spread` at the rows asked for, bit for bit; `tied_to` the rows with a tie to them."""
    _, net = default_city
    values = np.random.default_rng(3).random(len(net))
    rows = np.array([0, 5, 17, 400, len(net) - 1])
    np.testing.assert_array_equal(net.spread_at(rows, values), net.spread(values)[rows])
    assert len(net.spread_at(rows[:0], values)) == 0
    some = np.array([5, 400])
    expected = np.flatnonzero(net.spread(np.isin(np.arange(len(net)), some).astype(float)) > 0)
    np.testing.assert_array_equal(net.tied_to(some), expected)
