"""Daily rules: each a small named class with one `step(day)` over the whole model.

A rule is listed by its dotted class path in `ModelParams.rules`, in the order the day runs them.
To add or replace one, write a subclass of `Rule` and put its path in the list (docs/extending.md).
A rule with parameters of its own declares them as a nested dataclass `Params` (with `param`/`prob`
from model.declare); values come from `ModelParams.rule_params[<class name>]` and are validated like
every other parameter. A rule that counts an event of its own lists it in `counted_events` (it becomes a
column of the daily table and a total in the summary), and one that needs a resident attribute of its own
declares it in `resident_columns`; neither needs an edit to outcomes.py or residents.py. Each rule draws
from its own random stream, so adding one does not change the draws of the others.
"""

from __future__ import annotations

import importlib
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from model.declare import ParameterError

if TYPE_CHECKING:
    from model.model import CommunityTrustModel


class Rule:
    """One daily process of the model. Subclasses implement `step(day)`; the class attributes are optional."""

    Params: Any = None
    counted_events: tuple[str, ...] = ()                         # outcome counters this rule adds
    resident_columns: dict[str, tuple[type, float]] = {}         # name -> (dtype, initial value)
    # may step() change residents' trust, fear or knowledge? If so the model drops what was computed from them
    # (Residents.beliefs_changed) after the step; declare False only if it never does, or says so itself
    changes_beliefs: bool = True

    def __init__(self, model: CommunityTrustModel):
        self.model = model
        self.rng = model.stream(type(self).__name__)
        self.params = self.own_params(model.params.rule_params.get(type(self).__name__, {}))

    @classmethod
    def own_params(cls, values: dict) -> Any:
        """This rule's `Params` from `values` (its entry in `rule_params`), checked like every parameter."""
        if not isinstance(values, dict):
            raise ParameterError(f"rule_params.{cls.__name__} = {values!r}: give the rule's parameters as a mapping.")
        if cls.Params is None:
            if values:
                raise ParameterError(f"rule_params.{cls.__name__}: this rule declares no parameters.")
            return None
        from model.params import validate  # noqa: PLC0415  (params imports this package's users)

        allowed = [f.name for f in fields(cls.Params)]
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ParameterError(f"rule_params.{cls.__name__}.{unknown[0]}: {cls.__name__} has no such parameter; "
                                 f"its parameters are: {', '.join(allowed)}.")
        params = cls.Params(**values)
        validate(params, f"rule_params.{cls.__name__}.")
        return params

    def step(self, day: int) -> None:
        """Apply the rule for one day (0-based)."""
        raise NotImplementedError


def load_rule(path: str) -> type[Rule]:
    """Import a rule class from its dotted path, e.g. 'model.rules.crime.CommitCrimes'."""
    module_name, _, class_name = path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as err:
        raise ParameterError(f"rules: cannot load {path!r} ({err}); give the dotted path of a Rule class.") from None
    if not (isinstance(cls, type) and issubclass(cls, Rule)):
        raise ParameterError(f"rules: {path!r} is not a subclass of model.rules.Rule.")
    return cls
