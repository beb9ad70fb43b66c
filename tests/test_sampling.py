"""Weighted draws (model/sampling.py): each row in proportion to its weight, inside its range, by rejection
or by the cumulative-sum fallback alike."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.runs.testing import make_model
from model.sampling import FixedTimesFactor, IndependentTrials, LazyWeights, draw_in_ranges, draw_weighted


def frequencies(weight, draws, rounds, seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = np.zeros(draws, dtype=np.int64), np.full(draws, len(weight))
    return np.bincount(draw_in_ranges(weight, lo, hi, rng, rounds=rounds), minlength=len(weight)) / draws


@pytest.mark.parametrize("rounds", [32, 0])   # 0: the fallback alone
def test_rows_are_drawn_in_proportion_to_their_weight(rounds):
    weight = np.array([0.0, 1.0, 2.0, 0.0, 4.0, 1.0])
    share = frequencies(weight, 200_000, rounds)
    assert share[[0, 3]].sum() == 0                       # no weight, never drawn
    np.testing.assert_allclose(share, weight / weight.sum(), atol=0.005)


def test_a_city_where_one_resident_holds_the_weight_is_drawn_exactly_through_the_fallback():
    weight = np.full(100_000, 1e-12)
    weight[777] = 1.0
    share = frequencies(weight, 2000, rounds=2)
    assert share[777] > 0.99


def test_draws_stay_inside_their_ranges():
    rng = np.random.default_rng(1)
    weight = rng.random(1000) ** 4
    lo = rng.integers(0, 900, 5000)
    hi = lo + rng.integers(1, 100, 5000)
    for rounds in (32, 0):
        rows = draw_in_ranges(weight, lo, hi, np.random.default_rng(2), rounds=rounds)
        assert ((rows >= lo) & (rows < hi)).all()


def test_draw_weighted_gives_distinct_rows_and_nothing_without_weight():
    rng = np.random.default_rng(3)
    rows = draw_weighted(np.ones(50), 200, rng)
    assert len(rows) == len(np.unique(rows)) <= 50
    assert len(draw_weighted(np.zeros(50), 10, rng)) == 0
    assert len(draw_weighted(np.ones(50), 0, rng)) == 0


@pytest.mark.parametrize("rounds", [32, 0])   # 0: the fallback, which makes every row's weight
def test_weights_made_only_where_proposed_give_the_draws_of_the_whole_array(rounds):
    """LazyWeights computes the weights of the rows a draw proposes, and only those (below the fallback); with the
    same bound, the draws are those of the array itself, row for row."""
    weight = np.random.default_rng(6).random(5000) ** 3
    asked = []

    def of(rows):
        asked.append(len(rows))
        return weight[rows]

    lazy = LazyWeights(of, len(weight), float(weight.max()))
    for draw in (lambda w, rng: draw_weighted(w, 300, rng, rounds=rounds, top=lazy.top),
                 lambda w, rng: FixedTimesFactor(np.arange(5000.0)).draw(w, 300, rng, rounds=rounds, top=lazy.top)):
        asked.clear()
        np.testing.assert_array_equal(draw(lazy, np.random.default_rng(7)), draw(weight, np.random.default_rng(7)))
        assert sum(asked) < len(weight) if rounds else sum(asked) >= len(weight)


def test_a_bound_over_weights_that_are_all_zero_draws_nobody():
    """With a bound in place of the largest weight (LazyWeights), a draw may not know that no row has weight
    until the fallback: it then draws nobody, as it does when the weights say so themselves."""
    nobody = LazyWeights(lambda rows: np.zeros(len(rows)), 500, top=1.0)
    assert len(draw_weighted(nobody, 20, np.random.default_rng(8), top=nobody.top)) == 0
    weight = np.r_[np.zeros(10), np.ones(10)]
    rows = draw_in_ranges(weight, np.array([0, 10]), np.array([10, 20]), np.random.default_rng(9), top=1.0)
    assert rows[0] == -1 and 10 <= rows[1] < 20


def test_neighbourhood_totals_equal_a_weighted_count():
    m = make_model(size=3000)
    places, values = m.neighbourhoods, np.random.default_rng(4).random(3000)
    np.testing.assert_allclose(places.total(values), np.bincount(places.code, weights=values, minlength=places.n))
    flags = values < 0.3
    np.testing.assert_array_equal(places.total(flags), np.bincount(places.code[flags], minlength=places.n))


@pytest.mark.parametrize("rounds", [32, 0])
def test_a_fixed_weight_times_a_factor_is_drawn_in_proportion_to_the_product(rounds):
    fixed = np.array([1.0, 50.0, 1.0, 0.0, 3.0])   # heavy-tailed, as offending propensity is
    factor = np.array([2.0, 0.1, 0.0, 1.0, 1.0])
    draws = FixedTimesFactor(fixed)
    rng = np.random.default_rng(5)
    counts = np.zeros(5)
    for _ in range(20_000):
        counts[draws.draw(factor, 1, rng, rounds=rounds)] += 1
    assert counts[[2, 3]].sum() == 0
    np.testing.assert_allclose(counts / counts.sum(), fixed * factor / (fixed * factor).sum(), atol=0.01)


def test_independent_trials_succeed_with_each_rows_own_chance():
    """Rows succeed independently with chance fixed x factor: heavy-tailed fixed chances (strata of every size),
    some rows certain, some never, a factor that varies; the same as one draw per row, in expectation per row."""
    rng = np.random.default_rng(11)
    fixed = np.clip(rng.gamma(0.3, 1 / 0.3, 5000) * 0.01, 0, 1)
    fixed[:4] = [1.0, 0.9, 0.0, 0.5]
    factor = rng.random(5000) * 1.5
    factor[3] = 0.0
    trials, wins, days = IndependentTrials(), np.zeros(5000), 4000
    for _ in range(days):
        won = trials.draw(fixed, lambda rows: factor[rows], 1.5, rng)
        assert np.all(np.diff(won) > 0)         # distinct, ascending
        wins[won] += 1
    expected = np.minimum(fixed * factor, 1.0)
    np.testing.assert_allclose(wins[:2] / days, expected[:2], atol=0.03)
    assert wins[2] == wins[3] == 0
    sd = np.sqrt(expected * (1 - expected) * days)
    z = (wins[4:].sum() - days * expected[4:].sum()) / np.sqrt((sd[4:] ** 2).sum())
    assert abs(z) < 4                                   # the total, to its own sampling error
    by_decile = np.array_split(np.argsort(expected[4:]) + 4, 10)
    np.testing.assert_allclose([wins[d].sum() for d in by_decile], [days * expected[d].sum() for d in by_decile],
                               rtol=0.1, atol=30)


def test_independent_trials_follow_a_changed_fixed_chance():
    fixed = np.full(1000, 0.01)
    trials, rng, ones = IndependentTrials(), np.random.default_rng(2), lambda rows: np.ones(len(rows))
    assert len(trials.draw(fixed, ones, 1.0, rng)) < 40
    fixed[:] = 1.0          # the array the strata were made from, changed in place (a rule, or the Mesa view)
    assert len(trials.draw(fixed, ones, 1.0, rng)) == 1000
