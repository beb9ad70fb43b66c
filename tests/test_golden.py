"""The golden baseline (tests/golden.py): two scenarios' summaries at a fixed seed equal the stored ones
(integers exactly; floats exactly where the C library's exp, log and pow are those of the machine that blessed
them, else within the bound README states). A failure means the model's results changed; if that was intended,
re-bless with `.venv/bin/python tests/golden.py --bless` and say why in the commit (CONTRIBUTING.md)."""

from __future__ import annotations

import math

import pytest
from golden import SCENARIOS, differences, float_bound, read, summary


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_summary_equals_the_golden_baseline_exactly(scenario):
    found = differences(read(scenario), summary(scenario), float_bound())
    assert not found, ("the model's results changed; if intended, re-bless: .venv/bin/python tests/golden.py "
                       "--bless\n" + "\n".join(found))


def test_the_comparison_sees_a_change_in_the_last_bit():
    stored = read(SCENARIOS[0])
    name = next(k for k, v in stored.items() if isinstance(v[0], float) and math.isfinite(v[0]) and v[0] != 0)
    nudged = {**stored, name: [math.nextafter(stored[name][0], math.inf), *stored[name][1:]]}
    assert differences(stored, nudged) == [f"{name}: stored {stored[name][:4]}..., now {nudged[name][:4]}..."]
    assert differences(stored, dict(stored)) == []


def test_between_c_libraries_floats_may_move_within_the_bound_and_integers_not_at_all():
    from experiments.runs.testing import ACROSS_C_LIBRARIES

    stored = read(SCENARIOS[0])
    name = next(k for k, v in stored.items() if isinstance(v[0], float) and math.isfinite(v[0]) and v[0] > 1)
    count = next(k for k, v in stored.items() if isinstance(v[0], int) and v[0] > 0)
    moved = {**stored, name: [stored[name][0] * (1 + ACROSS_C_LIBRARIES[0] / 2), *stored[name][1:]]}
    assert differences(stored, moved, ACROSS_C_LIBRARIES) == [] and differences(stored, moved) != []
    too_far = {**stored, name: [stored[name][0] * (1 + 2 * ACROSS_C_LIBRARIES[0]), *stored[name][1:]]}
    assert differences(stored, too_far, ACROSS_C_LIBRARIES) != []
    one_more = {**stored, count: [stored[count][0] + 1, *stored[count][1:]]}
    assert differences(stored, one_more, ACROSS_C_LIBRARIES) != []
