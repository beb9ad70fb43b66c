"""The fused belief kernel (numba, every core) gives the numpy form's numbers bit for bit, whatever the number
of threads, so `kernel=auto` can pick it without changing any result."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.runs.testing import make_params
from model import CommunityTrustModel, ParameterError, compiled
from model.rules import belief_kernel, reporting
from model.rules.belief_kernel import AUTO_NUMBA_RESIDENTS, choose_kernel
from model.rules.reporting import reporting_probability

numba = pytest.importorskip("numba", reason="the fused kernel is an extra: pip install -e '.[fast]'")


def tables(kernel: str, policy: str, **sections) -> dict:
    p = make_params(size=3000, days=90, policy=policy, **sections)
    return CommunityTrustModel(p, rng=5, create_agents=False, kernel=kernel).run().tables()


def assert_identical(a: dict, b: dict) -> None:
    for name in a:
        for column in a[name]:
            x, y = a[name][column], b[name][column]
            same = (x == y).all() if x.dtype == object else np.array_equal(x, y, equal_nan=True)
            assert same, f"{name}.{column} differs"


@pytest.mark.parametrize("policy, sections", [
    ("287g_task_force", {}),
    ("secure_communities", {"beliefs": {"own_neighbourhood_weight": 0.0, "ties_neighbourhoods_weight": 0.0}}),
    ("community_trust", {"beliefs": {"own_neighbourhood_weight": 0.3, "ties_neighbourhoods_weight": 0.4}}),
])
def test_the_fused_kernel_gives_the_numpy_forms_tables_bit_for_bit(policy, sections):
    assert_identical(tables("numpy", policy, **sections), tables("numba", policy, **sections))


def test_the_fused_kernel_does_not_depend_on_the_number_of_threads():
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = tables("numba", "287g_task_force")
    finally:
        numba.set_num_threads(threads)
    assert_identical(one, tables("numba", "287g_task_force"))


def test_auto_picks_numba_only_where_it_pays_and_bad_kernels_are_refused():
    assert choose_kernel("auto", AUTO_NUMBA_RESIDENTS - 1) == "numpy"
    assert choose_kernel("auto", AUTO_NUMBA_RESIDENTS) == ("numba" if belief_kernel.available() else "numpy")
    with pytest.raises(ParameterError, match="kernel = 'fast': choose auto, numpy or numba"):
        choose_kernel("fast", 1000)


@pytest.mark.parametrize("compiled_exp", [True, False])
@pytest.mark.parametrize("fear, protected", [(True, False), (True, True), (False, False)])
def test_the_compiled_chance_to_report_is_numpys_bit_for_bit(fear, protected, compiled_exp, monkeypatch):
    """With the exponential in the pass (where it is the C library's) or the C library's after it."""
    if compiled_exp and not compiled.exp_is_the_c_librarys():
        pytest.skip("here a compiled exponential is not the C library's, so the pass leaves it to model.elementary")
    monkeypatch.setattr(reporting, "exp_is_the_c_librarys", lambda: compiled_exp)
    rng = np.random.default_rng(3)
    n = 20_000
    trust, knowledge = rng.random(n), rng.random(n)
    fears = np.concatenate([rng.random(n - 4), [0.0, 1.0, 0.25, 0.2500000001]])   # at and around the tolerance
    p = make_params(size=100, days=1).reporting
    numpy_form, compiled_form = (
        reporting_probability(0.42, trust, fears if fear else None, knowledge, protected, p, 0.6, compiled_pass=c)
        for c in (False, True))
    assert np.array_equal(numpy_form, compiled_form)


def test_a_compiled_exponential_is_used_only_where_it_is_the_c_librarys(monkeypatch):
    """Without Intel's SVML (switched off by model.compiled) numba calls the C library's exp; with it, not."""
    assert not numba.config.USING_SVML
    monkeypatch.delitem(compiled._cache, "exp_is_the_c_librarys", raising=False)
    assert compiled.exp_is_the_c_librarys()
    monkeypatch.delitem(compiled._cache, "exp_is_the_c_librarys")
    monkeypatch.setattr(numba.config, "USING_SVML", True)
    assert not compiled.exp_is_the_c_librarys()
