"""The golden baseline (tests/golden.py): two scenarios' summaries at a fixed seed equal the stored ones
exactly. A failure means the model's results changed; if that was intended, re-bless with
`.venv/bin/python tests/golden.py --bless` and say why in the commit (CONTRIBUTING.md)."""

from __future__ import annotations

import math

import pytest
from golden import SCENARIOS, differences, read, summary


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_summary_equals_the_golden_baseline_exactly(scenario):
    found = differences(read(scenario), summary(scenario))
    assert not found, ("the model's results changed; if intended, re-bless: .venv/bin/python tests/golden.py "
                       "--bless\n" + "\n".join(found))


def test_the_comparison_sees_a_change_in_the_last_bit():
    stored = read(SCENARIOS[0])
    name = next(k for k, v in stored.items() if isinstance(v[0], float) and math.isfinite(v[0]) and v[0] != 0)
    nudged = {**stored, name: [math.nextafter(stored[name][0], math.inf), *stored[name][1:]]}
    assert differences(stored, nudged) == [f"{name}: stored {stored[name][:4]}..., now {nudged[name][:4]}..."]
    assert differences(stored, dict(stored)) == []
