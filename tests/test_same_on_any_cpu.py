"""The same config and seed give the same results whatever the processor offers (README, "Same results
anywhere"): selections that do not depend on the order numpy's selection kernels return, and exp, log and pow
from the C library rather than numpy's AVX-512 code. The golden, city-wide and kernel-equality tests run again
here under numpy's dispatch restricted (no AVX-512; its baseline only) and under glibc's forms of exp, log and pow
for processors without FMA."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from experiments.paths import ROOT
from experiments.runs.testing import cpu_settings, make_model
from model import elementary, sampling

REPRODUCIBILITY_TESTS = ["tests/test_golden.py", "tests/test_neighbourhoods.py::"
                         "test_local_weights_at_zero_reproduce_the_city_wide_model_exactly",
                         "tests/test_belief_kernel.py", "tests/test_sampling.py"]
RESTRICTED = {name: env for name, env in cpu_settings().items() if name != "default"}


def what_numpy_dispatches(env: dict[str, str]) -> dict:
    code = ("import json; from model.elementary import dispatch, fingerprint; "
            "print(json.dumps([dispatch(), fingerprint()]))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("setting", sorted(RESTRICTED))
def test_the_reproducibility_tests_pass_under_a_restricted_dispatch(setting):
    env = RESTRICTED[setting]
    (dispatched, print_), (_, default_print) = what_numpy_dispatches(env), what_numpy_dispatches({})
    if "NPY_DISABLE_CPU_FEATURES" in env:   # the restriction took: what it names is no longer dispatched to
        assert not set(env["NPY_DISABLE_CPU_FEATURES"].split()) & set(dispatched["dispatched"])
        assert print_ == default_print      # and the C library's functions are untouched
    if setting == "glibc without FMA" and print_ == default_print:
        pytest.skip("this machine's C library has no separate FMA forms of exp, log and pow (or no FMA)")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           "-n", "0", *REPRODUCIBILITY_TESTS], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_the_k_largest_keys_do_not_depend_on_the_order_numpys_selection_returns(monkeypatch):
    rng = np.random.default_rng(4)
    key = np.concatenate([rng.integers(0, 5, 300).astype(float), np.full(40, -np.inf)])   # many ties
    key[rng.permutation(len(key))[:10]] = 2.5
    for k in (1, 7, 60, 200, 330, 340, 400):
        want = np.sort(np.lexsort((np.arange(len(key)), -key))[:min(k, len(key))])
        assert np.array_equal(sampling.largest(key, k), want)
    shuffle_selections(monkeypatch)
    for k in (1, 7, 60, 200, 330, 340):
        want = np.sort(np.lexsort((np.arange(len(key)), -key))[:k])
        assert np.array_equal(sampling.largest(key, k), want)


def shuffle_selections(monkeypatch, seed: int = 0) -> None:
    """np.partition and np.argpartition return a valid partition, but in another order than numpy's own: each side
    of the k-th shuffled, and the k-th swapped with an equal key where there is one (as another kernel might)."""
    real = np.argpartition
    rng = np.random.default_rng(seed)

    def argpartition(a, kth, *args, **kwargs):
        order = real(a, kth, *args, **kwargs)
        a = np.asarray(a)
        if a.ndim != 1 or not np.isscalar(kth):
            return order
        kth = int(kth) % len(a)
        left, right = order[:kth].copy(), order[kth + 1:].copy()
        rng.shuffle(left)
        rng.shuffle(right)
        order = np.concatenate([left, order[kth:kth + 1], right])
        twin = np.flatnonzero(a[order[:kth]] == a[order[kth]])
        if len(twin):
            order[[twin[0], kth]] = order[[kth, twin[0]]]
        return order

    monkeypatch.setattr(np, "argpartition", argpartition)
    monkeypatch.setattr(np, "partition", lambda a, kth, *args, **kw: np.asarray(a)[argpartition(a, kth, *args, **kw)])


def test_a_run_is_unchanged_when_selections_come_back_in_another_order(monkeypatch):
    """Who has a prior conviction (drawn by weighted_sample) and every table of the run."""
    def run():
        model = make_model(seed=2, size=3000, days=40, policy="287g_task_force")
        records = model.residents.convicted.copy(), model.residents.convicted_serious.copy()
        return records, model.run().tables()

    (convicted, serious), tables = run()
    shuffle_selections(monkeypatch)
    (convicted_, serious_), tables_ = run()
    assert np.array_equal(convicted, convicted_) and np.array_equal(serious, serious_)
    for name, table in tables.items():
        for column, values in table.items():
            assert np.array_equal(values, tables_[name][column]) if values.dtype == object else \
                np.array_equal(values, tables_[name][column], equal_nan=True), f"{name}.{column}"


def test_the_c_librarys_functions_are_what_the_model_uses():
    x = np.concatenate([np.linspace(-50, 50, 2001), [0.0, -0.0, 745.5, -800.0]])
    with np.errstate(over="ignore"):
        assert np.array_equal(elementary.logistic_of_negative(x.copy()), [1 / (math.exp(v) + 1) if v < 709 else 0.0
                                                                          for v in x])
    u = np.linspace(0, 3, 3001)
    with np.errstate(divide="ignore"):
        assert np.array_equal(elementary.log(u), [math.log(v) if v > 0 else -math.inf for v in u])
    for y in (1.15, 0.37, 2.0, 0.0):
        assert np.array_equal(elementary.power(u, y), [math.pow(v, y) for v in u])


def test_power_is_the_same_compiled_or_not(monkeypatch):
    pytest.importorskip("numba", reason="the compiled loop is an extra: pip install -e '.[fast]'")
    u = np.linspace(0, 3, elementary.COMPILED_POWER_FROM)
    compiled_form = elementary.power(u, 1.15)
    monkeypatch.setattr(elementary, "available", lambda: False)
    assert np.array_equal(elementary.power(u, 1.15), compiled_form)


def test_the_model_calls_no_dispatched_elementary_function_and_no_unstable_selection():
    """numpy's exp, log, log2 and power have AVX-512 code of their own; argpartition's order and an unstable
    argsort's ties depend on the sort kernel. The model's code goes through model.elementary and sampling.largest."""
    import re

    found = []
    for path in sorted((ROOT / "model").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#")[0]
            if re.search(r"np\.(exp|log|log2|log10|log1p|expm1|power|float_power|argpartition)\(", code) or \
                    ("np.argsort(" in code and 'kind="stable"' not in code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
