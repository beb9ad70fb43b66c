"""City profiles: every profile composes and validates, a generated population matches its shares, and an
inconsistent profile gives a clear error naming the fields."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.api import compose
from experiments.paths import CONF_DIR
from experiments.runs.config import to_model_params
from model import ParameterError
from model.params import STATUSES
from model.population import build_population

PROFILES = sorted(p.stem for p in (CONF_DIR / "city").glob("*.yaml"))


def composed(*overrides: str):
    return compose(overrides)


def test_the_national_profile_and_the_four_surveyed_counties_exist():
    assert {"national", "cook_il", "harris_tx", "los_angeles_ca", "maricopa_az"} <= set(PROFILES)


@pytest.mark.parametrize("city", PROFILES)
def test_every_profile_composes_validates_and_generates_its_shares(city):
    cfg = composed(f"city={city}", "population.size=50000")
    params, _ = to_model_params(cfg)   # validates: shares in [0, 1] summing to 1, non-citizens <= foreign-born
    pop = params.population
    undocumented = pop.status_shares["undocumented"]
    assert undocumented <= cfg.city.foreign_born_share
    res = build_population(pop, params.network, np.random.default_rng(1))
    counts = np.bincount(res.status, minlength=4) / len(res)
    for code, status in enumerate(STATUSES):
        assert abs(counts[code] - pop.status_shares[status]) < 1e-4
    latino = (res.ethnicity == res.labels.index("latino")).mean()
    # ethnicity is drawn per household: about 20,000 households, so a few tenths of a point of sampling error
    assert abs(latino - pop.ethnicity_shares["latino"]) < 0.02
    assert abs(res.mixed.mean() - pop.mixed_status_share) < 0.01


def test_county_profiles_differ_from_the_nation():
    national, _ = to_model_params(composed("city=national"))
    harris, _ = to_model_params(composed("city=harris_tx"))
    assert harris.population.status_shares["undocumented"] > national.population.status_shares["undocumented"]
    assert harris.crime.violent_per_1000 > national.crime.violent_per_1000


def test_an_inconsistent_profile_names_the_fields():
    with pytest.raises(ParameterError,
                       match=r"city harris_tx: non-citizen shares .* more than city.foreign_born_share"):
        to_model_params(composed("city=harris_tx", "city.foreign_born_share=0.1"))
    with pytest.raises(ParameterError, match=r"population.status_shares = .*sum to 1"):
        from model import validate
        params, _ = to_model_params(composed("city=harris_tx", "population.status_shares.citizen=0.9"))
        validate(params)
