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
    with pytest.raises(ParameterError, match="must increase"):
        validate(unordered)
    twice = ModelParams(timeline=[PolicySwitch(day=10), PolicySwitch(day=10)])
    with pytest.raises(ParameterError, match="one switch a day"):
        validate(twice)


@pytest.mark.parametrize("cls", SECTIONS)
def test_every_parameter_declares_its_source(cls):
    missing = [name for name, source in P.declared_sources(cls).items() if not source.strip()]
    assert not missing, f"{cls.__name__} fields without a source: {missing}"


@pytest.mark.parametrize("cls", [*SECTIONS, Policy])
def test_every_parameter_is_read_by_the_model(cls):
    unread = [f.name for f in dataclasses.fields(cls) if f.name != "name"
              and not re.search(rf"\.{f.name}\b", MODEL_SOURCE)]
    assert not unread, f"{cls.__name__} fields never read by model code: {unread}"


# ---- every declared parameter refuses an out-of-range or mistyped value, naming the field ----------------

FREE_TEXT = {"policy.name"}                 # labels: any text is allowed
CHECKED_BY_CONSISTENCY = {"policing.profiled_label": "no_such_label"}   # must be one of the ethnicity labels


def _rule_classes() -> list[type]:
    import importlib
    import pkgutil

    import model.rules as rules_pkg
    for info in pkgutil.iter_modules(rules_pkg.__path__):
        importlib.import_module(f"model.rules.{info.name}")

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)
    return [c for c in walk(rules_pkg.Rule) if c.Params is not None]


def _leaves(cls: type, prefix: str = ""):
    """(key, field, type hint) of every non-dataclass field under a parameter class, recursively."""
    import typing
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if f.name in ("timeline", "rules", "rule_changes", "rule_params"):   # which rules and policies, not values
            continue
        if dataclasses.is_dataclass(hint):
            yield from _leaves(hint, f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", f, hint


def _bad_values(key: str, f: dataclasses.Field, hint) -> list:
    """Values outside what `f` declares: below `lo`, above `hi`, not a choice, or of the wrong type."""
    import typing
    meta, bad = f.metadata, []
    numeric = hint in (int, float) or typing.get_origin(hint) is dict
    if numeric:
        assert meta.get("lo") is not None or meta.get("hi") is not None, f"{key} declares no bounds"
        if meta.get("lo") is not None:
            bad.append(meta["lo"] - 1)
        if meta.get("hi") is not None:
            bad.append(meta["hi"] + 1)
        bad.append("abc")
    elif hint is bool:
        bad.append("yes")
    elif hint is str:
        if meta.get("choices"):
            bad.append("no_such_choice")
        elif key in CHECKED_BY_CONSISTENCY:
            bad.append(CHECKED_BY_CONSISTENCY[key])
        else:
            assert key in FREE_TEXT, f"{key} is text with no choices: declare its choices or list it as free text"
    return bad


def _set(params, key: str, value):
    *path, name = key.split(".")
    target = params
    for part in path:
        target = getattr(target, part)
    current = getattr(target, name)
    if isinstance(current, dict):   # one entry of a mapping out of range (or of the wrong type)
        entry = next(iter(current))
        value = {**current, entry: value}
        key = f"{key}.{entry}"
    setattr(target, name, value)
    return key


MODEL_CASES = [(key, v) for key, f, hint in _leaves(ModelParams) for v in _bad_values(key, f, hint)]


def test_the_walk_covers_every_section_and_lever():
    sections = {key.split(".")[0] for key, _ in MODEL_CASES}
    assert {"days", "population", "network", "crime", "reporting", "policing", "enforcement", "beliefs",
            "outcomes", "policy"} <= sections
    assert len(MODEL_CASES) > 150


@pytest.mark.parametrize("key, value", MODEL_CASES, ids=[f"{k}={v}" for k, v in MODEL_CASES])
def test_every_model_parameter_refuses_an_out_of_range_or_mistyped_value(key, value):
    params = ModelParams()
    named = _set(params, key, value)
    with pytest.raises(ParameterError, match=re.escape(named)):
        validate(params)


RULE_CASES = [(cls, key, v) for cls in _rule_classes() for key, f, hint in _leaves(cls.Params)
              for v in _bad_values(key, f, hint)]


@pytest.mark.parametrize("cls, key, value", RULE_CASES, ids=[f"{c.__name__}.{k}={v}" for c, k, v in RULE_CASES])
def test_every_rule_parameter_refuses_an_out_of_range_or_mistyped_value(cls, key, value):
    assert RULE_CASES, "no rule declares parameters"
    params = ModelParams(rules=[*P.DEFAULT_RULES, f"{cls.__module__}.{cls.__name__}"],
                         rule_params={cls.__name__: {key: value}})
    with pytest.raises(ParameterError, match=re.escape(f"rule_params.{cls.__name__}.{key}")):
        validate(params)


def test_rule_parameters_for_a_rule_not_in_the_list_are_refused():
    with pytest.raises(ParameterError, match="rule_params names rules that are not in `rules`: NoSuchRule"):
        validate(ModelParams(rule_params={"NoSuchRule": {"x": 1}}))
