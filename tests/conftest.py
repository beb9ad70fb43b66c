"""Fixtures; the helpers the tests share with the benchmarks live in experiments.testing."""

from __future__ import annotations

import pytest

from experiments.runs.testing import make_model
from model import CommunityTrustModel


@pytest.fixture
def small_model() -> CommunityTrustModel:
    return make_model(size=1500, days=30)
