"""Parameters: declared bounds, choices and shares are enforced; every default says where it comes from;
every declared parameter is read by the model (no silently ignored keys)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from model import ModelParams, ParameterError, Policy, validate
from model import params as P
from model.params import PolicySwitch

SECTIONS = [P.PopulationParams, P.NetworkParams, P.CrimeParams, P.ReportingParams, P.PolicingParams,
            P.EnforcementParams, P.BeliefParams, P.OutcomeParams]
MODEL_SOURCE = "\n".join(p.read_text() for p in Path(P.__file__).parent.rglob("*.py") if p.name not in
                         ("params.py", "declare.py"))


def with_change(section: str, **changes) -> ModelParams:
    p = ModelParams()
    setattr(p, section, dataclasses.replace(getattr(p, section), **changes))
    return p


def test_defaults_are_valid():
    validate(ModelParams())


@pytest.mark.parametrize("section, field, value, expected", [
    ("reporting", "violent_base", 1.5, r"reporting\.violent_base = 1\.5: allowed range is \[0, 1\]"),
    ("crime", "exploitation", -1.0, r"crime\.exploitation = -1\.0: allowed range"),
    ("population", "size", 3, r"population\.size = 3: allowed range is \[10, inf\]"),
    ("population", "status_shares",
     {"citizen": 0.5, "lawful_permanent_resident": 0.1, "temporary_visa": 0.1, "undocumented": 0.1},
     r"population\.status_shares = .*sum to 1 \(they sum to 0\.8\)"),
    ("population", "status_shares", {"citizen": 1.0}, r"population\.status_shares has keys"),
    ("policing", "profiled_label", "martian", r"policing\.profiled_label = 'martian' is not an ethnicity label"),
    ("enforcement", "pickup_after_hold", float("nan"), r"enforcement\.pickup_after_hold = nan: must be a finite"),
])
def test_bad_values_name_the_field_and_what_is_allowed(section, field, value, expected):
    with pytest.raises(ParameterError, match=expected):
        validate(with_change(section, **{field: value}))


def test_bad_policy_choice_lists_the_choices():
    with pytest.raises(ParameterError, match=r"policy\.ice_request = 'warrant' is not allowed; choose one of: "
                                             r"none, detainer, notification"):
        validate(ModelParams(policy=Policy(ice_request="warrant")))


def test_timeline_must_fit_in_the_run_and_be_ordered():
    late = ModelParams(days=100, timeline=[PolicySwitch(day=100)])
    with pytest.raises(ParameterError, match=r"timeline\[0\]\.day = 100: must be below days = 100"):
        validate(late)
    unordered = ModelParams(timeline=[PolicySwitch(day=50), PolicySwitch(day=10)])
    with pytest.raises(ParameterError, match="increasing order"):
        validate(unordered)


@pytest.mark.parametrize("cls", SECTIONS)
def test_every_parameter_declares_its_source(cls):
    missing = [name for name, source in P.declared_sources(cls).items() if not source.strip()]
    assert not missing, f"{cls.__name__} fields without a source: {missing}"


@pytest.mark.parametrize("cls", [*SECTIONS, Policy])
def test_every_parameter_is_read_by_the_model(cls):
    unread = [f.name for f in dataclasses.fields(cls) if f.name != "name"
              and not re.search(rf"\.{f.name}\b", MODEL_SOURCE)]
    assert not unread, f"{cls.__name__} fields never read by model code: {unread}"
